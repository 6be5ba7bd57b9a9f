from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .parent_write import not_writing, parent_writing

# What a factor can measure on a review. Ratios return None ("no data") on a zero denominator.
METRICS = [
    ("current_ratio", "Current ratio (current assets ÷ current liabilities)"),
    ("debt_ratio", "Debt ratio % (total liabilities ÷ total assets)"),
    ("equity_ratio", "Equity ratio % (equity ÷ total assets)"),
    ("net_margin", "Net margin % (net profit ÷ revenue)"),
    ("cash_flow_ratio", "Operating cash flow ÷ current liabilities"),
    ("years_in_business", "Years in business"),
    ("employees", "Employees"),
    ("industry_risk", "Industry risk (1 low – 3 high)"),
    ("sales_12m", "Sales, last 12 months"),
    ("avg_days_late", "Average days paid late (amount-weighted)"),
    ("late_share", "Invoices paid late %"),
    ("oldest_overdue_days", "Oldest overdue invoice today (days)"),
    ("exposure_ratio", "Exposure % of limit"),
    ("peak_ratio", "Peak receivable (12 months) % of limit"),
    ("broken_promises", "Broken promises to pay"),
    ("disputes", "Disputed invoices"),
    ("rating", "Qualitative rating (1–5) of one criterion"),
    ("rating_average", "Average of the qualitative ratings (1–5)"),
]


class CreditScorecard(models.Model):
    """A company's scorecard: weighted factors, each turning a measured value into 0-100 points."""

    _name = "credit.scorecard"
    _description = "Credit Scorecard"
    _inherit = ["mail.thread"]
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    factor_ids = fields.One2many("credit.score.factor", "scorecard_id", string="Factors", copy=True)
    total_weight = fields.Float(compute="_compute_total_weight")

    @api.depends("factor_ids.weight")
    def _compute_total_weight(self):
        for card in self:
            card.total_weight = sum(card.factor_ids.mapped("weight"))

    @api.constrains("factor_ids", "active")
    def _check_weights(self):
        for card in self.filtered("active"):
            total = round(sum(card.factor_ids.mapped("weight")), 6)
            if card.factor_ids and total != 100:
                raise ValidationError(
                    self.env._(
                        "Scorecard %(card)s: the factors' weights total %(total)s; they must total exactly 100.",
                        card=card.name,
                        total=total,
                    )
                )

    def write(self, vals):
        # Factors edited together with their scorecard are checked once, on the final total
        # (the constraint above runs when factor_ids is written).
        with parent_writing(self):
            return super().write(vals)

    @api.model
    def _for_company(self, company):
        return self.search([("company_id", "=", company.id)], order="sequence, id", limit=1)


class CreditScoreFactor(models.Model):
    _name = "credit.score.factor"
    _description = "Credit Score Factor"
    _order = "scorecard_id, sequence, id"

    scorecard_id = fields.Many2one("credit.scorecard", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="scorecard_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    metric = fields.Selection(METRICS, required=True)
    criterion_id = fields.Many2one(
        "credit.rating.criterion", help="For the metric 'Qualitative rating': which criterion's rating."
    )
    weight = fields.Float(required=True, help="Share of the score, in %; the factors of a scorecard total 100.")
    band_ids = fields.One2many("credit.score.band", "factor_id", string="Bands", copy=True)

    @api.constrains("weight", "metric", "criterion_id", "scorecard_id")
    def _check_factor(self):
        for factor in self:
            if factor.weight <= 0:
                raise ValidationError(
                    self.env._(
                        "Factor %(factor)s: its weight must be positive (got %(weight)s).",
                        factor=factor.name,
                        weight=factor.weight,
                    )
                )
            if factor.metric == "rating" and not factor.criterion_id:
                raise ValidationError(
                    self.env._("Factor %(factor)s: choose the criterion whose rating it scores.", factor=factor.name)
                )
        not_writing(self.scorecard_id)._check_weights()

    def unlink(self):
        # the remaining factors of an active scorecard must still total 100
        cards = self.scorecard_id
        res = super().unlink()
        not_writing(cards.exists())._check_weights()
        return res

    def _points(self, value):
        """(points, band label) for a measured value; None value = no data."""
        self.ensure_one()
        if value is None or not self.band_ids:
            return None, ""
        bands = self.band_ids.sorted("value_from")
        chosen = bands[0]  # values below the lowest threshold fall in the lowest band
        for band in bands:
            if value >= band.value_from:
                chosen = band
        return chosen.points, chosen.display_name


class CreditScoreBand(models.Model):
    """From `value_from` (inclusive) up to the next band's threshold: `points`. Thresholds tile the
    whole line by construction: the lowest band also takes anything below it."""

    _name = "credit.score.band"
    _description = "Credit Score Band"
    _order = "factor_id, value_from"

    factor_id = fields.Many2one("credit.score.factor", required=True, ondelete="cascade", index=True)
    value_from = fields.Float(string="From Value", required=True, digits=(16, 4))
    points = fields.Float(required=True, help="0 to 100.")

    _sql_constraints = [
        ("threshold_uniq", "unique(factor_id, value_from)", "Two bands of a factor cannot start at the same value."),
    ]

    @api.depends("value_from", "points", "factor_id.band_ids")
    def _compute_display_name(self):
        for band in self:
            higher = band.factor_id.band_ids.filtered(lambda b, v=band.value_from: b.value_from > v)
            upper = min(higher.mapped("value_from")) if higher else None
            band.display_name = f"{band.value_from:g} – <{upper:g}" if upper is not None else f"≥ {band.value_from:g}"

    @api.constrains("points")
    def _check_points(self):
        for band in self:
            if not 0 <= band.points <= 100:
                raise ValidationError(
                    self.env._(
                        "Factor %(factor)s: points are between 0 and 100 (got %(points)s).",
                        factor=band.factor_id.name,
                        points=band.points,
                    )
                )
