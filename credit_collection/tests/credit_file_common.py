from contextlib import contextmanager

from odoo import Command
from odoo.tests import new_test_user

from .common import CreditCommon


class CreditFileCommon(CreditCommon):
    """Grades A-E on the fixture company, a small scorecard whose arithmetic is checkable by hand,
    two analysts and a collector."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Grade = cls.env["credit.grade"]
        base = {"company_id": cls.company.id}
        # lowest first: the bands must cover 0-100 at every step
        cls.grade_e = Grade.create({**base, "name": "E", "score_min": 0, "review_interval_months": 3})
        cls.grade_d = Grade.create(
            {
                **base,
                "name": "D",
                "score_min": 40,
                "review_interval_months": 6,
                "max_payment_term_days": 30,
                "prepayment_percent": 30,
                "own_overdue_tolerance": True,
                "overdue_tolerance_days": 15,
            }
        )
        cls.grade_c = Grade.create(
            {**base, "name": "C", "score_min": 55, "review_interval_months": 12, "guarantee_above_amount": 5000}
        )
        cls.grade_b = Grade.create(
            {
                **base,
                "name": "B",
                "score_min": 70,
                "review_interval_months": 12,
                "limit_sales_multiple": 2,
                "limit_equity_percent": 15,
                "max_payment_term_days": 60,
            }
        )
        cls.grade_a = Grade.create({**base, "name": "A", "score_min": 85, "review_interval_months": 24})
        cls.crit_mgmt = cls.env["credit.rating.criterion"].create({"name": "Management"})
        cls.crit_coop = cls.env["credit.rating.criterion"].create({"name": "Cooperation"})
        cls.scorecard = cls.env["credit.scorecard"].create(
            {
                "name": "Test card",
                "company_id": cls.company.id,
                "factor_ids": [
                    Command.create(
                        {
                            "name": "Liquidity",
                            "metric": "current_ratio",
                            "weight": 40,
                            "band_ids": [
                                Command.create({"value_from": 0, "points": 0}),
                                Command.create({"value_from": 1, "points": 50}),
                                Command.create({"value_from": 1.5, "points": 80}),
                                Command.create({"value_from": 2, "points": 100}),
                            ],
                        }
                    ),
                    Command.create(
                        {
                            "name": "Debt",
                            "metric": "debt_ratio",
                            "weight": 20,
                            "band_ids": [
                                Command.create({"value_from": 0, "points": 100}),
                                Command.create({"value_from": 60, "points": 20}),
                            ],
                        }
                    ),
                    Command.create(
                        {
                            "name": "Qualitative",
                            "metric": "rating_average",
                            "weight": 40,
                            "band_ids": [
                                Command.create({"value_from": 1, "points": 0}),
                                Command.create({"value_from": 3, "points": 50}),
                                Command.create({"value_from": 4, "points": 75}),
                                Command.create({"value_from": 5, "points": 100}),
                            ],
                        }
                    ),
                ],
            }
        )
        company = {"company_id": cls.company.id, "company_ids": cls.company.ids}
        cls.analyst = new_test_user(
            cls.env, login="cct_analyst", groups="credit_collection.group_credit_analyst", **company
        )
        cls.analyst2 = new_test_user(
            cls.env, login="cct_analyst2", groups="credit_collection.group_credit_analyst", **company
        )
        cls.collector = new_test_user(
            cls.env, login="cct_file_collector", groups="credit_collection.group_credit_collector", **company
        )

    @classmethod
    def _set_grade(cls, grade, partner=None):
        (partner or cls.customer).with_company(cls.company).credit_grade_id = grade

    def _review(self, user=None, **vals):
        return (
            self.env["credit.review"]
            .with_user(user or self.analyst)
            .create({"partner_id": self.customer.id, "company_id": self.company.id, **vals})
        )

    @contextmanager
    def assertRefused(self, exception, regex):
        """The operation fails with `exception` matching `regex`, and nothing is left changed."""
        with self.assertRaisesRegex(exception, regex), self.cr.savepoint():
            yield
        self.env.invalidate_all()
