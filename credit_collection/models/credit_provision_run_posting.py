"""The provision run on the allowance account: the balance at a date, the month's roll-forward
(opening, charge, write-offs, recoveries, closing) and the posting of the adjustment."""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, date_utils


class CreditProvisionRun(models.Model):
    _inherit = "credit.provision.run"

    @api.model
    def _allowance_ledger(self, account, company, as_of, date_from=None, moves=None, exclude_moves=None):
        """(credit balance, debits, credits) of the allowance account `account` in `company`, posted
        items up to `as_of` (from `date_from`; only `moves`, or all but `exclude_moves`): what the
        provision runs and the write-off wizard read of it."""
        self.env.flush_all()
        conditions = [
            SQL("aml.account_id = %s", account.id),
            SQL("aml.company_id = %s", company.id),
            SQL("aml.parent_state = 'posted'"),
            SQL("aml.date <= %s", as_of),
        ]
        if date_from:
            conditions.append(SQL("aml.date >= %s", date_from))
        if moves is not None:
            conditions.append(SQL("aml.move_id = ANY(%s)", list(moves.ids)))
        if exclude_moves:
            conditions.append(SQL("aml.move_id != ALL(%s)", list(exclude_moves.ids)))
        self.env.cr.execute(
            SQL(
                """SELECT COALESCE(-SUM(aml.balance), 0),
                          COALESCE(SUM(aml.debit), 0), COALESCE(SUM(aml.credit), 0)
                     FROM account_move_line aml WHERE %s""",
                SQL(" AND ").join(conditions),
            )
        )
        return self.env.cr.fetchone()

    def _allowance_balance(self, as_of, date_from=None, moves=None, exclude_moves=None):
        """Credit balance of the run's allowance account (positive = allowance held), posted items;
        (balance, debits, credits) when restricted to or excluding entries."""
        self.ensure_one()
        net, debit, credit = self._allowance_ledger(
            self.allowance_account_id, self.company_id, as_of, date_from, moves, exclude_moves
        )
        if moves is not None or exclude_moves is not None:
            return net, debit, credit
        return self.currency_id.round(net)

    @api.depends("state", "date", "allowance_account_id", "move_id")
    def _compute_roll_forward(self):
        for run in self:
            if not (run.allowance_account_id and run.date and run.id):
                run.update(
                    {
                        "opening_amount": 0.0,
                        "charge_amount": 0.0,
                        "write_off_amount": 0.0,
                        "recovery_amount": 0.0,
                        "closing_amount": 0.0,
                    }
                )
                continue
            cur = run.currency_id
            start = date_utils.start_of(run.date, "month")
            end = date_utils.end_of(run.date, "month")
            run_moves = self.search(
                [("company_id", "=", run.company_id.id), ("move_id", "!=", False), ("period", "=", run.period)]
            ).move_id
            opening = run._allowance_balance(date_utils.subtract(start, days=1))
            charge = run._allowance_balance(end, date_from=start, moves=run_moves)[0]
            _net, write_offs, recoveries = run._allowance_balance(end, date_from=start, exclude_moves=run_moves)
            run.opening_amount = cur.round(opening)
            run.charge_amount = cur.round(charge)
            run.write_off_amount = cur.round(write_offs)
            run.recovery_amount = cur.round(recoveries)
            run.closing_amount = cur.round(opening + charge - write_offs + recoveries)

    # ------------------------------------------------------------------ posting
    def action_post(self):
        self._check_ready()
        changed = []
        for run in self:
            if not self.env.user.has_group("credit_collection.group_credit_manager"):
                raise UserError(self.env._("Only a credit manager approves and posts a provision run."))
            if run.state != "computed":
                raise UserError(self.env._("Compute run %(name)s before posting it.", name=run.name))
            twin = run._posted_twin()
            if twin:
                raise UserError(
                    self.env._(
                        "A provision run is already posted for %(company)s in %(period)s (%(twin)s, entry %(move)s). "
                        "Cancel its entry first or post this run in another month.",
                        company=run.company_id.name,
                        period=run.period,
                        twin=twin.name,
                        move=twin.move_id.name,
                    )
                )
            later = run._posted_later()
            if later:
                raise UserError(
                    self.env._(
                        "Run %(name)s is dated %(date)s, before %(later)s (%(later_date)s), already posted for "
                        "%(company)s: posting it now would set the allowance at %(later_date)s to this older "
                        "figure. Post runs in date order: cancel %(later)s first, or date this run after it.",
                        name=run.name,
                        date=run.date,
                        later=later.name,
                        later_date=later.date,
                        company=run.company_id.name,
                    )
                )
            # recompute on the latest figures; post only the adjustment the user saw: if it moved
            # (new invoices, payments, rates), keep the new figures and ask to confirm again
            shown = run.adjustment_amount
            run.action_compute()
            amount = run.adjustment_amount
            if run.currency_id.compare_amounts(shown, amount):
                changed.append((run, shown, amount))
                continue
            move = False
            if not run.currency_id.is_zero(amount):
                label = self.env._("Allowance for doubtful debts %(period)s", period=run.period)
                expense, allowance = run.expense_account_id, run.allowance_account_id
                move = self.env["account.move"].create(
                    {
                        "move_type": "entry",
                        "company_id": run.company_id.id,
                        "journal_id": run.journal_id.id,
                        "date": run.date,
                        "ref": run.name,
                        "line_ids": [
                            fields.Command.create(
                                {
                                    "name": label,
                                    "account_id": expense.id,
                                    "debit": max(amount, 0.0),
                                    "credit": max(-amount, 0.0),
                                }
                            ),
                            fields.Command.create(
                                {
                                    "name": label,
                                    "account_id": allowance.id,
                                    "debit": max(-amount, 0.0),
                                    "credit": max(amount, 0.0),
                                }
                            ),
                        ],
                    }
                )
                move.action_post()
            run.sudo().write({"state": "posted", "move_id": move and move.id})
            # a log, not a message: posting never depends on the poster having an email address
            fmt = run._format_amount
            run._message_log(
                body=self.env._(
                    "Posted: required %(required)s, balance %(balance)s, adjustment %(adjustment)s.",
                    required=fmt(run.required_amount),
                    balance=fmt(run.balance_amount),
                    adjustment=fmt(amount),
                )
            )
        if changed:
            message = "\n".join(
                self.env._(
                    "%(name)s: the figures changed since they were shown. The adjustment shown was %(shown)s, "
                    "it is now %(now)s (required %(required)s). Nothing was posted for it: check the new "
                    "figures and click Approve & Post again.",
                    name=run.name,
                    shown=run._format_amount(shown),
                    now=run._format_amount(amount),
                    required=run._format_amount(run.required_amount),
                )
                for run, shown, amount in changed
            )
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "warning",
                    "sticky": True,
                    "title": self.env._("Recomputed: not posted"),
                    "message": message,
                    "next": {"type": "ir.actions.client", "tag": "soft_reload"},
                },
            }
        return True
