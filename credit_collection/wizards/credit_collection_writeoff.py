from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date


class CreditCollectionWriteoff(models.TransientModel):
    """Write off the open amount of customer invoices: one entry per invoice (so each one can be
    reversed alone), reconciled with the invoice line by line. The loss is charged to the allowance
    for doubtful accounts up to the balance provided (Dr allowance / Cr receivable), the rest to the
    bad-debt expense account: the provision's roll-forward and its historical rates see every write-off."""

    _name = "credit.collection.writeoff"
    _description = "Write Off Invoices"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    reason = fields.Char("Write-off Reason", required=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    account_id = fields.Many2one(
        "account.account",
        string="Bad Debt Expense Account",
        compute="_compute_account_id",
        store=True,
        readonly=False,
        help="Charged with what the allowance does not cover.",
    )
    allowance_account_id = fields.Many2one(
        "account.account",
        compute="_compute_account_id",
        store=True,
        readonly=False,
        help="Allowance for doubtful accounts: used first, up to its balance at the write-off date.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        compute="_compute_account_id",
        store=True,
        readonly=False,
        domain="[('type', '=', 'general')]",
    )
    amount = fields.Monetary(compute="_compute_amount", currency_field="currency_id")
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "account.move" and "move_ids" in fields_list:
            values["move_ids"] = [Command.set(self.env.context.get("active_ids", []))]
        return values

    @api.depends("company_id")
    def _compute_account_id(self):
        for wizard in self:
            company = wizard.company_id
            wizard.account_id = company.collection_bad_debt_account_id
            wizard.allowance_account_id = company.collection_allowance_account_id
            wizard.journal_id = company.collection_writeoff_journal_id or self.env["account.journal"].search(
                [("company_id", "=", company.id), ("type", "=", "general")], limit=1
            )

    @api.depends("move_ids")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = sum(wizard.move_ids.mapped("amount_residual_signed"))

    def action_write_off(self):
        self.ensure_one()
        if not (self.env.su or self.env.user.has_group("credit_collection.group_credit_manager")):
            raise AccessError(self.env._("Only credit managers write off invoices."))
        if not (self.account_id or self.allowance_account_id):
            raise UserError(
                self.env._(
                    "No bad-debt account (and no allowance account): set the Bad Debt Expense Account and the "
                    "Allowance Account of %(company)s in %(where)s (or on this form) before writing off invoices.",
                    company=self.company_id.name,
                    where=self.company_id._credit_where(self.env._("Late Fees and Write-offs")),
                )
            )
        if not self.journal_id:
            raise UserError(
                self.env._(
                    "No miscellaneous journal to post the write-off in: set the Write-off Journal of %(company)s in "
                    "%(where)s (or on this form).",
                    company=self.company_id.name,
                    where=self.company_id._credit_where(self.env._("Late Fees and Write-offs")),
                )
            )
        for move in self.move_ids:
            if move.move_type != "out_invoice" or move.state != "posted" or move.company_id != self.company_id:
                raise UserError(
                    self.env._(
                        "Only posted customer invoices of %(company)s can be written off (got %(move)s).",
                        company=self.company_id.name,
                        move=move.display_name,
                    )
                )
            if move.amount_residual <= 0:
                raise UserError(self.env._("%(move)s has nothing left to write off.", move=move.name))
        available = self._allowance_available()
        needed = sum(self.move_ids.mapped("amount_residual_signed"))
        if not self.account_id and self.currency_id.compare_amounts(needed, available) > 0:
            raise UserError(
                self.env._(
                    "The allowance holds %(available)s at %(date)s but the write-off needs %(needed)s: set a bad-debt "
                    "expense account (Credit & Collection settings of %(company)s, or this form) for the rest.",
                    available=self.currency_id.format(available),
                    date=self.date,
                    needed=self.currency_id.format(needed),
                    company=self.company_id.name,
                )
            )
        entries = self.env["account.move"]
        for move in self.move_ids:
            entry = self._write_off(move, available)
            available -= sum(
                entry.line_ids.filtered(lambda e: e.account_id == self.allowance_account_id).mapped("balance")
            )
            entries |= entry
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", entries.ids)],
            "name": self.env._("Write-offs"),
        }

    def _allowance_available(self):
        """Credit balance of the allowance account at the write-off date (what was provided)."""
        if not self.allowance_account_id:
            return 0.0
        ledger = self.env["credit.provision.run"]._allowance_ledger(
            self.allowance_account_id, self.company_id, self.date
        )
        return max(self.currency_id.round(ledger[0]), 0.0)

    def _write_off(self, move, available):
        receivables = move.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        ).sorted("id")
        label = self.env._("Write-off of %(move)s: %(reason)s", move=move.name, reason=self.reason)
        partner = move.commercial_partner_id.id
        lines = [
            Command.create(
                {
                    "partner_id": partner,
                    "currency_id": line.currency_id.id,
                    "name": label,
                    "account_id": line.account_id.id,
                    "balance": -line.amount_residual,
                    "amount_currency": -line.amount_residual_currency,
                }
            )
            for line in receivables
        ]
        cur = self.currency_id
        amount = cur.round(sum(receivables.mapped("amount_residual")))
        from_allowance = min(amount, available) if self.allowance_account_id else 0.0
        for account, part in ((self.allowance_account_id, from_allowance), (self.account_id, amount - from_allowance)):
            if not cur.is_zero(part):
                lines.append(
                    Command.create(
                        {
                            "partner_id": partner,
                            "currency_id": cur.id,
                            "name": label,
                            "account_id": account.id,
                            "balance": cur.round(part),
                            "amount_currency": cur.round(part),
                        }
                    )
                )
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": self.journal_id.id,
                "company_id": self.company_id.id,
                "date": self.date,
                "ref": label,
                "line_ids": lines,
            }
        )
        entry.action_post()
        # match by line, not by account and amount: equal instalments have equal amounts
        counterparts = entry.line_ids.sorted("id")[: len(receivables)]
        for line, counterpart in zip(receivables, counterparts, strict=True):
            (line | counterpart).reconcile()
        move.sudo().collection_writeoff_move_id = entry  # checked above: a credit manager
        message = self.env._(
            "%(move)s written off (%(amount)s: %(allowance)s to the allowance, %(expense)s to bad-debt expense) "
            "on %(date)s by %(user)s: %(reason)s",
            move=move.name,
            amount=cur.format(amount),
            allowance=cur.format(from_allowance),
            expense=cur.format(amount - from_allowance),
            date=format_date(self.env, self.date),
            user=self.env.user.name,
            reason=self.reason,
        )
        move.message_post(body=message)
        move.commercial_partner_id.message_post(body=message)
        return entry
