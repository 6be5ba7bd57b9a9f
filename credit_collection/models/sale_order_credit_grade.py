"""The customer's grade on the order: payment term, prepayment, guarantee and overdue conditions."""

from odoo import fields, models
from odoo.tools import format_date


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # ------------------------------------------------------------------
    # Credit file: the grade's trading conditions. Every figure comes from the exposure statement
    # (Exposure.grade and the guarantees, see credit_exposure_credit_file.py): these rules add no query per order.
    # ------------------------------------------------------------------
    def _credit_grade_enforced(self, verdict):
        """The grade's conditions apply with the company's credit control (the "Sales Credit Limit" setting)."""
        return self.company_id.account_use_credit_limit and verdict.exposure.grade

    def _credit_payment_term_days(self):
        """The longest delay of the order's payment term, in days from the order date (0 = immediate)."""
        self.ensure_one()
        date_ref = fields.Date.to_date(self.date_order) if self.date_order else fields.Date.context_today(self)
        lines = self.payment_term_id.line_ids
        return max(((line._get_due_date(date_ref) - date_ref).days for line in lines), default=0)

    def _credit_rule_grade_term(self, verdict, today=None):
        grade = self._credit_grade_enforced(verdict)
        if not grade or not grade.term_days:
            return None
        days = self._credit_payment_term_days()
        if days <= grade.term_days:
            return None
        return (
            "grade_term",
            self.env._(
                "Payment term too long for grade %(grade)s: %(term)s gives up to %(days)s days, the grade allows "
                "%(allowed)s days. Choose a shorter payment term or request a credit approval.",
                grade=grade.name,
                term=self.payment_term_id.display_name,
                days=days,
                allowed=grade.term_days,
            ),
        )

    def _credit_rule_grade_prepayment(self, verdict, today=None):
        grade = self._credit_grade_enforced(verdict)
        if not grade or not grade.prepayment:
            return None
        exp = verdict.exposure
        currency = exp.currency
        required = currency.round(verdict.amount * grade.prepayment / 100.0)
        # a posted online payment is in the customer's unapplied credit (on_account) already
        online = verdict.prepaid_open
        # Money the customer left with us (unapplied payments, credit notes) beyond everything it owes
        # and every order already confirmed: it may pay for this order.
        on_account = currency.round(max(-exp.total, 0.0))
        received = currency.round(online + on_account)
        if currency.compare_amounts(received, required) >= 0:
            return None
        return (
            "grade_prepayment",
            self.env._(
                "Prepayment missing for grade %(grade)s: %(pct)s %% of this order = %(required)s is to be paid "
                "before confirmation; received %(received)s (online payments of the order %(online)s, "
                "customer's unapplied credit %(on_account)s); missing %(missing)s. Ask the customer to pay "
                "%(missing)s and register the payment, or request a credit approval.",
                grade=grade.name,
                pct=grade.prepayment,
                required=self._credit_fmt(required),
                received=self._credit_fmt(received),
                online=self._credit_fmt(online),
                on_account=self._credit_fmt(on_account),
                missing=self._credit_fmt(required - received),
            ),
        )

    def _credit_rule_grade_guarantee(self, verdict, today=None):
        grade = self._credit_grade_enforced(verdict)
        if not grade or not grade.guarantee_above:
            return None
        exp = verdict.exposure
        currency = exp.currency
        threshold = currency.round(grade.guarantee_above)
        after = currency.round(exp.total + verdict.amount)
        if currency.compare_amounts(after, threshold) <= 0:
            return None
        needed = currency.round(after - threshold)
        held = exp.guarantee_total
        if currency.compare_amounts(held, needed) >= 0:
            return None
        return (
            "grade_guarantee",
            self.env._(
                "Guarantee missing for grade %(grade)s: exposure after this order %(after)s is above "
                "%(threshold)s, so %(needed)s must be covered by a valid guarantee; valid guarantees "
                "%(held)s; missing %(missing)s. Register a guarantee on the customer, or request a credit approval.",
                grade=grade.name,
                after=self._credit_fmt(after),
                threshold=self._credit_fmt(threshold),
                needed=self._credit_fmt(needed),
                held=self._credit_fmt(held),
                missing=self._credit_fmt(needed - held),
            ),
        )

    def _credit_rule_grade_overdue(self, late, today=None):
        """The overdue refusal under the grade's own tolerance (`late`: res.company._credit_late)."""
        late, due, days, grade = late
        company = self.company_id
        today = today or fields.Date.context_today(self)
        return (
            "overdue",
            self.env._(
                "Overdue invoices: %(amount)s overdue by more than %(days)s days (tolerance of grade %(grade)s, "
                "minimum %(minimum)s); oldest %(invoice)s, due %(due)s, %(late)s days overdue. Ask the customer "
                "to pay, or request a credit approval.",
                amount=self._credit_fmt(late),
                days=days,
                grade=grade.name,
                minimum=self._credit_fmt(company.credit_overdue_min_amount),
                invoice=grade.late_move,
                due=format_date(self.env, due),
                late=(today - due).days,
            ),
        )
