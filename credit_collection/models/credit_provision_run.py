"""Provision for doubtful debts (坏账准备): the provision matrix applied to the aging at a date.

required allowance = Σ over buckets max(0, open amount of the bucket) × bucket rate
                   + Σ over specifically assessed items (customer or invoice) residual × specific rate
The items of a specific provision leave the matrix. The run compares the required allowance with
the allowance account's balance at the date and, on approval, posts ONE balanced entry for the
difference: Dr credit-impairment expense / Cr allowance (or the reverse when the allowance is too
high). One posted run per company and month. Amounts come from the aging engine.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, date_utils, format_amount


class CreditProvisionRun(models.Model):
    _name = "credit.provision.run"
    _description = "Provision for doubtful debts"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, default=lambda self: date_utils.end_of(fields.Date.context_today(self), "month"))
    period = fields.Char(compute="_compute_name", store=True, help="Month of the run (YYYY-MM).")
    bucket_set_id = fields.Many2one(
        "credit.aging.bucket.set",
        required=True,
        default=lambda self: self.env["credit.aging.engine"]._default_bucket_set(),
    )
    journal_id = fields.Many2one(
        "account.journal",
        check_company=True,
        domain="[('type', '=', 'general')]",
        default=lambda self: self._last_run_value("journal_id"),
    )
    expense_account_id = fields.Many2one(
        "account.account",
        "Impairment expense account",
        check_company=True,
        default=lambda self: self._last_run_value("expense_account_id"),
    )
    allowance_account_id = fields.Many2one(
        "account.account",
        "Allowance account",
        check_company=True,
        default=lambda self: (
            self._last_run_value("allowance_account_id") or self.env.company.collection_allowance_account_id
        ),
        help="Allowance for doubtful accounts (contra-asset, not a receivable account).",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("computed", "Computed"), ("posted", "Posted"), ("cancel", "Cancelled")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    line_ids = fields.One2many("credit.provision.run.line", "run_id", copy=False)
    receivable_amount = fields.Monetary("Open receivables", readonly=True, copy=False)
    matrix_amount = fields.Monetary("Matrix allowance", readonly=True, copy=False)
    specific_amount = fields.Monetary("Specific allowance", readonly=True, copy=False)
    required_amount = fields.Monetary("Required allowance", readonly=True, copy=False, tracking=True)
    balance_amount = fields.Monetary("Allowance balance", readonly=True, copy=False, help="At the run's date.")
    adjustment_amount = fields.Monetary(
        "Adjustment", readonly=True, copy=False, tracking=True, help="Required - balance: > 0 charge, < 0 release."
    )
    move_id = fields.Many2one("account.move", "Adjustment entry", readonly=True, copy=False, check_company=True)
    # roll-forward of the allowance over the run's month
    opening_amount = fields.Monetary("Opening", compute="_compute_roll_forward")
    charge_amount = fields.Monetary("Charge / release", compute="_compute_roll_forward")
    write_off_amount = fields.Monetary("Write-offs", compute="_compute_roll_forward")
    recovery_amount = fields.Monetary("Recoveries", compute="_compute_roll_forward")
    closing_amount = fields.Monetary("Closing", compute="_compute_roll_forward")

    def init(self):
        # one posted run per company and month, even when two managers post at the same instant
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS credit_provision_run_posted_period_uniq"
                " ON credit_provision_run (company_id, period) WHERE state = 'posted'"
            )
        )

    # figures and state only change through compute / post, never by a plain write (RPC, import)
    _PROTECTED = frozenset(
        {
            "state",
            "move_id",
            "line_ids",
            "receivable_amount",
            "matrix_amount",
            "specific_amount",
            "required_amount",
            "balance_amount",
            "adjustment_amount",
        }
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                protected = self._PROTECTED & {key for key, value in vals.items() if value}
                if protected - {"state"} or vals.get("state", "draft") != "draft":
                    raise UserError(
                        self.env._(
                            "A provision run starts as a draft: Compute and Approve & Post fill %(fields)s.",
                            fields=", ".join(sorted(protected)),
                        )
                    )
        return super().create(vals_list)

    def write(self, vals):
        # compute / post / cancel write the figures as superuser after checking who calls; any other
        # caller (RPC, import, whatever context it sets) only edits the draft's parameters
        if not self.env.su:
            protected = self._PROTECTED & set(vals)
            if protected:
                raise UserError(
                    self.env._(
                        "Use Compute / Approve & Post to change %(fields)s of a provision run.",
                        fields=", ".join(sorted(protected)),
                    )
                )
            if any(run.state == "posted" for run in self):
                raise UserError(self.env._("A posted provision run cannot be changed; cancel its entry first."))
        return super().write(vals)

    def unlink(self):
        if any(run.state == "posted" for run in self):
            raise UserError(self.env._("A posted provision run cannot be deleted."))
        return super().unlink()

    def _last_run_value(self, field_name):
        last = self.search([("company_id", "=", self.env.company.id), (field_name, "!=", False)], limit=1)
        return last[field_name]

    @api.depends("company_id", "date")
    def _compute_name(self):
        # a stored name is read by everyone and printed on the entry: in the company's language, not
        # in the language of whoever happened to create the run
        for run in self:
            run.period = run.date and run.date.strftime("%Y-%m")
            lang = run.company_id.partner_id.lang or self.env.lang
            run.name = run.with_context(lang=lang).env._("Provision %(period)s", period=run.period or "")

    # ------------------------------------------------------------------ checks
    def _check_ready(self):
        for run in self:
            missing = [
                label
                for label, value in (
                    (self.env._("an allowance account"), run.allowance_account_id),
                    (self.env._("an impairment expense account"), run.expense_account_id),
                    (self.env._("a journal"), run.journal_id),
                )
                if not value
            ]
            if missing:
                raise UserError(
                    self.env._(
                        "Provision run %(name)s needs %(missing)s before it can be computed or posted.",
                        name=run.name,
                        missing=", ".join(missing),
                    )
                )
            if run.allowance_account_id.account_type == "asset_receivable":
                raise UserError(
                    self.env._(
                        "The allowance account %(account)s is a receivable account: choose a contra-asset account, "
                        "otherwise the allowance would appear in the aging.",
                        account=run.allowance_account_id.display_name,
                    )
                )

    def _posted_twin(self):
        self.ensure_one()
        return self.search(
            [
                ("id", "!=", self.id),
                ("company_id", "=", self.company_id.id),
                ("period", "=", self.period),
                ("state", "=", "posted"),
            ],
            limit=1,
        )

    def _posted_later(self):
        """A posted run of the same company dated after this one (posting out of order would leave
        the allowance at the later date at this run's figure)."""
        self.ensure_one()
        return self.search(
            [
                ("id", "!=", self.id),
                ("company_id", "=", self.company_id.id),
                ("date", ">", self.date),
                ("state", "=", "posted"),
            ],
            order="date desc",
            limit=1,
        )

    # ------------------------------------------------------------------ computation
    def _items(self):
        """Open items at the run's date, each with its specific rate (None = matrix)."""
        self.ensure_one()
        engine = self.env["credit.aging.engine"]
        items = engine.get_items(as_of=self.date, bucket_set=self.bucket_set_id, companies=self.company_id)
        specifics = self.env["credit.provision.specific"].search([("company_id", "=", self.company_id.id)])
        by_move = {s.move_id.id: s for s in specifics if s.move_id}
        by_partner = {s.partner_id.id: s for s in specifics if not s.move_id}
        for item in items:
            spec = by_move.get(item["move_id"]) or by_partner.get(item["partner_id"])
            item["specific"] = spec
        return items

    def _grade_rates(self):
        """{(bucket id, grade id): rate} of the bucket set's per-grade rates for the run's company."""
        self.ensure_one()
        return {
            (line.bucket_id.id, line.grade_id.id): line.rate
            for line in self.bucket_set_id.grade_rate_ids
            if line.company_id == self.company_id
        }

    def _matrix_rate(self, bucket, grade_id, grade_rates=None):
        """Rate (%) of the matrix for an item of `bucket` whose customer has grade `grade_id` (None
        without a grade): the bucket set's rate for that grade, else the bucket's own rate."""
        grade_rates = self._grade_rates() if grade_rates is None else grade_rates
        return grade_rates.get((bucket.id, grade_id), bucket.provision_rate)

    def _item_rate(self, item, grade_rates=None):
        """Rate (%) applied to one open item of `_items`: its specific provision's, else the matrix's."""
        if item["specific"]:
            return item["specific"].rate
        if not item["bucket_id"]:
            return 0.0
        bucket = self.env["credit.aging.bucket"].browse(item["bucket_id"])
        return self._matrix_rate(bucket, item["grade_id"], grade_rates)

    def _check_analyst(self):
        # compute and cancel write as superuser: the caller must be credit staff who prepare runs
        if not self.env.user.has_group("credit_collection.group_credit_analyst"):
            raise AccessError(self.env._("Only credit analysts and managers compute or cancel a provision run."))

    def action_compute(self):
        self._check_analyst()
        self._check_ready()
        for run in self:
            if run.state == "posted":
                raise UserError(self.env._("Run %(name)s is posted: it cannot be recomputed.", name=run.name))
            cur = run.currency_id
            buckets = run.bucket_set_id.bucket_ids.sorted("sequence")
            grade_rates = run._grade_rates()
            matrix = {b.id: {} for b in buckets}  # bucket -> grade -> open amount
            specific = {}
            total = 0.0
            for item in run._items():
                total += item["residual"]
                if item["specific"]:
                    key = item["specific"]
                    specific[key] = specific.get(key, 0.0) + item["residual"]
                elif item["bucket_id"] in matrix:
                    grades = matrix[item["bucket_id"]]
                    grades[item["grade_id"]] = grades.get(item["grade_id"], 0.0) + item["residual"]
            suggested = run._suggested_rates()
            lines = []
            for bucket in buckets:
                # with per-grade rates, one line per grade of the bucket (the allowance is taken per
                # grade: max(0, open amount of the grade) x its rate); else one line for the bucket
                per_grade = grade_rates and matrix[bucket.id] and any(b == bucket.id for b, _g in grade_rates)
                groups = [
                    (grade_id, amount)
                    for grade_id, amount in sorted(
                        matrix[bucket.id].items(), key=lambda kv: (kv[0] is not None, kv[0] or 0)
                    )
                    if per_grade and not cur.is_zero(amount)  # a grade whose items net to zero adds nothing
                ]
                if not groups:
                    per_grade = False
                    groups = [(None, sum(matrix[bucket.id].values()))]
                for grade_id, amount in groups:
                    balance = cur.round(amount)
                    rate = run._matrix_rate(bucket, grade_id, grade_rates)
                    lines.append(
                        {
                            "bucket_id": bucket.id,
                            "grade_id": grade_id if per_grade else False,
                            "balance": balance,
                            "rate": rate,
                            "suggested_rate": suggested.get(bucket.id, {}).get("rate"),
                            "cohort_count": suggested.get(bucket.id, {}).get("count", 0),
                            "cohort_amount": suggested.get(bucket.id, {}).get("amount", 0.0),
                            "allowance": cur.round(max(balance, 0.0) * rate / 100.0),
                        }
                    )
            for spec, amount in specific.items():
                balance = cur.round(amount)
                lines.append(
                    {
                        "specific_id": spec.id,
                        "balance": balance,
                        "rate": spec.rate,
                        "allowance": cur.round(max(balance, 0.0) * spec.rate / 100.0),
                    }
                )
            matrix_amount = cur.round(sum(v["allowance"] for v in lines if v.get("bucket_id")))
            specific_amount = cur.round(sum(v["allowance"] for v in lines if v.get("specific_id")))
            required = cur.round(matrix_amount + specific_amount)
            balance = run._allowance_balance(run.date)
            run.sudo().line_ids.unlink()
            run.sudo().write(
                {
                    "line_ids": [fields.Command.create(v) for v in lines],
                    "receivable_amount": cur.round(total),
                    "matrix_amount": matrix_amount,
                    "specific_amount": specific_amount,
                    "required_amount": required,
                    "balance_amount": balance,
                    "adjustment_amount": cur.round(required - balance),
                    "state": "computed",
                }
            )
        return True

    def _allowance_balance(self, as_of, date_from=None, moves=None, exclude_moves=None):
        """Credit balance of the allowance account (positive = allowance held), posted items."""
        self.ensure_one()
        self.env.flush_all()
        conditions = [
            SQL("aml.account_id = %s", self.allowance_account_id.id),
            SQL("aml.company_id = %s", self.company_id.id),
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
        net, debit, credit = self.env.cr.fetchone()
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

    # ------------------------------------------------------------------ suggested rates (cohort)
    def _suggested_rates(self):
        """Historical loss rate per bucket, cohort method (shared/domain.md):
        eventual loss of a cohort ÷ the part of it still unpaid on entering the bucket.
        Returns {bucket id: {"rate": % or None, "count": invoices still unpaid on entering the
        bucket, "amount": their unpaid amount}}: the evidence the rate rests on.

        Cohort: the customer invoices (debit items) that entered the last bucket within the twelve
        months before the run's date (so they have fully aged). Paid = settled by any counterpart
        but a write-off; a write-off is a counterpart whose entry touches the allowance account
        (Dr allowance / Cr receivable). Lost = amount still open at the date + amounts written off.
        Entering a bucket = reaching its lower bound (days past due, or started years)."""
        self.ensure_one()
        buckets = self.bucket_set_id.bucket_ids
        last = buckets.filtered(lambda b: not b.has_max)
        if not buckets or not last or not self.allowance_account_id:
            return {}
        years = self.bucket_set_id.unit == "years"
        start = SQL("COALESCE(m.invoice_date, aml.date)") if years else SQL("COALESCE(aml.date_maturity, aml.date)")

        # the first day at which an item's age reaches the bucket's lower bound
        if years:
            entry = SQL("(c.start + make_interval(years => GREATEST(b.min_value - 1, 0)) + interval '1 day')::date")
        else:
            entry = SQL("(c.start + b.min_value)")

        last_entry_cutoff = SQL(
            "(%s::date - make_interval(years => GREATEST(%s - 1, 0)) - interval '1 day')::date"
            if years
            else "(%s::date - %s)",
            self.date,
            last.min_value,
        )
        self.env.flush_all()
        query = SQL(
            """
            WITH cohort AS (
                SELECT aml.id, aml.balance, %(start)s AS start
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN account_move m ON m.id = aml.move_id
                 WHERE aml.parent_state = 'posted' AND acc.account_type = 'asset_receivable'
                   AND aml.company_id = %(company_id)s AND aml.balance > 0
                   AND %(start)s <= %(cutoff)s
                   AND %(start)s > (%(cutoff)s - interval '1 year')::date
            ),
            settled AS (
                -- what paid the cohort by the run's date; a write-off is a loss, not a payment:
                -- the write-off wizard's entries, and any entry touching the allowance account
                SELECT c.id AS item_id, apr.max_date, apr.amount
                  FROM cohort c
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = c.id AND apr.max_date <= %(as_of)s
                  JOIN account_move_line cr ON cr.id = apr.credit_move_id
                 WHERE NOT EXISTS (SELECT 1 FROM account_move_line o
                                    WHERE o.move_id = cr.move_id AND o.account_id = %(allowance)s)
                   AND NOT EXISTS (SELECT 1 FROM account_move w
                                    WHERE w.collection_writeoff_move_id = cr.move_id)
            ),
            totals AS (
                SELECT (SELECT COALESCE(SUM(balance), 0) FROM cohort) AS balance,
                       (SELECT COALESCE(SUM(amount), 0) FROM settled) AS paid
            ),
            per_item AS (
                -- unpaid part of each cohort invoice on entering each bucket: one pass over
                -- buckets x (invoices joined to their own payments)
                SELECT b.id AS bucket_id,
                       c.balance - COALESCE(SUM(p.amount) FILTER (WHERE p.max_date < %(entry)s), 0) AS unpaid
                  FROM credit_aging_bucket b
                  CROSS JOIN cohort c
                  LEFT JOIN settled p ON p.item_id = c.id
                 WHERE b.set_id = %(set_id)s
                 GROUP BY b.id, c.id, c.balance, c.start
            )
            -- lost (the same for every bucket) = cohort - paid; the rate rests on the invoices still
            -- unpaid on entering the bucket and on their unpaid amount
            SELECT b.id,
                   t.balance - t.paid AS lost,
                   COALESCE(SUM(i.unpaid), 0) AS unpaid,
                   COUNT(i.unpaid) FILTER (WHERE i.unpaid > 0) AS invoices
              FROM credit_aging_bucket b
              CROSS JOIN totals t
              LEFT JOIN per_item i ON i.bucket_id = b.id
             WHERE b.set_id = %(set_id)s
             GROUP BY b.id, t.balance, t.paid
            """,
            start=start,
            company_id=self.company_id.id,
            cutoff=last_entry_cutoff,
            allowance=self.allowance_account_id.id,
            as_of=self.date,
            # the open-below first bucket is entered at once: its denominator is the whole sale
            entry=SQL("CASE WHEN b.has_min THEN %s ELSE c.start - 36500 END", entry),
            set_id=self.bucket_set_id.id,
        )
        self.env.cr.execute(query)
        cur = self.currency_id
        return {
            bucket_id: {
                "rate": round(100.0 * lost / unpaid, 2) if unpaid > 0 else None,
                "count": invoices,
                "amount": cur.round(unpaid),
            }
            for bucket_id, lost, unpaid, invoices in self.env.cr.fetchall()
        }

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

    def _format_amount(self, amount):
        return format_amount(self.env, amount, self.currency_id)

    def action_cancel(self):
        self._check_analyst()
        for run in self:
            if run.state == "posted" and not self.env.user.has_group("credit_collection.group_credit_manager"):
                raise AccessError(self.env._("Only a credit manager cancels a posted provision run."))
            if run.move_id and run.move_id.state == "posted":
                raise UserError(
                    self.env._(
                        "Reverse or reset entry %(move)s before cancelling run %(name)s.",
                        move=run.move_id.name,
                        name=run.name,
                    )
                )
            run.sudo().state = "cancel"
        return True

    def action_export_xlsx(self):
        self.ensure_one()
        return self.env["credit.provision.xlsx"]._action(self)

    def action_print(self):
        return self.env.ref("credit_collection.credit_provision_run_pdf").report_action(self)


class CreditProvisionRunLine(models.Model):
    _name = "credit.provision.run.line"
    _description = "Provision run line"
    _order = "run_id, sequence, id"

    run_id = fields.Many2one("credit.provision.run", required=True, ondelete="cascade", index=True)
    currency_id = fields.Many2one(related="run_id.currency_id")
    bucket_id = fields.Many2one("credit.aging.bucket")
    grade_id = fields.Many2one("credit.grade", help="Set when the bucket set has rates per grade.")
    specific_id = fields.Many2one("credit.provision.specific", "Specific provision")
    sequence = fields.Integer(related="bucket_id.sequence", store=True)
    name = fields.Char(compute="_compute_name")
    balance = fields.Monetary("Open amount")
    rate = fields.Float("Rate (%)", digits=(16, 4))
    suggested_rate = fields.Float("Historical rate (%)", digits=(16, 2), help="Cohort method, see the documentation.")
    cohort_count = fields.Integer(
        "Cohort invoices", help="Invoices of the cohort still unpaid on entering the bucket: what the rate rests on."
    )
    cohort_amount = fields.Monetary("Cohort amount", help="Their unpaid amount on entering the bucket.")
    rate_evidence = fields.Char("Evidence", compute="_compute_rate_evidence")
    rate_low_data = fields.Boolean(
        "Too little data", compute="_compute_rate_evidence", help="Fewer cohort invoices than the company's minimum."
    )

    @api.depends("cohort_count", "cohort_amount", "suggested_rate", "bucket_id")
    def _compute_rate_evidence(self):
        for line in self:
            line.rate_low_data = bool(line.bucket_id) and (
                line.cohort_count < line.run_id.company_id.credit_provision_min_cohort or not line.cohort_count
            )
            if not line.bucket_id:
                line.rate_evidence = False
            elif not line.cohort_count:
                line.rate_evidence = self.env._("no history")
            elif line.cohort_count < line.run_id.company_id.credit_provision_min_cohort:
                line.rate_evidence = self.env._("too little data (invoices: %(count)s)", count=line.cohort_count)
            else:
                line.rate_evidence = self.env._("%(count)s invoices", count=line.cohort_count)

    allowance = fields.Monetary("Required allowance")

    @api.depends("bucket_id", "grade_id", "specific_id")
    def _compute_name(self):
        for line in self:
            if line.specific_id:
                line.name = self.env._("Specific: %(name)s", name=line.specific_id.display_name)
            elif line.grade_id:
                line.name = self.env._(
                    "%(bucket)s, grade %(grade)s", bucket=line.bucket_id.name, grade=line.grade_id.name
                )
            elif line.run_id.line_ids.filtered(lambda o, line=line: o.bucket_id == line.bucket_id and o.grade_id):
                line.name = self.env._("%(bucket)s, no grade", bucket=line.bucket_id.name)
            else:
                line.name = line.bucket_id.name or ""
