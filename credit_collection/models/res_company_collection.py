from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    collection_strategy_id = fields.Many2one(
        "credit.collection.strategy",
        string="Default Collection Strategy",
        help="Applies to customers without a strategy of their own or of their grade.",
    )
    collection_promise_grace_days = fields.Integer(
        string="Promise Grace (days)",
        default=3,
        help="An open promise to pay pauses the chase until its date plus these days.",
    )
    collection_default_days_late = fields.Integer(
        string="Default Days Late",
        default=0,
        help="Predicted payment = due date + this, for customers without paid history in the last 12 months.",
    )
    collection_fee_product_id = fields.Many2one("product.product", string="Late Fee Product")
    collection_bad_debt_account_id = fields.Many2one(
        "account.account", string="Bad Debt Account", help="Written-off invoices are charged to this account."
    )
    collection_writeoff_journal_id = fields.Many2one(
        "account.journal", string="Write-off Journal", domain="[('type', '=', 'general')]"
    )

    @api.constrains("collection_promise_grace_days")
    def _check_collection_settings(self):
        for company in self:
            if company.collection_promise_grace_days < 0:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the promise grace period cannot be negative (got %(days)s).",
                        company=company.name,
                        days=company.collection_promise_grace_days,
                    )
                )
