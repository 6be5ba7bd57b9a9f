from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import formatLang

# Set only by the request and decision methods (which run them through sudo after their checks).
PROTECTED_FIELDS = {
    "name",
    "order_id",
    "partner_id",
    "company_id",
    "requested_by_id",
    "request_date",
    "reason",
    "order_amount",
    "exposure_receivable",
    "exposure_draft",
    "exposure_orders",
    "credit_limit",
    "rule_codes",
    "check_message",
    "state",
    "approved_amount",
    "decided_by_id",
    "decided_on",
    "decision_comment",
    "expiry_date",
}


class CreditApproval(models.Model):
    """An exception to the credit rules for one sales order: requested, then decided, audited."""

    _name = "credit.approval"
    _description = "Credit Approval"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "request_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    order_id = fields.Many2one(
        "sale.order", required=True, readonly=True, ondelete="restrict", index=True, check_company=True
    )
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    salesperson_id = fields.Many2one(related="order_id.user_id", string="Salesperson")
    requested_by_id = fields.Many2one("res.users", required=True, readonly=True)
    request_date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    reason = fields.Text(required=True, readonly=True)
    order_amount = fields.Monetary(readonly=True, help="Order total in company currency.")
    exposure_receivable = fields.Monetary(string="Open Receivables", readonly=True)
    exposure_draft = fields.Monetary(string="Draft Invoices", readonly=True)
    exposure_orders = fields.Monetary(string="Orders Not Invoiced", readonly=True)
    exposure_total = fields.Monetary(string="Exposure", compute="_compute_excess", store=True)
    credit_limit = fields.Monetary(readonly=True)
    excess = fields.Monetary(compute="_compute_excess", store=True, help="Exposure + this order - limit.")
    rule_codes = fields.Char(string="Rules", readonly=True, help="Rules the order broke, comma separated.")
    check_message = fields.Text(string="Credit Check", readonly=True)
    state = fields.Selection(
        [("pending", "Pending"), ("approved", "Approved"), ("rejected", "Rejected")],
        default="pending",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    approved_amount = fields.Monetary(readonly=True, tracking=True)
    decided_by_id = fields.Many2one("res.users", readonly=True, tracking=True)
    decided_on = fields.Datetime(readonly=True)
    decision_comment = fields.Text(readonly=True)
    expiry_date = fields.Date(string="Valid Until", readonly=True, tracking=True)
    is_expired = fields.Boolean(compute="_compute_is_expired", search="_search_is_expired")
    rule_names = fields.Char(string="Refused By", compute="_compute_summaries", help="The rules the order broke.")
    reason_summary = fields.Char(string="Reason (one line)", compute="_compute_summaries")
    approved_summary = fields.Char(
        string="Approved",
        compute="_compute_summaries",
        help="How much of the order the approval covers; empty until it is approved.",
    )

    @api.model
    def _rule_labels(self):
        """Readable names of the rule codes an approval is granted for."""
        return {
            "hold": self.env._("Credit hold"),
            "limit": self.env._("Credit limit"),
            "no_credit": self.env._("No credit (prepay)"),
            "overdue": self.env._("Overdue invoices"),
            "grade_term": self.env._("Grade: payment term"),
            "grade_prepayment": self.env._("Grade: prepayment"),
            "grade_guarantee": self.env._("Grade: guarantee"),
        }

    @api.depends("rule_codes", "reason", "state", "approved_amount", "order_amount")
    def _compute_summaries(self):
        labels = self._rule_labels()
        for approval in self:
            codes = [c for c in (approval.rule_codes or "").split(",") if c]
            approval.rule_names = ", ".join(labels.get(c, c) for c in codes) or False
            # one line in a list (the cell ends in "…" and shows the whole text on hover)
            lines = [line.strip() for line in (approval.reason or "").splitlines() if line.strip()]
            approval.reason_summary = " · ".join(lines) or False
            if approval.state != "approved":
                approval.approved_summary = False  # pending or rejected: nothing is approved
            elif approval.currency_id.compare_amounts(approval.approved_amount, approval.order_amount) < 0:
                approval.approved_summary = self.env._(
                    "up to %(approved)s of %(order)s",
                    approved=formatLang(self.env, approval.approved_amount, currency_obj=approval.currency_id),
                    order=formatLang(self.env, approval.order_amount, currency_obj=approval.currency_id),
                )
            else:
                approval.approved_summary = self.env._(
                    "in full: %(order)s",
                    order=formatLang(self.env, approval.order_amount, currency_obj=approval.currency_id),
                )

    @api.depends("exposure_receivable", "exposure_draft", "exposure_orders", "order_amount", "credit_limit")
    def _compute_excess(self):
        for approval in self:
            total = approval.exposure_receivable + approval.exposure_draft + approval.exposure_orders
            approval.exposure_total = total
            approval.excess = (
                max(total + approval.order_amount - approval.credit_limit, 0.0) if approval.credit_limit else 0.0
            )

    @api.depends("state", "expiry_date")
    @api.depends_context("date")
    def _compute_is_expired(self):
        today = fields.Date.context_today(self)
        for approval in self:
            approval.is_expired = (
                approval.state == "approved" and bool(approval.expiry_date) and approval.expiry_date < today
            )

    def _search_is_expired(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on expiry."))
        today = fields.Date.context_today(self)
        expired = [("state", "=", "approved"), ("expiry_date", "<", today)]
        return expired if (operator == "=") == value else ["!", *expired]

    # ------------------------------------------------------------------
    # Integrity: figures and decisions are written by the methods below only
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(
                self.env._('Credit approvals are requested from the sales order ("Request Credit Approval").')
            )
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("credit.approval") or "/"
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and PROTECTED_FIELDS & set(vals):
            raise AccessError(
                self.env._(
                    "Credit approvals are changed only by their request and decision buttons (fields: %(fields)s).",
                    fields=", ".join(sorted(PROTECTED_FIELDS & set(vals))),
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never_audit_trail(self):
        if not self.env.su:
            raise AccessError(self.env._("Credit approvals are an audit trail: they cannot be deleted."))

    # ------------------------------------------------------------------
    # Request
    # ------------------------------------------------------------------
    @api.model
    def _create_request(self, order, verdict, reason):
        """Called (as sudo) by sale.order._credit_request_approval after its checks."""
        exp = verdict.exposure
        approval = self.create(
            {
                "order_id": order.id,
                "partner_id": order.partner_invoice_id.commercial_partner_id.id,
                "company_id": order.company_id.id,
                "requested_by_id": self.env.uid,
                "reason": reason.strip(),
                "order_amount": verdict.amount,
                "exposure_receivable": exp.receivable,
                "exposure_draft": exp.draft_invoices,
                "exposure_orders": exp.open_orders,
                "credit_limit": exp.limit,
                "rule_codes": ",".join(sorted(verdict.codes)),
                "check_message": "\n".join(msg for _code, msg in verdict.failures),
            }
        )
        for user in approval._approvers():
            approval.activity_schedule(
                "credit_collection.mail_activity_type_credit_approval",
                user_id=user.id,
                summary=self.env._("Credit approval for %(order)s", order=order.name),
                note=approval.check_message,
            )
        order.message_post(
            body=self.env._(
                "Credit approval %(approval)s requested by %(user)s: %(reason)s\n%(check)s",
                approval=approval.name,
                user=self.env.user.name,
                reason=approval.reason,
                check=approval.check_message,
            )
        )
        return approval

    def _approvers(self):
        """Who decides: the company's credit approver, else its credit managers; never the requester."""
        self.ensure_one()
        return self.company_id._credit_approvers().filtered(lambda u: u != self.requested_by_id and u.active)

    # ------------------------------------------------------------------
    # Decision
    # ------------------------------------------------------------------
    def _check_can_decide(self):
        for approval in self:
            if not self.env.user.has_group("credit_collection.group_credit_manager"):
                raise AccessError(self.env._("Only credit managers can approve or reject credit approvals."))
            if approval.requested_by_id == self.env.user:
                raise UserError(
                    self.env._(
                        "You requested %(approval)s yourself: another credit manager must decide on it.",
                        approval=approval.name,
                    )
                )
            if approval.state != "pending":
                raise UserError(
                    self.env._(
                        "%(approval)s was already decided (%(state)s) by %(user)s.",
                        approval=approval.name,
                        state=dict(self._fields["state"]._description_selection(self.env))[approval.state],
                        user=approval.decided_by_id.name,
                    )
                )
            if not approval._credit_decidable():
                raise UserError(
                    self.env._(
                        "%(order)s is no longer a quotation (confirmed or cancelled): %(approval)s cannot be "
                        "decided any more.",
                        order=approval.order_id.name,
                        approval=approval.name,
                    )
                )

    def _credit_decidable(self):
        """Whether the order can still use a decision: approvals are requested on quotations.
        Extended where an approval may be requested later (a blocked delivery of a confirmed order)."""
        self.ensure_one()
        return self.order_id.state in ("draft", "sent")

    def _approve(self, amount, comment=""):
        self._check_can_decide()
        for approval in self:
            if approval.currency_id.compare_amounts(amount, 0.0) <= 0:
                raise UserError(
                    self.env._(
                        "The approved amount must be positive (got %(amount)s). To refuse the order, reject it.",
                        amount=amount,
                    )
                )
            validity = approval.company_id.credit_approval_validity_days
            approval.sudo().write(
                {
                    "state": "approved",
                    "approved_amount": approval.currency_id.round(amount),
                    "decided_by_id": self.env.uid,
                    "decided_on": fields.Datetime.now(),
                    "decision_comment": comment or False,
                    "expiry_date": fields.Date.context_today(self) + timedelta(days=validity),
                }
            )
            approval._announce_decision()
        return True

    def _reject(self, comment):
        self._check_can_decide()
        if not (comment or "").strip():
            raise UserError(self.env._("Say why the request is rejected: the sales rep reads it."))
        self.sudo().write(
            {
                "state": "rejected",
                "decided_by_id": self.env.uid,
                "decided_on": fields.Datetime.now(),
                "decision_comment": comment.strip(),
            }
        )
        for approval in self:
            approval._announce_decision()
        return True

    def _announce_decision(self):
        self.ensure_one()
        self.activity_feedback(["credit_collection.mail_activity_type_credit_approval"], feedback=self.decision_comment)
        body = self._decision_message()
        self.message_post(body=body, partner_ids=self.requested_by_id.partner_id.ids)
        # The credit manager need not have rights on sales orders to leave the trace there.
        self.order_id.sudo().message_post(body=body, author_id=self.env.user.partner_id.id)

    def _decision_message(self):
        """The decision in one sentence: who decided, up to how much and until when (approved), or
        why not (rejected). Posted on the approval and the order, and shown where the order waits."""
        self.ensure_one()
        if self.state == "approved":
            return self.env._(
                "Credit approval %(approval)s approved by %(user)s up to %(amount)s, valid until %(expiry)s. "
                "%(comment)s",
                approval=self.name,
                user=self.decided_by_id.name,
                amount=self.order_id._credit_fmt(self.approved_amount),
                expiry=self.expiry_date,
                comment=self.decision_comment or "",
            )
        return self.env._(
            "Credit approval %(approval)s rejected by %(user)s: %(comment)s",
            approval=self.name,
            user=self.decided_by_id.name,
            comment=self.decision_comment,
        )

    def action_approve(self, amount=None, comment=""):
        """Approve up to `amount` (default: the order amount). Public, for RPC."""
        for approval in self:
            approval._approve(approval.order_amount if amount is None else amount, comment)
        return True

    def action_reject(self, comment=""):
        """Reject with a comment (required). Public, for RPC."""
        return self._reject(comment)

    def action_open_decision(self):
        self.ensure_one()
        self._check_can_decide()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Decide on %(approval)s", approval=self.name),
            "res_model": "credit.approval.decision",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_approval_id": self.id,
                "default_decision": self.env.context.get("credit_decision", "approve"),
                "default_approved_amount": self.order_amount,
            },
        }
