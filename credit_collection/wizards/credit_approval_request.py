from odoo import api, fields, models


class CreditApprovalRequest(models.TransientModel):
    """What the sales rep fills in to ask for an exception to the credit rules."""

    _name = "credit.approval.request"
    _description = "Request a Credit Approval"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    check_message = fields.Text(string="Credit Check", compute="_compute_check_message")
    reason = fields.Text(required=True, help="Why the order should be accepted: the credit manager decides on it.")

    @api.depends("order_id")
    def _compute_check_message(self):
        for wizard in self:
            wizard.check_message = wizard.order_id.credit_check_message

    def action_request(self):
        self.ensure_one()
        self.order_id._credit_request_approval(self.reason)
        return {"type": "ir.actions.act_window_close"}
