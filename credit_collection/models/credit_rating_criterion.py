from odoo import fields, models


class CreditRatingCriterion(models.Model):
    _name = "credit.rating.criterion"
    _description = "Qualitative Rating Criterion"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True, help="What 1 and 5 mean for this criterion.")
