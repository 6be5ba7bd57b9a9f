from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import formatLang


@dataclass
class CreditVerdict:
    """What the credit check says about one order."""

    exposure: object  # credit.exposure Exposure, before this order (earlier orders of a batch included)
    amount: float  # this order, company currency
    failures: list = field(default_factory=list)  # [(rule code, message)]
    prepaid: float = 0.0  # paid online (authorized or done transactions), company currency
    prepaid_open: float = 0.0  # the part of it whose payment is not posted yet (not in the receivables)

    @property
    def codes(self):
        return {code for code, _msg in self.failures}

    @property
    def credit_amount(self):
        """What this order adds to the exposure: the part not paid online. A posted payment is
        already an unapplied credit in the open receivables, so only unposted ones are deducted."""
        currency = self.exposure.currency
        return currency.round(max(self.amount - self.prepaid_open, 0.0))

    @property
    def fully_paid(self):
        currency = self.exposure.currency
        return (
            currency.compare_amounts(self.amount, 0.0) > 0 and currency.compare_amounts(self.prepaid, self.amount) >= 0
        )


def credit_refusal(message, order):
    """The UserError of a credit refusal, marked with its order. A plain UserError for every caller
    (the web client shows it as a warning); the customer-side flows (online payment, portal
    signature) recognise the mark to keep the quotation instead of failing."""
    error = UserError(message)
    error.credit_order = order
    return error


