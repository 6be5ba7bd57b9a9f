from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .provision_rate import check_provision_rate


class ResCompany(models.Model):
    _inherit = "res.company"

    credit_overdue_days = fields.Integer(
        string="Overdue Tolerance (days)",
        default=0,
        help="Refuse orders of customers with invoices overdue by more than this many days "
        "(and for more than the minimum amount). 0 disables the rule.",
    )
    credit_overdue_min_amount = fields.Monetary(
        string="Overdue Minimum Amount",
        currency_field="currency_id",
        default=0.0,
        help="The overdue rule applies only when the amount overdue beyond the tolerance exceeds this.",
    )
    credit_approval_validity_days = fields.Integer(
        string="Approval Validity (days)",
        default=7,
        help="A credit approval lets its order be confirmed for this many days after the decision.",
    )
    credit_approver_id = fields.Many2one(
        "res.users",
        help="Who receives approval requests. Empty: every credit manager of the company.",
    )

    credit_usage_warning_percent = fields.Float(
        string="Usage Warning (%)",
        default=90.0,
        help="The quotation's credit banner turns amber when the order would take the customer past this "
        "share of its limit, before the order is refused. 0 turns the warning off.",
    )
    credit_prepaid_passes_hold = fields.Boolean(
        string="Prepaid Orders Pass a Credit Hold",
        default=True,
        help="An order paid in full online carries no credit risk: it may be confirmed even when the "
        "customer is on credit hold. Untick to stop every order of a customer on hold.",
    )
    credit_no_limit_policy = fields.Selection(
        [("unlimited", "No limit"), ("prepay", "No credit: orders must be prepaid")],
        string="Customers Without a Limit",
        default="unlimited",
        required=True,
        help="What a customer without a credit limit (0, and no company default) means: no limit "
        "(Odoo's meaning), or no credit at all, so that its orders are confirmed only once paid.",
    )

    def _credit_managers(self):
        """The company's credit managers: active internal users of the group who work in it."""
        self.ensure_one()
        group = self.env.ref("credit_collection.group_credit_manager")
        return group.users.filtered(lambda u: self in u.company_ids and not u.share and u.active)

    def _credit_approvers(self):
        """Who decides on credit in this company (approval requests, reviews, refused orders): its
        credit approver, else its credit managers."""
        self.ensure_one()
        return self.credit_approver_id or self._credit_managers()

    def _credit_late(self, exp):
        """What the overdue rule sees in a customer's exposure statement `exp` in this company:
        (amount overdue beyond the tolerance, oldest such due date, tolerance in days, the grade's
        figures when its own tolerance replaces the company's, else None); None when the amount does
        not exceed the company's minimum or no tolerance applies (0 days turns the rule off)."""
        self.ensure_one()
        grade = exp.grade
        if grade and grade.own_tolerance:
            late, due, days = exp.currency.round(grade.late_amount), grade.late_due, grade.tolerance
        elif self.credit_overdue_days > 0:
            late, due, days, grade = exp.late_amount, exp.late_oldest_due_date, self.credit_overdue_days, None
        else:
            return None
        if not due or exp.currency.compare_amounts(late, self.credit_overdue_min_amount) <= 0:
            return None
        return late, due, days, grade

    @api.constrains(
        "credit_overdue_days",
        "credit_overdue_min_amount",
        "credit_approval_validity_days",
        "credit_usage_warning_percent",
    )
    def _check_credit_settings(self):
        for company in self:
            if not 0 <= company.credit_usage_warning_percent <= 100:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the usage warning is a share of the limit between 0 and 100 %% "
                        "(got %(percent)s). Use 0 to turn it off.",
                        company=company.name,
                        percent=company.credit_usage_warning_percent,
                    )
                )
            if company.credit_overdue_days < 0 or company.credit_overdue_min_amount < 0:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the overdue tolerance (%(days)s days) and minimum amount (%(amount)s) "
                        "cannot be negative. Use 0 days to turn the overdue rule off.",
                        company=company.name,
                        days=company.credit_overdue_days,
                        amount=company.credit_overdue_min_amount,
                    )
                )
            if company.credit_approval_validity_days < 1:
                raise ValidationError(
                    self.env._(
                        "%(company)s: a credit approval must stay valid for at least one day (got %(days)s).",
                        company=company.name,
                        days=company.credit_approval_validity_days,
                    )
                )

    # ------------------------------------------------------------------
    # Collection stages
    # ------------------------------------------------------------------

    collection_strategy_id = fields.Many2one(
        "credit.collection.strategy",
        string="Default Collection Strategy",
        help="Applies to customers without a strategy of their own or of their grade.",
    )
    collection_promise_grace_days = fields.Integer(
        string="Promise Grace (days)",
        default=3,
        help="An open promise to pay pauses the chase until its date plus these days.",
    )
    collection_default_days_late = fields.Integer(
        string="Default Days Late",
        default=0,
        help="Predicted payment = due date + this, for customers without paid history in the last 12 months.",
    )
    collection_statement_period = fields.Selection(
        [("oldest", "From the oldest open item, at least the months below"), ("months", "The months below")],
        string="Worklist Statement Period",
        default="oldest",
        required=True,
        help="The period of the statement sent from the collection worklist.",
    )
    collection_statement_months = fields.Integer(string="Statement Months", default=3)
    collection_fee_product_id = fields.Many2one("product.product", string="Late Fee Product")
    collection_bad_debt_account_id = fields.Many2one(
        "account.account",
        string="Bad Debt Expense Account",
        help="A write-off beyond the allowance held is charged to this expense account.",
    )
    collection_allowance_account_id = fields.Many2one(
        "account.account",
        string="Allowance Account",
        help="Allowance for doubtful accounts (contra-asset): write-offs use it first (Dr allowance / Cr "
        "receivable) up to the balance provided; provision runs propose it.",
    )
    collection_writeoff_journal_id = fields.Many2one(
        "account.journal", string="Write-off Journal", domain="[('type', '=', 'general')]"
    )

    # ------------------------------------------------------------------
    # Bad-debt provision
    # ------------------------------------------------------------------

    credit_provision_legal_rate = fields.Float(
        string="Legal Cases: Specific Provision (%)",
        digits=(16, 4),
        default=100.0,
        help="An invoice handed over to legal or an agency gets a specific provision at this rate, which "
        "takes it out of the provision matrix (0 = none).",
    )

    credit_provision_min_cohort = fields.Integer(
        string="Historical Rates: Minimum Invoices",
        default=20,
        help="A historical loss rate resting on fewer cohort invoices than this is marked 'too little data'.",
    )

    @api.constrains("credit_provision_legal_rate")
    def _check_provision_legal_rate(self):
        check_provision_rate(
            self, "credit_provision_legal_rate", lambda c: c.env._("legal cases of %(company)s", company=c.name)
        )

    @api.constrains("collection_promise_grace_days")
    def _check_collection_settings(self):
        for company in self:
            if company.collection_promise_grace_days < 0:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the promise grace period cannot be negative (got %(days)s).",
                        company=company.name,
                        days=company.collection_promise_grace_days,
                    )
                )
