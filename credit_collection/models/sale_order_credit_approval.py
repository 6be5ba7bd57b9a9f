"""Credit approvals from the order: the request, and the approval that covers a refused order."""

from odoo import fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

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
