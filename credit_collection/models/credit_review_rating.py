from odoo import api, fields, models


class CreditReviewRating(models.Model):
    _name = "credit.review.rating"
    _description = "Credit Review Qualitative Rating"
    _order = "review_id, sequence, id"

    review_id = fields.Many2one("credit.review", required=True, ondelete="cascade", index=True)
    criterion_id = fields.Many2one("credit.rating.criterion", required=True)
    sequence = fields.Integer(related="criterion_id.sequence", store=True)
    rating = fields.Selection([("1", "1 – poor"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5 – excellent")])
    comment = fields.Char()

    _sql_constraints = [
        ("criterion_uniq", "unique(review_id, criterion_id)", "Each criterion is rated once per review."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        reviews = self.env["credit.review"].browse([v["review_id"] for v in vals_list if v.get("review_id")])
        reviews._check_state("draft", self.env._("rated"))
        return super().create(vals_list)

    def write(self, vals):
        self.review_id._check_state("draft", self.env._("rated"))
        return super().write(vals)
