from odoo import models
from odoo.tools.sql import create_index


class AccountMove(models.Model):
    _inherit = "account.move"

    def init(self):
        res = super().init()
        # The exposure query sums a customer's draft invoices; account_move has no index on
        # commercial_partner_id, and drafts are few: a small partial index keeps it constant-time.
        create_index(
            self.env.cr,
            indexname="account_move_credit_draft_idx",
            tablename="account_move",
            expressions=["commercial_partner_id", "company_id"],
            where="state = 'draft' AND move_type IN ('out_invoice', 'out_refund')",
        )
        return res
