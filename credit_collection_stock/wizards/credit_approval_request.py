from odoo import api, fields, models


class CreditApprovalRequest(models.TransientModel):
    """The same request, from a delivery the credit rules stop: the order's figures as the delivery
    sees them (what is left to invoice, the rules of the "Check credit at" setting)."""

    _inherit = "credit.approval.request"

    picking_id = fields.Many2one("stock.picking", string="Delivery", readonly=True)

    @api.depends("order_id", "picking_id")
    def _compute_check_message(self):
        from_delivery = self.filtered("picking_id")
        for wizard in from_delivery:
            wizard.check_message = wizard.picking_id.credit_check_message
        return super(CreditApprovalRequest, self - from_delivery)._compute_check_message()

    def action_request(self):
        self.ensure_one()
        if not self.picking_id:
            return super().action_request()
        self.picking_id._credit_request_approval(self.reason)
        return {"type": "ir.actions.act_window_close"}