def refused_order(error):
    """The order a credit refusal was raised for, or None for any other error."""
    return getattr(error, "credit_order", None)


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
            order.credit_temporary_limit = exp.extra.get("temporary_limit", 0.0)
            order.credit_temporary_until = exp.extra.get("temporary_until") or False
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
        """This order's total in company currency, at the order's rate."""
        self.ensure_one()
        rate = self.currency_rate or 1.0
        return self.company_id.currency_id.round(self.amount_total / rate)

    def _credit_evaluate(self, today=None):
        """Return {order id: CreditVerdict}. Orders of one customer are taken in sequence, each
        seeing the ones before it as exposure, so a batch cannot slip past a limit together."""
        verdicts = {}
        groups = defaultdict(lambda: self.browse())
        for order in self:
            groups[order.company_id] |= order
        engine = self.env["credit.exposure"].sudo()
        for company, orders in groups.items():
            exposures = engine._get_exposures(orders.partner_invoice_id, company, exclude_orders=orders, today=today)
            by_address = {pid: exp for exp in exposures.values() for pid in exp.input_partner_ids}
            running = defaultdict(float)  # earlier orders of this batch, per customer
            # saved orders first, by id: a batch is judged in a stable order
            for order in orders.sorted(lambda o: o._origin.id or 0):
                exp = by_address.get(order.partner_invoice_id._origin.id)
                if exp is None:
                    continue
                partner = exp.partner_id
                amount = order._credit_order_amount()
                exp_before = replace(exp, open_orders=exp.open_orders + running[partner])
                running[partner] += amount
                order_id = order._origin.id
                verdict = CreditVerdict(
                    exposure=exp_before,
                    amount=amount,
                    prepaid=exp.currency.round(exp.extra.get("prepaid", {}).get(order_id, 0.0)),
                    prepaid_open=exp.currency.round(exp.extra.get("prepaid_open", {}).get(order_id, 0.0)),
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
        if verdict.fully_paid:
            # Paid in full online: the order carries no credit risk, so limit, overdue and the grade's
            # conditions do not apply. A credit hold still stops it if the company says so.
            keep = set() if self.company_id.credit_prepaid_passes_hold else {"hold"}
            failures = [failure for failure in failures if failure[0] in keep]
        return failures

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
        temporary = exp.extra.get("temporary_limit")
        if temporary:
            limit = self.env._(
                "%(limit)s (temporary increase of %(increase)s included, until %(until)s)",
                limit=limit,
                increase=self._credit_fmt(temporary),
                until=exp.extra.get("temporary_until"),
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
        grade = self._credit_grade_enforced(verdict)
        if grade and grade["own_tolerance"]:  # the grade's tolerance replaces the company's
            return self._credit_rule_grade_overdue(verdict, grade, today=today)
        exp = verdict.exposure
        company = self.company_id
        if not company.account_use_credit_limit or company.credit_overdue_days <= 0 or not exp.late_oldest_due_date:
            return None
        if exp.currency.compare_amounts(exp.late_amount, company.credit_overdue_min_amount) <= 0:
            return None
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
                due=exp.late_oldest_due_date,
                late=(today - exp.late_oldest_due_date).days,
            ),
        )

    def _credit_covering_approval(self, verdict, today=None):
        """The approval that lets this order through: approved, not expired, big enough,
        granted for every rule the order now fails."""
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        for approval in self.sudo().credit_approval_ids:
            if (
                approval.state == "approved"
                and approval.expiry_date
                and approval.expiry_date >= today
                and self.company_id.currency_id.compare_amounts(approval.approved_amount, verdict.amount) >= 0
                and verdict.codes <= set((approval.rule_codes or "").split(","))
            ):
                return approval
        return None

    # ------------------------------------------------------------------
    # Enforcement: every way into the 'sale' state goes through write() or create()
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        confirmed = orders.filtered(lambda o: o.state == "sale")
        if confirmed:  # imports and RPC creating confirmed orders directly
            confirmed._credit_enforce()
        return orders

    def write(self, vals):
        if vals.get("state") == "sale":
            to_confirm = self.filtered(lambda o: o.state != "sale")
            if to_confirm:
                to_confirm._credit_enforce()
        return super().write(vals)

    def _credit_enforce(self):
        """Refuse the confirmation of orders that break a credit rule and hold no covering approval."""
        if not self:
            return
        today = fields.Date.context_today(self)
        engine = self.env["credit.exposure"].sudo()
        for company in self.company_id:
            engine._lock_customers(self.filtered(lambda o, c=company: o.company_id == c).partner_invoice_id, company)
        verdicts = self._credit_evaluate(today=today)
        for order in self:
            verdict = verdicts.get(order.id)
            if not verdict or not verdict.failures:
                continue
            approval = order._credit_covering_approval(verdict, today=today)
            if approval:
                order.message_post(
                    body=self.env._(
                        "Confirmed over a credit rule under approval %(approval)s (approved by %(manager)s "
                        "up to %(amount)s, valid until %(expiry)s).",
                        approval=approval.name,
                        manager=approval.decided_by_id.name,
                        amount=order._credit_fmt(approval.approved_amount),
                        expiry=approval.expiry_date,
                    )
                )
                continue
            raise credit_refusal(order._credit_refusal_message(verdict, today=today), order)

    def _credit_approval_shortfalls(self, verdict, today=None):
        """Why the order's approved credit approvals do not let it through, one line each: a sales
        rep who sees "Approved" must learn what is missing, not only that the order is refused."""
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        currency = self.company_id.currency_id
        lines = []
        for approval in self.sudo().credit_approval_ids.filtered(lambda a: a.state == "approved"):
            missing = []
            if approval.expiry_date and approval.expiry_date < today:
                missing.append(self.env._("it expired on %(date)s", date=approval.expiry_date))
            if currency.compare_amounts(approval.approved_amount, verdict.amount) < 0:
                missing.append(
                    self.env._(
                        "this order is %(order)s, %(missing)s more than approved",
                        order=self._credit_fmt(verdict.amount),
                        missing=self._credit_fmt(verdict.amount - approval.approved_amount),
                    )
                )
            granted = set((approval.rule_codes or "").split(","))
            new_rules = verdict.codes - granted
            if new_rules:
                labels = approval._rule_labels()
                missing.append(
                    self.env._(
                        "it was granted for %(granted)s; the order now also breaks %(rules)s",
                        granted=", ".join(labels.get(c, c) for c in sorted(granted) if c),
                        rules=", ".join(labels.get(c, c) for c in sorted(new_rules)),
                    )
                )
            if missing:
                lines.append(
                    self.env._(
                        "Credit approval %(approval)s was approved by %(manager)s up to %(amount)s, valid until "
                        "%(expiry)s, but does not cover this order: %(missing)s.",
                        approval=approval.name,
                        manager=approval.decided_by_id.name,
                        amount=self._credit_fmt(approval.approved_amount),
                        expiry=approval.expiry_date,
                        missing="; ".join(missing),
                    )
                )
        return lines

    def _credit_refusal_message(self, verdict, today=None):
        lines = "\n".join(f"• {msg}" for _code, msg in verdict.failures)
        pending = self.sudo().credit_approval_ids.filtered(lambda a: a.state == "pending")
        shortfalls = self._credit_approval_shortfalls(verdict, today=today)
        if pending:
            next_step = self.env._(
                "Credit approval %(approval)s is waiting for a credit manager's decision.",
                approval=pending[0].name,
            )
        elif shortfalls:
            next_step = (
                "\n".join(shortfalls)
                + "\n"
                + self.env._(
                    'What you can do: click "Request Credit Approval" to ask for a new approval covering the whole '
                    "order, or reduce the order to what was approved."
                )
            )
        else:
            next_step = self.env._(
                'What you can do: click "Request Credit Approval" on the order, reduce the order, '
                "or ask the customer to pay its open invoices."
            )
        return self.env._(
            "%(order)s for %(customer)s cannot be confirmed:\n%(reasons)s\n%(next)s",
            order=self.name,
            customer=self.partner_invoice_id.commercial_partner_id.display_name,
            reasons=lines,
            next=next_step,
        )

    # ------------------------------------------------------------------
    # Paid or signed by the customer but refused: the quotation waits for people, the payment does not
    # ------------------------------------------------------------------
    def _validate_order(self):
        """Odoo's confirmation on the customer's side (a quotation signed on the portal): a credit
        refusal leaves the order a quotation for people to decide, never internal figures on the
        customer's screen."""
        for order in self:
            try:
                with self.env.cr.savepoint():
                    super(SaleOrder, order)._validate_order()
            except UserError as error:
                if not refused_order(error):
                    raise
                order._credit_keep_quotation(error.args[0])
        return None

    def _credit_keep_quotation(self, refusal, transaction=None):
        """A customer paid or signed, but the credit rules refuse the order: it stays a quotation, the
        salesperson and the credit approvers get an activity, the customer a neutral message."""
        self.ensure_one()
        order = self.sudo()
        if transaction:
            amount = formatLang(self.env, transaction.amount, currency_obj=transaction.currency_id)
            note = self.env._(
                "Payment %(reference)s of %(amount)s received online, but the order was not confirmed:\n"
                "%(refusal)s\nConfirm it once the credit rules allow it, or request a credit approval.",
                reference=transaction.reference,
                amount=amount,
                refusal=refusal,
            )
            # what the customer reads: no figure of its credit position
            public = self.env._(
                "Thank you for your payment of %(amount)s. Your order is being reviewed: we will confirm it shortly.",
                amount=amount,
            )
        else:
            note = self.env._(
                "The customer accepted the quotation, but it was not confirmed:\n%(refusal)s\n"
                "Confirm it once the credit rules allow it, or request a credit approval.",
                refusal=refusal,
            )
            public = self.env._("Thank you for your order. It is being reviewed: we will confirm it shortly.")
        order.message_post(body=note, subtype_xmlid="mail.mt_note")
        order.message_post(
            body=public, message_type="comment", subtype_xmlid="mail.mt_comment", partner_ids=order.partner_id.ids
        )
        users = order.user_id | order.company_id.credit_approver_id
        if not order.company_id.credit_approver_id:
            group = self.env.ref("credit_collection.group_credit_manager")
            managers = group.all_user_ids if "all_user_ids" in group._fields else group.users
            users |= managers.filtered(lambda u: order.company_id in u.company_ids and not u.share and u.active)
        for user in users:
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user.id,
                summary=self.env._("Not confirmed by the credit check: the customer is waiting"),
                note=note,
            )

    # ------------------------------------------------------------------
    # Approval requests
    # ------------------------------------------------------------------
    def action_request_credit_approval(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Request Credit Approval"),
            "res_model": "credit.approval.request",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def request_credit_approval(self, reason):
        """Public entry for RPC: same as the button and its wizard."""
        return self._credit_request_approval(reason).id

    @api.model
    def _credit_demo_request_approval(self, order_id, user_id, reason):
        """Demo data only: the request as the given salesman makes it (XML cannot switch user)."""
        self.browse(order_id).with_user(user_id)._credit_request_approval(reason)

    def _credit_request_approval(self, reason):
        """Create a pending approval for this order, with the figures of the refusal."""
        self.ensure_one()
        self.check_access("write")  # only who may work on the order may ask for it
        if self.state not in ("draft", "sent"):
            raise UserError(
                self.env._(
                    "%(order)s is not a quotation any more (%(state)s): a credit approval can only be "
                    "requested before confirmation.",
                    order=self.name,
                    state=dict(self._fields["state"]._description_selection(self.env)).get(self.state),
                )
            )
        if not (reason or "").strip():
            raise UserError(self.env._("Say why this order should be accepted: the credit manager decides on it."))
        if self.sudo().credit_approval_ids.filtered(lambda a: a.state == "pending"):
            raise UserError(
                self.env._("%(order)s already has a credit approval waiting for a decision.", order=self.name)
            )
        verdict = self._credit_evaluate().get(self.id)
        if not verdict or not verdict.failures:
            raise UserError(
                self.env._("%(order)s passes the credit check: confirm it, no approval is needed.", order=self.name)
            )
        approval = self.env["credit.approval"].sudo()._create_request(self, verdict, reason)
        return approval.sudo(False)

    # ------------------------------------------------------------------
    # Credit file: the grade's trading conditions. Every figure comes from the exposure statement
    # (Exposure.extra, see credit_exposure_credit_file.py): these rules add no query per order.
    # ------------------------------------------------------------------
    def _credit_grade_enforced(self, verdict):
        """The grade's conditions apply with the company's credit control (the "Sales Credit Limit" setting)."""
        return self.company_id.account_use_credit_limit and verdict.exposure.extra.get("grade")

    def _credit_payment_term_days(self):
        """The longest delay of the order's payment term, in days from the order date (0 = immediate)."""
        self.ensure_one()
        date_ref = fields.Date.to_date(self.date_order) if self.date_order else fields.Date.context_today(self)
        lines = self.payment_term_id.line_ids
        return max(((line._get_due_date(date_ref) - date_ref).days for line in lines), default=0)

    def _credit_rule_grade_term(self, verdict, today=None):
        grade = self._credit_grade_enforced(verdict)
        if not grade or not grade["term_days"]:
            return None
        days = self._credit_payment_term_days()
        if days <= grade["term_days"]:
            return None
        return (
            "grade_term",
            self.env._(
                "Payment term too long for grade %(grade)s: %(term)s gives up to %(days)s days, the grade allows "
                "%(allowed)s days. Choose a shorter payment term or request a credit approval.",
                grade=grade["name"],
                term=self.payment_term_id.display_name,
                days=days,
                allowed=grade["term_days"],
            ),
        )

    def _credit_rule_grade_prepayment(self, verdict, today=None):
        grade = self._credit_grade_enforced(verdict)
        if not grade or not grade["prepayment"]:
            return None
        exp = verdict.exposure
        currency = exp.currency
        required = currency.round(verdict.amount * grade["prepayment"] / 100.0)
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
                grade=grade["name"],
                pct=grade["prepayment"],
                required=self._credit_fmt(required),
                received=self._credit_fmt(received),
                online=self._credit_fmt(online),
                on_account=self._credit_fmt(on_account),
                missing=self._credit_fmt(required - received),
            ),
        )

    def _credit_rule_grade_guarantee(self, verdict, today=None):
        grade = self._credit_grade_enforced(verdict)
        if not grade or not grade["guarantee_above"]:
            return None
        exp = verdict.exposure
        currency = exp.currency
        threshold = currency.round(grade["guarantee_above"])
        after = currency.round(exp.total + verdict.amount)
        if currency.compare_amounts(after, threshold) <= 0:
            return None
        needed = currency.round(after - threshold)
        held = exp.extra.get("guarantee_total", 0.0)
        if currency.compare_amounts(held, needed) >= 0:
            return None
        return (
            "grade_guarantee",
            self.env._(
                "Guarantee missing for grade %(grade)s: exposure after this order %(after)s is above "
                "%(threshold)s, so %(needed)s must be covered by a valid guarantee; valid guarantees "
                "%(held)s; missing %(missing)s. Register a guarantee on the customer, or request a credit approval.",
                grade=grade["name"],
                after=self._credit_fmt(after),
                threshold=self._credit_fmt(threshold),
                needed=self._credit_fmt(needed),
                held=self._credit_fmt(held),
                missing=self._credit_fmt(needed - held),
            ),
        )

    def _credit_rule_grade_overdue(self, verdict, grade, today=None):
        """The overdue rule with the grade's own tolerance instead of the company's."""
        exp = verdict.exposure
        company = self.company_id
        late = exp.currency.round(grade["late_amount"])
        if not grade["late_due"] or exp.currency.compare_amounts(late, company.credit_overdue_min_amount) <= 0:
            return None
        today = today or fields.Date.context_today(self)
        return (
            "overdue",
            self.env._(
                "Overdue invoices: %(amount)s overdue by more than %(days)s days (tolerance of grade %(grade)s, "
                "minimum %(minimum)s); oldest %(invoice)s, due %(due)s, %(late)s days overdue. Ask the customer "
                "to pay, or request a credit approval.",
                amount=self._credit_fmt(late),
                days=grade["tolerance"],
                grade=grade["name"],
                minimum=self._credit_fmt(company.credit_overdue_min_amount),
                invoice=grade["late_move"],
                due=grade["late_due"],
                late=(today - grade["late_due"]).days,
            ),
        )
