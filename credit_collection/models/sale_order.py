"""The credit check on the order as the sales rep sees it: the verdict of the exposure against the
limit, the hold, overdue invoices and the grade, evaluated in one exposure query per customer."""

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools.misc import format_date, formatLang

from .credit_verdict import CreditVerdict


class SaleOrder(models.Model):
    _inherit = "sale.order"

    credit_approval_ids = fields.One2many("credit.approval", "order_id", string="Credit Approvals", copy=False)
    credit_check_state = fields.Selection(
        [
            ("none", "Not checked"),
            ("ok", "Within credit"),
            ("blocked", "Needs credit approval"),
            ("pending", "Approval requested"),
            ("approved", "Credit approved"),
        ],
        string="Credit Check",
        compute="_compute_credit_check",
    )
    credit_check_message = fields.Text(compute="_compute_credit_check")
    credit_usage_warning = fields.Text(
        compute="_compute_credit_check",
        help="Set when the order passes but takes the customer past the company's usage warning share of its limit.",
    )
    credit_prepaid_amount = fields.Monetary(
        string="Paid Online", compute="_compute_credit_check", currency_field="credit_currency_id"
    )
    credit_temporary_limit = fields.Monetary(
        string="Temporary Increase", compute="_compute_credit_check", currency_field="credit_currency_id"
    )
    credit_temporary_until = fields.Date(string="Increase Until", compute="_compute_credit_check")
    credit_currency_id = fields.Many2one("res.currency", compute="_compute_credit_check")
    credit_limit_effective = fields.Monetary(
        string="Credit Limit", compute="_compute_credit_check", currency_field="credit_currency_id"
    )
    credit_exposure = fields.Monetary(
        string="Exposure", compute="_compute_credit_check", currency_field="credit_currency_id"
    )
    credit_exposure_receivable = fields.Monetary(
        string="Open Receivables", compute="_compute_credit_check", currency_field="credit_currency_id"
    )
    credit_exposure_draft = fields.Monetary(
        string="Draft Invoices", compute="_compute_credit_check", currency_field="credit_currency_id"
    )
    credit_exposure_orders = fields.Monetary(
        string="Orders Not Invoiced", compute="_compute_credit_check", currency_field="credit_currency_id"
    )
    credit_order_amount = fields.Monetary(
        string="This Order", compute="_compute_credit_check", currency_field="credit_currency_id"
    )
    credit_available = fields.Monetary(
        string="Available Credit", compute="_compute_credit_check", currency_field="credit_currency_id"
    )
    credit_available_after = fields.Monetary(
        string="Available After This Order", compute="_compute_credit_check", currency_field="credit_currency_id"
    )
    credit_has_limit = fields.Boolean(compute="_compute_credit_check")

    # ------------------------------------------------------------------
    # The check, as the sales rep sees it before confirming
    # ------------------------------------------------------------------
    @api.depends(
        "partner_invoice_id", "company_id", "amount_total", "currency_rate", "state", "credit_approval_ids.state"
    )
    def _compute_credit_check(self):
        checkable = self.filtered(lambda o: o.state in ("draft", "sent") and o.partner_invoice_id and o.company_id)
        verdicts = checkable._credit_evaluate() if checkable else {}
        for order in self:
            verdict = verdicts.get(order.id)
            order.credit_currency_id = order.company_id.currency_id
            if not verdict:
                order.update(
                    {
                        "credit_check_state": "none",
                        "credit_check_message": False,
                        "credit_limit_effective": 0.0,
                        "credit_exposure": 0.0,
                        "credit_exposure_receivable": 0.0,
                        "credit_exposure_draft": 0.0,
                        "credit_exposure_orders": 0.0,
                        "credit_order_amount": 0.0,
                        "credit_available": 0.0,
                        "credit_available_after": 0.0,
                        "credit_has_limit": False,
                        "credit_usage_warning": False,
                        "credit_prepaid_amount": 0.0,
                        "credit_temporary_limit": 0.0,
                        "credit_temporary_until": False,
                    }
                )
                continue
            exp = verdict.exposure
            order.credit_prepaid_amount = verdict.prepaid
            order.credit_temporary_limit = exp.temporary_limit
            order.credit_temporary_until = exp.temporary_until or False
            order.credit_usage_warning = (not verdict.failures and order._credit_usage_warning(verdict)) or False
            order.credit_limit_effective = exp.limit
            order.credit_has_limit = exp.has_limit
            order.credit_exposure = exp.total
            order.credit_exposure_receivable = exp.receivable
            order.credit_exposure_draft = exp.draft_invoices
            order.credit_exposure_orders = exp.open_orders
            order.credit_order_amount = verdict.amount
            order.credit_available = exp.available
            order.credit_available_after = (
                exp.currency.round(exp.available - verdict.credit_amount) if exp.has_limit else 0.0
            )
            messages = [msg for _code, msg in verdict.failures]
            if not verdict.failures:
                order.credit_check_state = "ok"
            elif order._credit_covering_approval(verdict):
                order.credit_check_state = "approved"
            elif order.credit_approval_ids.filtered(lambda a: a.state == "pending"):
                order.credit_check_state = "pending"
            else:
                order.credit_check_state = "blocked"
                messages += order._credit_approval_shortfalls(verdict)
            order.credit_check_message = "\n".join(messages) or False

    def _credit_usage_warning(self, verdict):
        """The amber banner: the order passes, but takes the customer past the warning share of its limit."""
        self.ensure_one()
        exp = verdict.exposure
        percent = self.company_id.credit_usage_warning_percent
        if not exp.has_limit or percent <= 0 or not self.company_id.account_use_credit_limit:
            return None
        after = exp.currency.round(exp.total + verdict.credit_amount)
        threshold = exp.currency.round(exp.limit * percent / 100.0)
        if exp.currency.compare_amounts(after, threshold) <= 0:
            return None
        return self.env._(
            "Near the credit limit: exposure after this order %(after)s is %(used)s %% of the limit %(limit)s "
            "(warning from %(percent)s %%); %(left)s left after this order.",
            after=self._credit_fmt(after),
            used=round(after / exp.limit * 100.0, 1),
            limit=self._credit_fmt(exp.limit),
            percent=percent,
            left=self._credit_fmt(exp.limit - after),
        )

    def _compute_partner_credit_warning(self):
        # Odoo's own banner has its own formula (no draft invoices, guarantees or grade): where the
        # addon checks credit, its banner and figures are the only ones shown.
        ours = self.filtered(lambda o: o.company_id.account_use_credit_limit)
        ours.partner_credit_warning = ""
        return super(SaleOrder, self - ours)._compute_partner_credit_warning()

    # ------------------------------------------------------------------
    # Evaluation: one exposure query per customer and company, whatever the history
    # ------------------------------------------------------------------
    def _credit_order_amount(self):
        """What this order adds to the exposure, company currency (extensions deduct from it)."""
        return self._credit_order_total()

    def _credit_order_total(self):
        """This order's total in company currency, at the order's rate."""
        self.ensure_one()
        rate = self.currency_rate or 1.0
        return self.company_id.currency_id.round(self.amount_total / rate)

    def _credit_evaluate(self, today=None, lock=False):
        """Return {order id: CreditVerdict}. Orders of one customer are taken in sequence, each
        seeing the ones before it as exposure, so a batch cannot slip past a limit together.
        `lock`: serialize the decision with concurrent ones on the same customers (confirmation)."""
        verdicts = {}
        # once for every rule of every order (the quotation form recomputes it as lines are typed)
        today = today or self.env["credit.exposure"]._today()
        companies = self.company_id
        if len(companies) == 1:  # the usual case: no regrouping
            groups = {companies: self}
        else:
            groups = defaultdict(lambda: self.browse())
            for order in self:
                groups[order.company_id] |= order
        engine = self.env["credit.exposure"].sudo()
        for company, orders in groups.items():
            exposures = engine._get_exposures(
                orders.partner_invoice_id, company, exclude_orders=orders, today=today, lock=lock
            )
            by_address = {pid: exp for exp in exposures.values() for pid in exp.input_partner_ids}
            running = defaultdict(float)  # earlier orders of this batch, per customer
            # saved orders first, by id: a batch is judged in a stable order
            for order in orders.sorted(lambda o: o._origin.id or 0):
                exp = by_address.get(order.partner_invoice_id._origin.id)
                if exp is None:
                    continue
                partner = exp.partner_id
                amount = order._credit_order_amount()
                exp_before = exp.replace(open_orders=exp.open_orders + running[partner])
                running[partner] += amount
                order_id = order._origin.id
                verdict = CreditVerdict(
                    exposure=exp_before,
                    amount=amount,
                    prepaid=exp.currency.round(exp.prepaid.get(order_id, 0.0)),
                    prepaid_open=exp.currency.round(exp.prepaid_open.get(order_id, 0.0)),
                )
                verdict.failures = order._credit_failures(verdict, today=today)
                verdicts[order.id] = verdict
        return verdicts

    def _credit_rules(self):
        """Rule methods, in the order they are reported. Extend to add rules (grades, guarantees...)."""
        return [
            self._credit_rule_hold,
            self._credit_rule_limit,
            self._credit_rule_no_credit,
            self._credit_rule_overdue,
            # the grade's trading conditions (credit file)
            self._credit_rule_grade_term,
            self._credit_rule_grade_prepayment,
            self._credit_rule_grade_guarantee,
        ]

    def _credit_failures(self, verdict, today=None):
        self.ensure_one()
        failures = []
        for rule in self._credit_rules():
            result = rule(verdict, today=today)
            if result:
                failures.append(result)
        if self._credit_fully_paid(verdict):
            # Paid in full online: the order carries no credit risk, so limit, overdue and the grade's
            # conditions do not apply. A credit hold still stops it if the company says so.
            keep = set() if self.company_id.credit_prepaid_passes_hold else {"hold"}
            failures = [failure for failure in failures if failure[0] in keep]
        return failures

    def _credit_fully_paid(self, verdict):
        """Whether the prepaid rule applies: online payments cover the order in full."""
        return verdict.fully_paid

    def _credit_fmt(self, amount):
        return formatLang(self.env, amount, currency_obj=self.company_id.currency_id)

    def _credit_rule_hold(self, verdict, today=None):
        # An explicit decision of a credit manager: enforced even when limit checks are off.
        exp = verdict.exposure
        if not exp.hold:
            return None
        return (
            "hold",
            self.env._(
                "Customer on credit hold: %(reason)s.",
                reason=exp.hold_reason or self.env._("no reason given"),
            ),
        )

    def _credit_rule_limit(self, verdict, today=None):
        exp = verdict.exposure
        if not self.company_id.account_use_credit_limit or not exp.has_limit:
            return None
        total_after = exp.currency.round(exp.total + verdict.credit_amount)
        if exp.currency.compare_amounts(total_after, exp.limit) <= 0:
            return None
        # Same sentence as without payments or increases (and its translations); the figures say more.
        this_order = self._credit_fmt(verdict.amount)
        if verdict.prepaid_open:
            this_order = self.env._(
                "%(order)s, of which %(paid)s paid online, counts %(counted)s",
                order=this_order,
                paid=self._credit_fmt(verdict.prepaid_open),
                counted=self._credit_fmt(verdict.credit_amount),
            )
        limit = self._credit_fmt(exp.limit)
        temporary = exp.temporary_limit
        if temporary:
            limit = self.env._(
                "%(limit)s (temporary increase of %(increase)s included, until %(until)s)",
                limit=limit,
                increase=self._credit_fmt(temporary),
                until=exp.temporary_until,
            )
        return (
            "limit",
            self.env._(
                "Credit limit exceeded: limit %(limit)s; exposure %(exposure)s (open receivables "
                "%(receivable)s, draft invoices %(draft)s, orders not invoiced %(orders)s); "
                "this order %(order)s; excess %(excess)s.",
                limit=limit,
                exposure=self._credit_fmt(exp.total),
                receivable=self._credit_fmt(exp.receivable),
                draft=self._credit_fmt(exp.draft_invoices),
                orders=self._credit_fmt(exp.open_orders),
                order=this_order,
                excess=self._credit_fmt(total_after - exp.limit),
            ),
        )

    def _credit_rule_no_credit(self, verdict, today=None):
        """Where the company reads "no limit" as "no credit", a customer without a limit must have
        paid (online or on account) what the order adds to its exposure."""
        exp = verdict.exposure
        company = self.company_id
        if not company.account_use_credit_limit or exp.has_limit or company.credit_no_limit_policy != "prepay":
            return None
        to_pay = exp.currency.round(exp.total + verdict.credit_amount)
        if exp.currency.compare_amounts(to_pay, 0.0) <= 0:
            return None
        return (
            "no_credit",
            self.env._(
                "No credit: the customer has no credit limit, and in this company a customer without a limit "
                'gets no credit (setting "Customers Without a Limit": orders must be prepaid). This order '
                "%(order)s, paid online %(paid)s; exposure %(exposure)s; to be paid before confirmation "
                "%(to_pay)s. Ask the customer to pay %(to_pay)s, have a credit manager set a credit limit, "
                "or request a credit approval.",
                order=self._credit_fmt(verdict.amount),
                paid=self._credit_fmt(verdict.prepaid),
                exposure=self._credit_fmt(exp.total),
                to_pay=self._credit_fmt(to_pay),
            ),
        )

    def _credit_rule_overdue(self, verdict, today=None):
        exp = verdict.exposure
        company = self.company_id
        late = company.account_use_credit_limit and company._credit_late(exp)
        if not late:
            return None
        if late[3]:  # the grade's tolerance replaces the company's
            return self._credit_rule_grade_overdue(late, today=today)
        today = today or fields.Date.context_today(self)
        return (
            "overdue",
            self.env._(
                "Overdue invoices: %(amount)s overdue by more than %(days)s days (minimum %(minimum)s); "
                "oldest %(invoice)s, due %(due)s, %(late)s days overdue.",
                amount=self._credit_fmt(exp.late_amount),
                days=company.credit_overdue_days,
                minimum=self._credit_fmt(company.credit_overdue_min_amount),
                # the name is looked up only here, on the refusal path
                invoice=self.env["credit.exposure"]
                .sudo()
                ._oldest_open_item(exp.partner_id, company, exp.late_oldest_due_date + timedelta(days=1)),
                due=format_date(self.env, exp.late_oldest_due_date),
                late=(today - exp.late_oldest_due_date).days,
            ),
        )
