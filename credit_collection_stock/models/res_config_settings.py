from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    credit_check_at = fields.Selection(related="company_id.credit_check_at", readonly=False)
