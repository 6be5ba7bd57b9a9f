from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

# Fields that only credit managers may change: the segregation of duties the users asked for.
CREDIT_CONTROLLED_FIELDS = ("credit_limit", "credit_hold", "credit_hold_reason")
# The credit file's results: written by an approved review (or a credit manager), never by others.
CREDIT_FILE_FIELDS = ("credit_grade_id", "credit_score", "credit_last_review_date", "credit_next_review_date")


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Odoo's own limit, per company; we only add chatter tracking to it.
    credit_limit = fields.Float(tracking=True)
    credit_hold = fields.Boolean(
        company_dependent=True,
        copy=False,
        tracking=True,
        help="Stop supply: orders of this customer are refused in this company until the hold is lifted.",
    )
    credit_hold_reason = fields.Char(
        string="Hold Reason",
        company_dependent=True,
        copy=False,
        tracking=True,
    )
    credit_currency_id = fields.Many2one("res.currency", compute="_compute_credit_position")
    credit_limit_effective = fields.Monetary(
        string="Effective Credit Limit",
        compute="_compute_credit_position",
        currency_field="credit_currency_id",
        help="The customer's own limit, or the company default when it has none. 0 = no limit.",
    )
    credit_exposure = fields.Monetary(
        compute="_compute_credit_position",
        currency_field="credit_currency_id",
        help="Open receivables + draft invoices + confirmed orders not yet invoiced, in company currency.",
    )
    credit_exposure_receivable = fields.Monetary(
        string="Open Receivables", compute="_compute_credit_position", currency_field="credit_currency_id"
    )
    credit_exposure_draft = fields.Monetary(
        string="Draft Invoices", compute="_compute_credit_position", currency_field="credit_currency_id"
    )
    credit_exposure_orders = fields.Monetary(
        string="Orders Not Invoiced", compute="_compute_credit_position", currency_field="credit_currency_id"
    )
    credit_available = fields.Monetary(
        string="Available Credit", compute="_compute_credit_position", currency_field="credit_currency_id"
    )
    credit_overdue_amount = fields.Monetary(
        string="Overdue Amount", compute="_compute_credit_position", currency_field="credit_currency_id"
    )
    credit_oldest_overdue_days = fields.Integer(string="Oldest Overdue (days)", compute="_compute_credit_position")
    credit_oldest_overdue_move = fields.Char(
        string="Oldest Overdue Invoice", compute="_compute_credit_oldest_overdue_move"
    )
    credit_has_limit = fields.Boolean(compute="_compute_credit_position")
    credit_temporary_limit = fields.Monetary(
        string="Temporary Increase",
        compute="_compute_credit_position",
        currency_field="credit_currency_id",
        help="Temporary limit increases running today, included in the effective limit.",
    )
    credit_temporary_limit_ids = fields.One2many(
        "credit.limit.temporary", "partner_id", string="Temporary Limit Increases", context={"active_test": False}
    )
    credit_can_manage = fields.Boolean(compute="_compute_credit_can_manage")

    # --- Credit file (grades, reviews, guarantees) ---
    # Per company, like Odoo's credit_limit: a customer may be graded A in one company and C in another.
    credit_grade_id = fields.Many2one("credit.grade", company_dependent=True, tracking=True, copy=False)
    credit_score = fields.Float(company_dependent=True, tracking=True, copy=False)
    credit_last_review_date = fields.Date(string="Last Credit Review", company_dependent=True, copy=False)
    credit_next_review_date = fields.Date(
        string="Next Credit Review", company_dependent=True, tracking=True, copy=False
    )
    credit_review_needed = fields.Boolean(company_dependent=True, copy=False)
    credit_review_reasons = fields.Text(string="Why a Review Is Needed", company_dependent=True, copy=False)
    credit_warning_codes = fields.Char(company_dependent=True, copy=False)  # signals already notified
    credit_warning_checked_on = fields.Date(company_dependent=True, copy=False)  # the warning cron's bookmark
    credit_limit_changed_on = fields.Date(string="Limit Changed On", company_dependent=True, copy=False)
    credit_analyst_id = fields.Many2one(
        "res.users",
        company_dependent=True,
        tracking=True,
        help="Receives review and warning activities for this customer.",
    )
    credit_review_ids = fields.One2many("credit.review", "partner_id", string="Credit Reviews")
    credit_guarantee_ids = fields.One2many("credit.guarantee", "partner_id", string="Guarantees")
    credit_guarantee_amount = fields.Monetary(
        string="Guarantees Securing Credit",
        compute="_compute_credit_file",
        currency_field="credit_currency_id",
        help="Valid guarantees of types that secure credit: added to the limit.",
    )
    credit_base_limit = fields.Monetary(
        string="Limit Before Guarantees", compute="_compute_credit_file", currency_field="credit_currency_id"
    )
    credit_review_count = fields.Integer(compute="_compute_credit_file")

    @api.depends_context("uid")
    def _compute_credit_can_manage(self):
        self.credit_can_manage = self._is_credit_manager()

    @api.depends_context("company")
    def _compute_credit_position(self):
        company = self.env.company
        today = fields.Date.context_today(self)
        exposures = self.env["credit.exposure"].sudo()._get_exposures(self.commercial_partner_id, company)
        for partner in self:
            exp = exposures.get(partner.commercial_partner_id.id)
            partner.credit_currency_id = company.currency_id
            if not exp:  # a new partner, not in the database yet
                partner.update(
                    {
                        "credit_limit_effective": 0.0,
                        "credit_exposure": 0.0,
                        "credit_exposure_receivable": 0.0,
                        "credit_exposure_draft": 0.0,
                        "credit_exposure_orders": 0.0,
                        "credit_available": 0.0,
                        "credit_overdue_amount": 0.0,
                        "credit_oldest_overdue_days": 0,
                        "credit_has_limit": False,
                        "credit_temporary_limit": 0.0,
                    }
                )
                continue
            partner.credit_limit_effective = exp.limit
            partner.credit_has_limit = exp.has_limit
            partner.credit_temporary_limit = exp.extra.get("temporary_limit", 0.0)
            partner.credit_exposure = exp.total
            partner.credit_exposure_receivable = exp.receivable
            partner.credit_exposure_draft = exp.draft_invoices
            partner.credit_exposure_orders = exp.open_orders
            partner.credit_available = exp.available
            partner.credit_overdue_amount = exp.overdue_amount
            partner.credit_oldest_overdue_days = (today - exp.oldest_due_date).days if exp.oldest_due_date else 0

    @api.depends_context("company")
    def _compute_credit_oldest_overdue_move(self):
        # apart from the position: one lookup, made only where the name is shown (the form)
        company = self.env.company
        engine = self.env["credit.exposure"].sudo()
        today = fields.Date.context_today(self)
        for partner in self:
            partner_id = partner.commercial_partner_id._origin.id
            name = partner_id and engine._oldest_open_item(partner_id, company, today)
            partner.credit_oldest_overdue_move = name or False

    # ------------------------------------------------------------------
    # Guards: who may change limits and holds, and what values are valid
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_credit_values(vals, self.browse())
        return super().create(vals_list)

    def write(self, vals):
        self._check_credit_values(vals, self)
        if "credit_limit" in vals:  # remembered for the "limit unchanged" early warning
            changed = self.filtered(lambda p: p.credit_limit != (vals["credit_limit"] or 0.0))
            res = super().write(vals)
            if changed:
                super(ResPartner, changed).write({"credit_limit_changed_on": fields.Date.context_today(self)})
            return res
        return super().write(vals)

    @api.model
    def _is_credit_manager(self):
        return self.env.su or self.env.user.has_group("credit_collection.group_credit_manager")

    def _check_credit_values(self, vals, partners):
        self._check_credit_file_values(vals, partners)
        touched = [f for f in CREDIT_CONTROLLED_FIELDS if f in vals]
        if not touched:
            return
        if "credit_limit" in vals and (vals["credit_limit"] or 0.0) < 0:
            raise UserError(
                self.env._(
                    "A credit limit cannot be negative (got %(amount)s). Set 0 for no limit, or put the "
                    "customer on credit hold to stop all orders.",
                    amount=vals["credit_limit"],
                )
            )
        if partners:
            changed = any((p[fname] or False) != (vals[fname] or False) for p in partners for fname in touched)
        else:
            # The form sends every field on create: only values other than the defaults count.
            default_limit = self._fields["credit_limit"].get_company_dependent_fallback(self) or 0.0
            changed = (
                ("credit_limit" in vals and (vals["credit_limit"] or 0.0) != default_limit)
                or bool(vals.get("credit_hold"))
                or bool(vals.get("credit_hold_reason"))
            )
        if changed and not self._is_credit_manager():
            raise AccessError(
                self.env._(
                    "Only credit managers can change credit limits and credit holds (%(fields)s). "
                    "Ask a credit manager, or request a credit approval on the order.",
                    fields=", ".join(self._fields[f].string for f in touched),
                )
            )
        for partner in partners or [None]:
            hold = vals["credit_hold"] if "credit_hold" in vals else bool(partner and partner.credit_hold)
            if "credit_hold_reason" in vals:
                reason = vals["credit_hold_reason"]
            else:
                reason = partner.credit_hold_reason if partner else ""
            if hold and not (reason or "").strip():
                raise UserError(
                    self.env._(
                        "Putting %(customer)s on credit hold needs a reason (for the customer's file "
                        "and for the sales team). Fill in the hold reason and save again.",
                        customer=partner.display_name if partner else vals.get("name", ""),
                    )
                )

    def action_view_credit_approvals(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_collection.credit_approval_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Credit file
    # ------------------------------------------------------------------
    @api.depends_context("company")
    def _compute_credit_file(self):
        company = self.env.company
        exposures = self.env["credit.exposure"].sudo()._get_exposures(self.commercial_partner_id, company)
        # a count only (sales staff may see the number of reviews, not their content)
        counts = dict(
            self.env["credit.review"]
            .sudo()
            ._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", company.id)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            exp = exposures.get(partner.commercial_partner_id.id)
            partner.credit_guarantee_amount = exp.extra["guarantee_secured"] if exp else 0.0
            partner.credit_base_limit = exp.extra["base_limit"] if exp else 0.0
            partner.credit_review_count = counts.get(partner.commercial_partner_id, 0)

    def _check_credit_file_values(self, vals, partners):
        touched = [f for f in CREDIT_FILE_FIELDS if f in vals]
        if not touched or self._is_credit_manager():
            return
        changed = any((p[f] or False) != (vals[f] or False) for p in partners for f in touched) or (
            not partners and any(vals[f] for f in touched)
        )
        if changed:
            raise AccessError(
                self.env._(
                    "Only credit managers change a customer's grade, score and review dates (%(fields)s): "
                    "they come from an approved credit review.",
                    fields=", ".join(self._fields[f].string for f in touched),
                )
            )

    def _credit_analyst(self):
        """Who gets the credit activities of this customer in the current company."""
        self.ensure_one()
        if self.credit_analyst_id:
            return self.credit_analyst_id
        last = (
            self.env["credit.review"]
            .sudo()
            .search(
                [("partner_id", "=", self.commercial_partner_id.id), ("company_id", "=", self.env.company.id)],
                order="review_date desc, id desc",
                limit=1,
            )
        )
        if last.user_id.active:
            return last.user_id
        if self.env.company.credit_approver_id:
            return self.env.company.credit_approver_id
        group = self.env.ref("credit_collection.group_credit_manager")
        managers = group.users.filtered(lambda u: self.env.company in u.company_ids and not u.share and u.active)
        return managers[:1] or self.env.user

    def action_new_credit_review(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Review"),
            "res_model": "credit.review",
            "view_mode": "form",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_view_credit_reviews(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_collection.credit_review_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    # ------------------------------------------------------------------
    # Collection stages (issue 4)
    # ------------------------------------------------------------------

    credit_collector_id = fields.Many2one(
        "res.users", string="Collector", tracking=True, help="Who chases this customer's overdue invoices."
    )
    collection_strategy_id = fields.Many2one(
        "credit.collection.strategy",
        company_dependent=True,
        tracking=True,
        help="Empty: the strategy of the customer's grade, else the company default.",
    )
    collection_broken_promise_count = fields.Integer(
        string="Broken Promises", readonly=True, copy=False, help="Promises to pay not kept (all time)."
    )
    collection_snooze_until = fields.Date(
        string="Snoozed Until", copy=False, help="The customer leaves the collector's worklist until this date."
    )

    def _collection_strategy(self):
        """The strategy applying to this customer in the current company: its own, else its grade's
        (when the grading addon part is installed), else the company default."""
        self.ensure_one()
        partner = self.commercial_partner_id
        if partner.collection_strategy_id:
            return partner.collection_strategy_id
        if "credit_grade_id" in partner._fields:
            grade = partner.credit_grade_id
            if "collection_strategy_id" in grade._fields and grade.collection_strategy_id:
                return grade.collection_strategy_id
        return self.env.company.collection_strategy_id

    @api.model
    def _collection_days_late_query(self, partner_ids, company, today):
        # partner_ids=None: every customer of the company (the cash-in forecast).
        # Amount-weighted average of (last payment date - due date) over the customer invoices fully
        # paid in the last 12 months; the payment date is the latest reconciliation of the receivable.
        return SQL(
            """
            WITH paid AS (
                SELECT m.commercial_partner_id AS partner_id,
                       m.amount_total_signed AS amount,
                       m.invoice_date_due AS due,
                       MAX(apr.max_date) AS paid_on
                  FROM account_move m
                  JOIN account_move_line aml ON aml.move_id = m.id AND aml.display_type = 'payment_term'
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                 WHERE m.company_id = %(company)s
                   AND m.move_type = 'out_invoice'
                   AND m.state = 'posted'
                   AND m.payment_state IN ('paid', 'in_payment')
                   AND %(partner_filter)s
                   AND m.collection_writeoff_move_id IS NULL
              GROUP BY m.id
            )
            SELECT partner_id, SUM(amount * (paid_on - due)) / NULLIF(SUM(amount), 0) AS days
              FROM paid
             WHERE paid_on > %(since)s AND paid_on <= %(today)s
          GROUP BY partner_id
            """,
            company=company.id,
            partner_filter=(
                SQL("TRUE") if partner_ids is None else SQL("m.commercial_partner_id = ANY(%s)", list(partner_ids))
            ),
            since=today - timedelta(days=365),
            today=today,
        )

    @api.model
    def _collection_days_late(self, partners, company, today=None):
        """{commercial partner id: average days late (float)} for partners with paid history."""
        if not partners:
            return {}
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(self._collection_days_late_query(partners.commercial_partner_id.ids, company, today))
        return {pid: float(days) for pid, days in self.env.cr.fetchall() if days is not None}

    def _collection_send_statement(self):
        """Email the customer its statement of account now: the statement PDF (open items with their
        age, this month's invoices and payments) attached to the statement email, as the
        statement wizard sends it to many customers at once."""
        self.ensure_one()
        wizard = self.env["credit.statement.wizard"].create(
            {"partner_ids": [Command.set(self.commercial_partner_id.ids)]}
        )
        return wizard.action_send()
