from odoo import api, fields, models


class CreditReviewScoreLine(models.Model):
    _name = "credit.review.score.line"
    _description = "Credit Review Score Line"
    _order = "review_id, id"

    review_id = fields.Many2one("credit.review", required=True, ondelete="cascade", index=True)
    factor_id = fields.Many2one("credit.score.factor", string="Scorecard Factor", ondelete="set null")
    name = fields.Char(string="Factor", required=True)
    weight = fields.Float()
    has_data = fields.Boolean()
    raw_value = fields.Float(digits=(16, 2))
    value_display = fields.Char(string="Value", compute="_compute_value_display")
    band = fields.Char()
    points = fields.Float(digits=(16, 2))
    contribution = fields.Float(digits=(16, 2))

    @api.depends("has_data", "raw_value")
    def _compute_value_display(self):
        for line in self:
            line.value_display = f"{line.raw_value:,.2f}" if line.has_data else self.env._("no data")
