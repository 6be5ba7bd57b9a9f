from odoo import fields, models


class CreditGuaranteeType(models.Model):
    _name = "credit.guarantee.type"
    _description = "Guarantee Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    secures_credit = fields.Boolean(
        help="Valid guarantees of this type raise the customer's effective credit limit by their amount."
    )
