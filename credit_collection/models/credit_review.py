"""The credit archive: one review per customer and date, scored, proposed by an analyst and
decided by a credit manager who is not the analyst who submitted it."""

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

# Inputs the analyst types; frozen once the review is submitted.
FINANCIAL_FIELDS = (
    "revenue",
    "net_profit",
    "total_assets",
    "total_liabilities",
    "current_assets",
    "current_liabilities",
    "equity",
    "operating_cash_flow",
)
# Written only by the review's own methods (measure, score, submit, decide).
PROTECTED_FIELDS = {
    "state",
    "submitted_by_id",
    "submitted_on",
    "decided_by_id",
    "decided_on",
    "previous_limit",
    "previous_grade_id",
    "next_review_date",
    "measured_on",
    "sales_12m",
    "avg_days_late",
    "late_share",
    "late_share_has_data",
    "avg_days_late_has_data",
    "oldest_overdue_days",
    "exposure",
    "peak_exposure",
    "limit_at_review",
    "broken_promises",
    "disputes",
    "score",
    "computed_grade_id",
    "suggested_limit",
    "suggested_limit_note",
    "score_line_ids",
}


class CreditReview(models.Model):
    _name = "credit.review"
    _description = "Credit Review"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "review_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    review_date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    user_id = fields.Many2one("res.users", string="Analyst", default=lambda self: self.env.user, tracking=True)
    state = fields.Selection(
        [("draft", "Draft"), ("submitted", "Submitted"), ("approved", "Approved"), ("rejected", "Rejected")],
        default="draft",
        required=True,
        tracking=True,
        index=True,
        copy=False,
    )
    # --- financial statement (company currency) ---
    fiscal_year = fields.Char(help="Fiscal year of the statement, e.g. 2025. Empty: no statement.")
    revenue = fields.Monetary()
    net_profit = fields.Monetary()
    total_assets = fields.Monetary()
    total_liabilities = fields.Monetary()
    current_assets = fields.Monetary()
    current_liabilities = fields.Monetary()
    equity = fields.Monetary()
    operating_cash_flow = fields.Monetary()
    # --- business facts ---
    years_in_business = fields.Integer()
    employees = fields.Integer()
    industry_risk = fields.Selection([("low", "Low"), ("medium", "Medium"), ("high", "High")])
    rating_ids = fields.One2many("credit.review.rating", "review_id", string="Qualitative Ratings", copy=True)
    # --- behaviour measured from Odoo at review time ---
    measured_on = fields.Date(readonly=True, copy=False)
    sales_12m = fields.Monetary(string="Sales (12 months)", readonly=True, copy=False)
    avg_days_late = fields.Float(string="Avg Days Paid Late", readonly=True, copy=False, digits=(16, 2))
    avg_days_late_has_data = fields.Boolean(readonly=True, copy=False)
    late_share = fields.Float(string="Invoices Paid Late (%)", readonly=True, copy=False, digits=(16, 2))
    late_share_has_data = fields.Boolean(readonly=True, copy=False)
    oldest_overdue_days = fields.Integer(string="Oldest Overdue (days)", readonly=True, copy=False)
    exposure = fields.Monetary(readonly=True, copy=False)
    peak_exposure = fields.Monetary(string="Peak Receivable (12 months)", readonly=True, copy=False)
    limit_at_review = fields.Monetary(string="Limit at Review", readonly=True, copy=False)
    exposure_ratio = fields.Float(string="Exposure % of Limit", compute="_compute_ratios", digits=(16, 1))
    peak_ratio = fields.Float(string="Peak % of Limit", compute="_compute_ratios", digits=(16, 1))
    broken_promises = fields.Integer(readonly=True, copy=False)
    disputes = fields.Integer(string="Disputed Invoices", readonly=True, copy=False)
    # --- score ---
    score_line_ids = fields.One2many("credit.review.score.line", "review_id", string="Score Breakdown", copy=False)
    score = fields.Float(readonly=True, copy=False, digits=(16, 2))
    score_display = fields.Char(
        "Score or status",
        compute="_compute_score_display",
        help="The score, or 'not measured yet' for a draft not yet measured (its score would read 0).",
    )
    computed_grade_id = fields.Many2one("credit.grade", string="Grade from Score", readonly=True, copy=False)
    suggested_limit = fields.Monetary(readonly=True, copy=False)
    suggested_limit_note = fields.Text(string="How the Limit Is Suggested", readonly=True, copy=False)
    # --- proposal and decision ---
    proposed_grade_id = fields.Many2one(
        "credit.grade", tracking=True, check_company=True, domain="[('company_id', '=', company_id)]"
    )
    proposed_limit = fields.Monetary(tracking=True)
    justification = fields.Text(help="Required when the proposal differs from the suggested grade or limit.")
    previous_grade_id = fields.Many2one("credit.grade", readonly=True, copy=False)
    previous_limit = fields.Monetary(readonly=True, copy=False)
    submitted_by_id = fields.Many2one("res.users", readonly=True, copy=False, tracking=True)
    submitted_on = fields.Datetime(readonly=True, copy=False)
    decided_by_id = fields.Many2one("res.users", readonly=True, copy=False, tracking=True)
    decided_on = fields.Datetime(readonly=True, copy=False)
    decision_comment = fields.Text(tracking=True, copy=False)
    next_review_date = fields.Date(readonly=True, copy=False, tracking=True)

    @api.depends("partner_id", "review_date")
    def _compute_name(self):
        for review in self:
            review.name = f"{review.partner_id.display_name or ''} – {review.review_date or ''}"

    @api.depends("exposure", "peak_exposure", "limit_at_review")
    def _compute_score_display(self):
        for review in self:
            if review.measured_on:
                review.score_display = f"{review.score:.2f}"
            else:
                review.score_display = self.env._("not measured yet")

    def _compute_ratios(self):
        for review in self:
            limit = review.limit_at_review
            review.exposure_ratio = review.exposure / limit * 100.0 if limit else 0.0
            review.peak_ratio = review.peak_exposure / limit * 100.0 if limit else 0.0

    # ------------------------------------------------------------------
    # Integrity
    # ------------------------------------------------------------------
    @api.constrains(*FINANCIAL_FIELDS, "years_in_business", "employees")
    def _check_inputs(self):
        for review in self:
            negative = [
                review._fields[f].string
                for f in ("revenue", "total_assets", "total_liabilities", "current_assets", "current_liabilities")
                if review[f] < 0
            ]
            if review.years_in_business < 0:
                negative.append(review._fields["years_in_business"].string)
            if review.employees < 0:
                negative.append(review._fields["employees"].string)
            if negative:
                raise ValidationError(
                    self.env._(
                        "Review %(review)s: %(fields)s cannot be negative (only net profit, equity and cash flow can).",
                        review=review.name,
                        fields=", ".join(negative),
                    )
                )

    @api.constrains("proposed_limit")
    def _check_proposed_limit(self):
        for review in self:
            if review.proposed_limit < 0:
                raise ValidationError(
                    self.env._(
                        "Review %(review)s: a credit limit cannot be negative (got %(amount)s).",
                        review=review.name,
                        amount=review.proposed_limit,
                    )
                )

    @api.constrains("partner_id")
    def _check_partner(self):
        for review in self:
            if review.partner_id != review.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Review the company %(customer)s, not one of its contacts.",
                        customer=review.partner_id.commercial_partner_id.display_name,
                    )
                )

    def write(self, vals):
        # The review's own methods write state and measured figures as superuser, after their
        # checks; any other caller (RPC, import, a context it chose) goes through these rules.
        if not self.env.su:
            protected = PROTECTED_FIELDS & set(vals)
            if protected:
                raise AccessError(
                    self.env._(
                        "Credit reviews change state and measured figures only through their buttons "
                        "(fields: %(fields)s).",
                        fields=", ".join(sorted(protected)),
                    )
                )
            locked = self.filtered(lambda r: r.state != "draft")
            if (
                "decision_comment" in vals
                and locked
                and not self.env.user.has_group("credit_collection.group_credit_manager")
            ):
                raise AccessError(self.env._("Only credit managers comment on the decision of a credit review."))
            if locked and set(vals) - {"decision_comment", "message_main_attachment_id", "activity_ids"}:
                raise UserError(
                    self.env._(
                        "Review %(review)s is %(state)s: its inputs and proposal can no longer be changed.",
                        review=locked[0].name,
                        state=dict(self._fields["state"]._description_selection(self.env))[locked[0].state],
                    )
                )
        return super().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                protected = (PROTECTED_FIELDS - {"state"}) & set(vals)
                if protected or vals.get("state", "draft") != "draft":
                    raise AccessError(
                        self.env._("A credit review starts as a draft; its figures are measured by Odoo.")
                    )
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if any(r.state != "draft" for r in self):
            raise UserError(self.env._("Only draft reviews can be deleted: submitted ones are the credit archive."))

    def _internal(self):
        """The review as superuser, for the writes of its own methods once they have checked who calls."""
        return self.sudo()

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    def _check_state(self, expected, action):
        for review in self:
            if review.state != expected:
                raise UserError(
                    self.env._(
                        "Review %(review)s is %(state)s: it cannot be %(action)s.",
                        review=review.name,
                        state=dict(self._fields["state"]._description_selection(self.env))[review.state],
                        action=action,
                    )
                )

    def _check_analyst(self):
        # the buttons write as superuser: the caller must be one who prepares reviews
        if not self.env.user.has_group("credit_collection.group_credit_analyst"):
            raise AccessError(self.env._("Only credit analysts and managers measure, score and submit credit reviews."))

    def action_compute(self):
        """Measure the customer's behaviour now and score the review (draft only)."""
        self._check_analyst()
        self._check_state("draft", self.env._("measured again"))
        self._measure_behaviour()
        self._compute_score()
        return True

    def action_submit(self):
        self._check_analyst()
        self._check_state("draft", self.env._("submitted"))
        for review in self:
            if not review.measured_on:
                review._measure_behaviour()
            review._compute_score()  # the inputs may have changed since the last scoring
            if not review.proposed_grade_id:
                raise UserError(
                    self.env._(
                        "Review %(review)s: propose a grade before submitting (grades are set up in %(where)s).",
                        review=review.name,
                        where=review.company_id._credit_where(menu=self.env._("Credit Grades")),
                    )
                )
            differs = review.proposed_grade_id != review.computed_grade_id or review.currency_id.compare_amounts(
                review.proposed_limit, review.suggested_limit
            )
            if differs and not (review.justification or "").strip():
                raise UserError(
                    self.env._(
                        "Review %(review)s: the proposal (grade %(grade)s, limit %(limit)s) differs from the "
                        "suggestion (grade %(sgrade)s, limit %(slimit)s). Write a justification, then submit.",
                        review=review.name,
                        grade=review.proposed_grade_id.name,
                        limit=review.proposed_limit,
                        sgrade=review.computed_grade_id.name or "-",
                        slimit=review.suggested_limit,
                    )
                )
            if not review._deciders(self.env.user):
                # a submitted review nobody may decide would wait for ever
                raise UserError(
                    self.env._(
                        "Review %(review)s: nobody but you could decide on it in %(company)s (the one who submits "
                        "never decides). Set the Credit Approver in %(where)s, or give a second user the Credit "
                        "Manager role (Settings > Users).",
                        review=review.name,
                        company=review.company_id.name,
                        where=review.company_id._credit_where(self.env._("Credit Approvals")),
                    )
                )
            review._internal().write(
                {"state": "submitted", "submitted_by_id": self.env.uid, "submitted_on": fields.Datetime.now()}
            )
            review._schedule_decision_activity()
        return True

    def _schedule_decision_activity(self):
        self.ensure_one()
        # one decider, never the analyst who submitted: the approver, else another credit manager
        for user in self._deciders(self.submitted_by_id)[:1]:
            self.activity_schedule(
                "credit_collection.mail_activity_type_credit_review",
                user_id=user.id,
                summary=self.env._("Decide on the credit review of %(customer)s", customer=self.partner_id.name),
            )

    def _deciders(self, submitter):
        """Who may decide on this review once `submitter` submits it: the approver, else another
        credit manager of the company."""
        self.ensure_one()
        company = self.company_id
        return (company._credit_approvers() - submitter) or (company._credit_managers() - submitter)

    def _check_can_decide(self):
        if not self.env.user.has_group("credit_collection.group_credit_manager"):
            raise AccessError(self.env._("Only credit managers approve or reject credit reviews."))
        for review in self:
            if review.submitted_by_id == self.env.user:
                raise AccessError(
                    self.env._(
                        "You submitted review %(review)s: another credit manager must decide on it "
                        "(segregation of duties).",
                        review=review.name,
                    )
                )

    def action_approve(self, comment=None):
        self._check_state("submitted", self.env._("approved"))
        self._check_can_decide()
        today = fields.Date.context_today(self)
        for review in self:
            partner = review.partner_id.with_company(review.company_id).with_context(
                tracking_disable=False, mail_notrack=False
            )
            grade = review.proposed_grade_id
            next_date = today + relativedelta(months=grade.review_interval_months)
            review._internal().write(
                {
                    "state": "approved",
                    "decided_by_id": self.env.uid,
                    "decided_on": fields.Datetime.now(),
                    "decision_comment": comment or review.decision_comment,
                    "previous_grade_id": partner.credit_grade_id.id,
                    "previous_limit": partner.credit_limit,
                    "next_review_date": next_date,
                }
            )
            partner.write(
                {
                    "credit_grade_id": grade.id,
                    "credit_score": review.score,
                    "credit_limit": review.proposed_limit,
                    "credit_last_review_date": review.review_date,
                    "credit_next_review_date": next_date,
                    "credit_review_needed": False,
                    "credit_review_reasons": False,
                    "credit_warning_codes": False,
                }
            )
            partner.message_post(
                body=self.env._(
                    "Credit review %(review)s approved by %(manager)s (submitted by %(analyst)s): score %(score)s, "
                    "grade %(grade)s, credit limit %(limit)s (was %(old_limit)s), next review %(next)s.",
                    review=review.name,
                    manager=self.env.user.name,
                    analyst=review.submitted_by_id.name,
                    score=review.score,
                    grade=grade.name,
                    limit=review.proposed_limit,
                    old_limit=review.previous_limit,
                    next=next_date,
                )
            )
            review.activity_feedback(["credit_collection.mail_activity_type_credit_review"])
            partner.activity_feedback(["credit_collection.mail_activity_type_credit_warning"])
        return True

    def action_reject(self, comment=None):
        self._check_state("submitted", self.env._("rejected"))
        self._check_can_decide()
        for review in self:
            reason = (comment or review.decision_comment or "").strip()
            if not reason:
                raise UserError(
                    self.env._("Say why review %(review)s is rejected (decision comment).", review=review.name)
                )
            review._internal().write(
                {
                    "state": "rejected",
                    "decided_by_id": self.env.uid,
                    "decided_on": fields.Datetime.now(),
                    "decision_comment": reason,
                }
            )
            review.activity_feedback(["credit_collection.mail_activity_type_credit_review"], feedback=reason)
        return True
