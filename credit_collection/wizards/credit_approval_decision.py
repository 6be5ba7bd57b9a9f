from odoo import fields, models


class CreditApprovalDecision(models.TransientModel):
    """A credit manager's decision on a pending approval, with a comment."""

    _name = "credit.approval.decision"
    _description = "Decide on a Credit Approval"

    approval_id = fields.Many2one("credit.approval", required=True, readonly=True)
    currency_id = fields.Many2one(related="approval_id.currency_id")
    check_message = fields.Text(related="approval_id.check_message")
    reason = fields.Text(related="approval_id.reason")
    decision = fields.Selection([("approve", "Approve"), ("reject", "Reject")], required=True, default="approve")
    approved_amount = fields.Monetary(help="The order may be confirmed up to this amount (company currency).")
    comment = fields.Text()

    def action_decide(self):
        self.ensure_one()
        if self.decision == "approve":
            self.approval_id._approve(self.approved_amount, self.comment)
        else:
            self.approval_id._reject(self.comment)
        return {"type": "ir.actions.act_window_close"}
