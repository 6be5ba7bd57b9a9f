from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    collection_strategy_id = fields.Many2one(related="company_id.collection_strategy_id", readonly=False)
    collection_promise_grace_days = fields.Integer(related="company_id.collection_promise_grace_days", readonly=False)
    collection_default_days_late = fields.Integer(related="company_id.collection_default_days_late", readonly=False)
    collection_fee_product_id = fields.Many2one(related="company_id.collection_fee_product_id", readonly=False)
    collection_bad_debt_account_id = fields.Many2one(
        related="company_id.collection_bad_debt_account_id", readonly=False
    )
    collection_writeoff_journal_id = fields.Many2one(
        related="company_id.collection_writeoff_journal_id", readonly=False
    )
