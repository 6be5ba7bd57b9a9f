import itertools

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import formatLang


class CreditGrade(models.Model):
    """A credit grade of one company: the score band that earns it and the trading conditions it
    carries. Bands of a company's active grades tile 0-100 exactly: [score_min, score_max), the
    top grade including 100."""

    _name = "credit.grade"
    _description = "Credit Grade"
    _inherit = ["mail.thread"]
    _order = "company_id, score_min desc, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, tracking=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    color = fields.Integer()
    score_min = fields.Float(
        string="Score From",
        required=True,
        tracking=True,
        help="Scores from this value (inclusive) up to the next grade's threshold earn this grade.",
    )
    score_max = fields.Float(string="Score To", compute="_compute_score_max", help="Exclusive, except 100.")
    band = fields.Char(compute="_compute_score_max")
    review_interval_months = fields.Integer(string="Review Every (months)", default=12, required=True, tracking=True)
    # Suggested limit: a multiple of average monthly sales, capped by a share of equity; either optional.
    limit_sales_multiple = fields.Float(
        string="Limit: × Monthly Sales",
        tracking=True,
        help="Suggested limit = this multiple × the customer's average monthly sales over the last 12 months. "
        "0 = not used.",
    )
    limit_equity_percent = fields.Float(
        string="Limit Cap: % of Equity",
        tracking=True,
        help="Caps the suggested limit at this % of the equity of the review's financial statement. 0 = no cap.",
    )
    max_payment_term_days = fields.Integer(
        string="Longest Payment Term (days)",
        tracking=True,
        help="Orders with a longer payment term are refused. 0 = any term.",
    )
    prepayment_percent = fields.Float(
        string="Prepayment (%)",
        tracking=True,
        help="Share of the order to be paid before confirmation (100 = cash in advance). 0 = none.",
    )
    own_overdue_tolerance = fields.Boolean(
        tracking=True,
        help="Use this grade's tolerance instead of the company setting.",
    )
    overdue_tolerance_days = fields.Integer(
        string="Overdue Tolerance (days)",
        tracking=True,
        help="Orders are refused when an invoice is overdue by more than this (0 = any overdue invoice).",
    )
    guarantee_above_amount = fields.Monetary(
        string="Guarantee Required Above",
        tracking=True,
        help="Exposure above this amount must be covered by valid guarantees. 0 = no guarantee required.",
    )
    # Read by the collection stages: the strategy of customers of this grade that have none of
    # their own, and how much the grade weighs in the collectors' worklist priority.
    collection_strategy_id = fields.Many2one(
        "credit.collection.strategy",
        help="Collection strategy of customers of this grade that have none of their own.",
        tracking=True,
        check_company=True,
    )
    collection_risk_factor = fields.Float(
        string="Worklist Risk Factor",
        default=1.0,
        help="Priority on the collectors' worklist = overdue amount x days overdue x this factor.",
    )
    note = fields.Text(translate=True)
    partner_count = fields.Integer(compute="_compute_partner_count")

    _sql_constraints = [
        ("name_company_uniq", "unique(name, company_id)", "A grade name must be unique per company."),
    ]

    @api.depends("score_min", "company_id", "active")
    def _compute_score_max(self):
        for grade in self:
            above = self.search(
                [("company_id", "=", grade.company_id.id), ("score_min", ">", grade.score_min)],
                order="score_min",
                limit=1,
            )
            grade.score_max = above.score_min if above else 100.0
            grade.band = f"{grade.score_min:g} – <{grade.score_max:g}" if above else f"≥ {grade.score_min:g}"

    def _compute_partner_count(self):
        partners = self.env["res.partner"]
        for grade in self:
            grade.partner_count = partners.with_company(grade.company_id).search_count(
                [("credit_grade_id", "=", grade.id)]
            )

    @api.constrains(
        "score_min",
        "review_interval_months",
        "limit_sales_multiple",
        "limit_equity_percent",
        "max_payment_term_days",
        "prepayment_percent",
        "overdue_tolerance_days",
        "guarantee_above_amount",
        "collection_risk_factor",
    )
    def _check_values(self):
        for grade in self:
            negatives = [
                grade._fields[f].string
                for f in (
                    "limit_sales_multiple",
                    "limit_equity_percent",
                    "max_payment_term_days",
                    "overdue_tolerance_days",
                    "guarantee_above_amount",
                    "collection_risk_factor",
                )
                if grade[f] < 0
            ]
            if negatives:
                raise ValidationError(
                    self.env._(
                        "Grade %(grade)s: %(fields)s cannot be negative (use 0 to turn a condition off).",
                        grade=grade.name,
                        fields=", ".join(negatives),
                    )
                )
            if not 0 <= grade.prepayment_percent <= 100:
                raise ValidationError(
                    self.env._(
                        "Grade %(grade)s: the prepayment is a share of the order, between 0 and 100 %% (got %(pct)s).",
                        grade=grade.name,
                        pct=grade.prepayment_percent,
                    )
                )
            if grade.review_interval_months < 1:
                raise ValidationError(
                    self.env._(
                        "Grade %(grade)s: customers must be reviewed at least every so many months "
                        "(got %(months)s; use 1 or more).",
                        grade=grade.name,
                        months=grade.review_interval_months,
                    )
                )
            if not 0 <= grade.score_min < 100:
                raise ValidationError(
                    self.env._(
                        "Grade %(grade)s: a score threshold lies between 0 and 100 (got %(low)s).",
                        grade=grade.name,
                        low=grade.score_min,
                    )
                )

    @api.constrains("active", "company_id", "score_min")
    def _check_bands(self):
        """The active grades of a company tile 0-100: each band runs from its grade's threshold to the
        next grade's, so two grades on one threshold overlap and a lowest threshold above 0 leaves a gap."""
        for company in self.with_context(active_test=False).company_id:
            grades = self.search([("company_id", "=", company.id)], order="score_min, id")
            if not grades:
                continue
            if grades[0].score_min != 0:
                raise ValidationError(
                    self.env._(
                        "%(company)s: no grade covers scores from 0 to %(low)s. The lowest grade must start at "
                        "0 (create it first) so that every score gets a grade.",
                        company=company.name,
                        low=grades[0].score_min,
                    )
                )
            for lower, upper in itertools.pairwise(grades):
                if lower.score_min == upper.score_min:
                    raise ValidationError(
                        self.env._(
                            "%(company)s: grades %(first)s and %(second)s both start at %(low)s: their bands "
                            "would overlap. Give each grade its own threshold.",
                            company=company.name,
                            first=lower.name,
                            second=upper.name,
                            low=lower.score_min,
                        )
                    )

    @api.model
    def _grade_for_score(self, score, company):
        """The active grade of `company` whose band holds `score` (None when no grade is set up)."""
        for grade in self.search([("company_id", "=", company.id)], order="score_min desc"):
            if score >= grade.score_min:
                return grade
        return self.browse()

    def _suggested_limit(self, sales_12m, equity, has_statement):
        """Suggested limit = multiple × average monthly sales, capped by % of equity; either optional.

        Returns (amount, explanation). Without a financial statement the cap is not applied.
        """
        self.ensure_one()
        currency = self.currency_id

        def fmt(amount):
            return formatLang(self.env, amount, currency_obj=currency)

        parts = []
        amount = None
        if self.limit_sales_multiple:
            monthly = sales_12m / 12.0
            amount = currency.round(self.limit_sales_multiple * monthly)
            parts.append(
                self.env._(
                    "%(multiple)s × average monthly sales %(monthly)s = %(amount)s",
                    multiple=self.limit_sales_multiple,
                    monthly=fmt(monthly),
                    amount=fmt(amount),
                )
            )
        if self.limit_equity_percent:
            if has_statement:
                cap = currency.round(max(equity, 0.0) * self.limit_equity_percent / 100.0)
                parts.append(
                    self.env._(
                        "cap %(pct)s %% of equity %(equity)s = %(cap)s",
                        pct=self.limit_equity_percent,
                        equity=fmt(equity),
                        cap=fmt(cap),
                    )
                )
                amount = cap if amount is None else min(amount, cap)
            else:
                parts.append(self.env._("no financial statement: equity cap not applied"))
        if amount is None:
            return 0.0, self.env._("Grade %(grade)s has no limit rule.", grade=self.name)
        return amount, "; ".join(parts)

    def action_view_partners(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_collection.res_partner_action_credit")
        action["domain"] = [("credit_grade_id", "=", self.id)]
        action["context"] = {"allowed_company_ids": [self.company_id.id]}
        return action
