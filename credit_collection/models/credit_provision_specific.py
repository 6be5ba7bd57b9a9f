"""Specific provisions: customers or invoices assessed one by one (legal case, bankruptcy, ...).

Their open items leave the provision matrix and carry the specific rate instead (often 100 %).
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CreditProvisionSpecific(models.Model):
    _name = "credit.provision.specific"
    _description = "Specific provision"
    _inherit = ["mail.thread"]
    _order = "company_id, partner_id, id"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
        help="Every open item of this customer (commercial entity) is provisioned at the specific rate, "
        "unless an invoice is given.",
    )
    move_id = fields.Many2one(
        "account.move",
        "Invoice",
        check_company=True,
        tracking=True,
        domain="[('move_type', 'in', ('out_invoice', 'out_refund')), ('commercial_partner_id', '=', partner_id)]",
        help="Leave empty to provision the whole customer.",
    )
    rate = fields.Float("Rate (%)", digits=(16, 4), default=100.0, required=True, tracking=True)
    reason = fields.Char(required=True, tracking=True, help="Legal case, bankruptcy, ...")
    active = fields.Boolean(default=True, tracking=True)

    @api.depends("partner_id", "move_id", "rate")
    def _compute_display_name(self):
        for spec in self:
            spec.display_name = f"{spec.move_id.name or spec.partner_id.display_name} ({spec.rate:g} %)"

    @api.constrains("rate")
    def _check_rate(self):
        for spec in self:
            if not 0 <= spec.rate <= 100:
                raise ValidationError(
                    self.env._(
                        "The specific provision rate of %(name)s is %(rate)s %%: it must lie between 0 and 100 %%.",
                        name=spec.partner_id.display_name,
                        rate=spec.rate,
                    )
                )
