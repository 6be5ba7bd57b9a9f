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

from ..replica import primary


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
        default=lambda self: (
            self._last_run_value("journal_id")
            or self.env.company.collection_writeoff_journal_id
            or self.env["account.journal"].search(
                [("company_id", "=", self.env.company.id), ("type", "=", "general")], limit=1
            )
        ),
    )
    expense_account_id = fields.Many2one(
        "account.account",
        "Impairment expense account",
        check_company=True,
        default=lambda self: (
            self._last_run_value("expense_account_id") or self.env.company.collection_bad_debt_account_id
        ),
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

    @api.ondelete(at_uninstall=False)
    def _unlink_except_posted(self):
        if any(run.state == "posted" for run in self):
            raise UserError(self.env._("A posted provision run cannot be deleted."))

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
                        "Provision run %(name)s needs %(missing)s before it can be computed or posted: choose them "
                        "on the run. New runs propose the accounts and journal of the last run, else the Allowance "
                        "Account, Bad Debt Expense Account and Write-off Journal of %(where)s.",
                        name=run.name,
                        missing=", ".join(missing),
                        where=run.company_id._credit_where(self.env._("Late Fees and Write-offs")),
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

    def _aggregates(self):
        """The open items at the run's date summed in the database, as
        [(specific provision id or None, bucket id, grade id, open amount)]: the run reads a few
        rows whatever the number of open items (memory stays flat at 100 000 invoices). The same
        assignment as `_items` (which the XLSX items sheet lists): an invoice's own specific
        provision, else its customer's, else the matrix."""
        self.ensure_one()
        engine = self.env["credit.aging.engine"]
        engine._check_reader()
        self.env.flush_all()
        items = engine._items_query(as_of=self.date, bucket_set=self.bucket_set_id, companies=self.company_id)
        engine._without_jit()
        self.env.cr.execute(
            SQL(
                """
                WITH spec AS (
                    SELECT id, move_id, partner_id
                      FROM credit_provision_specific
                     WHERE company_id = %(company_id)s AND active
                ),
                -- one provision per invoice / customer: the latest, as `_items` keeps it
                by_move AS (
                    SELECT DISTINCT ON (move_id) move_id, id FROM spec
                     WHERE move_id IS NOT NULL ORDER BY move_id, id DESC
                ),
                by_partner AS (
                    SELECT DISTINCT ON (partner_id) partner_id, id FROM spec
                     WHERE move_id IS NULL ORDER BY partner_id, id DESC
                )
                SELECT COALESCE(bm.id, bp.id) AS specific_id, i.bucket_id, i.grade_id, SUM(i.residual)
                  FROM (%(items)s) i
                  LEFT JOIN by_move bm ON bm.move_id = i.move_id
                  LEFT JOIN by_partner bp ON bp.partner_id = i.partner_id
                 GROUP BY 1, 2, 3
                 ORDER BY 1 NULLS FIRST, 2, 3
                """,
                company_id=self.company_id.id,
                items=items,
            )
        )
        return [(spec, bucket, grade, float(amount)) for spec, bucket, grade, amount in self.env.cr.fetchall()]

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
            Specific = self.env["credit.provision.specific"]
            for specific_id, bucket_id, grade_id, residual in run._aggregates():
                total += residual
                if specific_id:
                    key = Specific.browse(specific_id)
                    specific[key] = specific.get(key, 0.0) + residual
                elif bucket_id in matrix:
                    grades = matrix[bucket_id]
                    grades[grade_id] = grades.get(grade_id, 0.0) + residual
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

    @primary
    def web_read(self, specification):
        # the form reloads right after Compute, Post or Cancel: a replica could still show the figures
        # from before (replication lag), so the run is read on the primary
        return super().web_read(specification)
