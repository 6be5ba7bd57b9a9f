"""How a credit review is measured and scored: the customer's behaviour read from Odoo, then each
factor of the company's scorecard turned into points, a grade and a suggested limit."""

from odoo import fields, models
from odoo.exceptions import UserError

INDUSTRY_RISK = {"low": 1, "medium": 2, "high": 3}


class CreditReview(models.Model):
    _inherit = "credit.review"

    # ------------------------------------------------------------------
    # Behaviour measured from Odoo: a few aggregates whatever the history
    # ------------------------------------------------------------------
    def _measure_behaviour(self, today=None):
        """Measure and store the customer's behaviour (12 months back from `today`)."""
        today = today or fields.Date.context_today(self)
        behaviour = self.env["credit.payment.behaviour"].sudo()
        for review in self:
            partner = review.partner_id.commercial_partner_id
            company = review.company_id
            currency = company.currency_id
            figures = behaviour._review_figures(partner, company, today)
            sales, late_weighted, paid_amount, late_count, due_count, peak = figures
            exp = self.env["credit.exposure"].sudo()._get_exposures(partner, company, today=today)[partner.id]
            vals = {
                "measured_on": today,
                "sales_12m": currency.round(float(sales)),
                "avg_days_late": float(late_weighted) / float(paid_amount) if paid_amount else 0.0,
                "avg_days_late_has_data": bool(paid_amount),
                "late_share": late_count * 100.0 / due_count if due_count else 0.0,
                "late_share_has_data": bool(due_count),
                "oldest_overdue_days": (today - exp.oldest_due_date).days if exp.oldest_due_date else 0,
                "exposure": exp.total,
                "peak_exposure": currency.round(max(float(peak or 0.0), exp.total)),
                "limit_at_review": exp.limit,
                # the customer's limit at the time, until the decision records the one it replaces
                "previous_limit": exp.limit,
                "broken_promises": review._count_broken_promises(partner, company),
                "disputes": review._count_disputes(partner, company),
            }
            review._internal().write(vals)

    def _count_broken_promises(self, partner, company):
        """Promises to pay the customer broke in `company` (all time), as the daily run counts them."""
        return int(partner.with_company(company).sudo().collection_broken_promise_count or 0)

    def _count_disputes(self, partner, company):
        """The customer's posted invoices in `company` under dispute."""
        return (
            self.env["account.move"]
            .sudo()
            .search_count(
                [
                    ("commercial_partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("collection_dispute", "!=", False),
                ]
            )
        )

    # ------------------------------------------------------------------
    # Scoring
    # ------------------------------------------------------------------
    def _metric_value(self, factor):
        """The raw value a factor scores; None = no data (zero denominator, nothing measured)."""
        self.ensure_one()
        has_statement = bool(self.fiscal_year)

        def ratio(num, den, pct=False):
            if not has_statement or not den:
                return None
            return num / den * (100.0 if pct else 1.0)

        metric = factor.metric
        if metric == "current_ratio":
            return ratio(self.current_assets, self.current_liabilities)
        if metric == "debt_ratio":
            return ratio(self.total_liabilities, self.total_assets, pct=True)
        if metric == "equity_ratio":
            return ratio(self.equity, self.total_assets, pct=True)
        if metric == "net_margin":
            return ratio(self.net_profit, self.revenue, pct=True)
        if metric == "cash_flow_ratio":
            return ratio(self.operating_cash_flow, self.current_liabilities)
        if metric == "years_in_business":
            return float(self.years_in_business)
        if metric == "employees":
            return float(self.employees)
        if metric == "industry_risk":
            return float(INDUSTRY_RISK[self.industry_risk]) if self.industry_risk else None
        if metric == "sales_12m":
            return self.sales_12m
        if metric == "avg_days_late":
            return self.avg_days_late if self.avg_days_late_has_data else None
        if metric == "late_share":
            return self.late_share if self.late_share_has_data else None
        if metric == "oldest_overdue_days":
            return float(self.oldest_overdue_days)
        if metric == "exposure_ratio":
            return self.exposure / self.limit_at_review * 100.0 if self.limit_at_review else None
        if metric == "peak_ratio":
            return self.peak_exposure / self.limit_at_review * 100.0 if self.limit_at_review else None
        if metric == "broken_promises":
            return float(self.broken_promises)
        if metric == "disputes":
            return float(self.disputes)
        if metric == "rating":
            rating = self.rating_ids.filtered(lambda r: r.criterion_id == factor.criterion_id and r.rating)
            return float(rating[0].rating) if rating else None
        if metric == "rating_average":
            rated = [int(r.rating) for r in self.rating_ids if r.rating]
            return sum(rated) / len(rated) if rated else None
        return None

    def _compute_score(self):
        """Score every factor of the company's scorecard, grade and suggest a limit.

        Each factor gives 0-100 points from its bands. Factors without data are left out and the
        weights of the others are scaled up to 100: contribution = points × weight / Σ weights with
        data; the score (0-100) is the sum of the contributions.
        """
        for review in self:
            card = self.env["credit.scorecard"]._for_company(review.company_id)
            if not card:
                raise UserError(
                    self.env._(
                        "%(company)s has no scorecard: a credit manager sets one up in Credit & Collection > "
                        "Configuration > Scorecards.",
                        company=review.company_id.name,
                    )
                )
            rows = []
            for factor in card.factor_ids:
                value = review._metric_value(factor)
                points, band = factor._points(value)
                rows.append((factor, value, points, band))
            weight_with_data = sum(f.weight for f, _v, p, _b in rows if p is not None)
            lines = [fields.Command.clear()]
            score = 0.0
            for factor, value, points, band in rows:
                has_data = points is not None
                contribution = points * factor.weight / weight_with_data if has_data and weight_with_data else 0.0
                score += contribution
                lines.append(
                    fields.Command.create(
                        {
                            "factor_id": factor.id,
                            "name": factor.name,
                            "weight": factor.weight,
                            "has_data": has_data,
                            "raw_value": value if value is not None else 0.0,
                            "band": band,
                            "points": points or 0.0,
                            "contribution": round(contribution, 2),
                        }
                    )
                )
            score = round(score, 2)
            grade = self.env["credit.grade"]._grade_for_score(score, review.company_id)
            old_grade, old_limit = review.computed_grade_id, review.suggested_limit
            vals = {"score_line_ids": lines, "score": score, "computed_grade_id": grade.id}
            if grade:
                limit, note = grade._suggested_limit(review.sales_12m, review.equity, bool(review.fiscal_year))
                vals.update(suggested_limit=limit, suggested_limit_note=note)
            else:
                vals.update(
                    suggested_limit=0.0,
                    suggested_limit_note=self.env._(
                        "No grade is set up for %(company)s.", company=review.company_id.name
                    ),
                )
            review._internal().write(vals)
            if review.state == "draft":
                # the proposal follows the score unless the analyst changed it
                defaults = {}
                if grade and review.proposed_grade_id in (old_grade, self.env["credit.grade"]):
                    if review.proposed_grade_id != grade:
                        defaults["proposed_grade_id"] = grade.id
                if not review.proposed_limit or not review.currency_id.compare_amounts(
                    review.proposed_limit, old_limit
                ):
                    if review.currency_id.compare_amounts(review.proposed_limit, review.suggested_limit):
                        defaults["proposed_limit"] = review.suggested_limit
                if defaults:
                    review.write(defaults)
