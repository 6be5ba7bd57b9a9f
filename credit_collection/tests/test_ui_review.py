from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCreditReviewTour(HttpCase):
    """In the browser: an analyst creates a review, reads the score breakdown and submits it; a credit
    manager approves it; the customer's grade and limit change."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.ref("base.main_company")
        Grade = cls.env["credit.grade"]
        if not Grade.search([("company_id", "=", company.id)]):  # without demo data
            for name, low in (("E", 0), ("D", 40), ("C", 55), ("B", 70), ("A", 85)):
                Grade.create({"name": name, "score_min": low, "company_id": company.id})
        if not cls.env["credit.scorecard"].search([("company_id", "=", company.id)]):
            cls.env["credit.scorecard"].create(
                {
                    "name": "Tour card",
                    "company_id": company.id,
                    "factor_ids": [
                        Command.create(
                            {
                                "name": "Years in business",
                                "metric": "years_in_business",
                                "weight": 50,
                                "band_ids": [
                                    Command.create({"value_from": 0, "points": 20}),
                                    Command.create({"value_from": 10, "points": 100}),
                                ],
                            }
                        ),
                        Command.create(
                            {
                                "name": "Oldest overdue",
                                "metric": "oldest_overdue_days",
                                "weight": 50,
                                "band_ids": [
                                    Command.create({"value_from": 0, "points": 100}),
                                    Command.create({"value_from": 1, "points": 0}),
                                ],
                            }
                        ),
                    ],
                }
            )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Tour Customer Ltd", "is_company": True, "credit_limit": 1000.0}
        )
        ids = {"company_id": company.id, "company_ids": company.ids}
        for login, group in (("tour_analyst", "group_credit_analyst"), ("tour_manager", "group_credit_manager")):
            new_test_user(cls.env, login=login, groups=f"base.group_user,credit_collection.{group}", **ids)

    def test_review_tour(self):
        self.start_tour("/odoo", "credit_review_tour", login="tour_analyst")
        review = self.env["credit.review"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(review.state, "submitted")
        self.assertTrue(review.score_line_ids)
        self.start_tour("/odoo", "credit_review_approve_tour", login="tour_manager")
        self.assertEqual(review.state, "approved")
        self.assertEqual(review.decided_by_id.login, "tour_manager")
        partner = self.customer.with_company(review.company_id)
        self.assertEqual(partner.credit_grade_id, review.computed_grade_id)
        self.assertTrue(partner.credit_grade_id)
        self.assertEqual(partner.credit_limit, 5000.0)
