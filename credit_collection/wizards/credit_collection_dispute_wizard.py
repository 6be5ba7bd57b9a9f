from odoo import fields, models

from ..models.account_move import DISPUTE_REASONS


class CreditCollectionDisputeWizard(models.TransientModel):
    _name = "credit.collection.dispute.wizard"
    _description = "Mark Invoices Disputed"

    partner_id = fields.Many2one("res.partner", string="Customer")
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        required=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), ('collection_dispute', '=', False),"
        " ('commercial_partner_id', '=', partner_id)]",
    )
    reason = fields.Selection(DISPUTE_REASONS, string="Dispute Reason", required=True)
    note = fields.Text(string="Notes")

    def action_confirm(self):
        self.ensure_one()
        self.move_ids.action_collection_dispute(self.reason, self.note or "")
        return {"type": "ir.actions.act_window_close"}
