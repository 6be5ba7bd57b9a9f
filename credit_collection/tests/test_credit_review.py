from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import clear_first_day_defaults
from .credit_file_common import CreditFileCommon


@tagged("post_install", "-at_install")
class TestCreditReview(CreditFileCommon):
    """Scoring to the point, behaviour measured from Odoo, the review's workflow and its controls."""

    def _ratings(self, *values):
        crits = (self.crit_mgmt, self.crit_coop)
        return [Command.create({"criterion_id": c.id, "rating": str(v)}) for c, v in zip(crits, values, strict=False)]

    def test_score_arithmetic_with_no_data_factor(self):
        # Liquidity 300 / 200 = 1.5 -> 80 points (weight 40); Debt: total assets 0 -> no data (weight 20);
        # Qualitative (4 + 5) / 2 = 4.5 -> 75 points (weight 40). Weights with data: 80.
        # Contributions: 80 × 40 / 80 = 40.00; 75 × 40 / 80 = 37.50; score 77.50 -> grade B.
        review = self._review(
            fiscal_year="2025", current_assets=300, current_liabilities=200, rating_ids=self._ratings(4, 5)
        )
        review.action_compute()
        lines = {line.name: line for line in review.score_line_ids}
        self.assertEqual(
            [(lines[n].raw_value, lines[n].points, lines[n].contribution) for n in ("Liquidity", "Qualitative")],
            [(1.5, 80.0, 40.0), (4.5, 75.0, 37.5)],
        )
        self.assertFalse(lines["Debt"].has_data)
        self.assertEqual((lines["Debt"].value_display, lines["Debt"].contribution), ("no data", 0.0))
        self.assertEqual(review.score, 77.5)
        self.assertEqual(review.computed_grade_id, self.grade_b)
        self.assertEqual(review.proposed_grade_id, self.grade_b, "the proposal starts from the suggestion")

    def test_score_arithmetic_all_factors(self):
        # 1.5 -> 80 × 0.4 = 32; debt 700 / 1000 = 70 % -> 20 × 0.2 = 4; ratings 3, 4 = 3.5 -> 50 × 0.4 = 20
        review = self._review(
            fiscal_year="2025",
            current_assets=300,
            current_liabilities=200,
            total_assets=1000,
            total_liabilities=700,
            rating_ids=self._ratings(3, 4),
        )
        review.action_compute()
        self.assertEqual(review.score_line_ids.mapped("contribution"), [32.0, 4.0, 20.0])
        self.assertEqual(review.score, 56.0)
        self.assertEqual(review.computed_grade_id, self.grade_c)

    def test_zero_denominators_never_crash(self):
        review = self._review(fiscal_year="2025")  # every figure 0, no rating
        review.action_compute()
        self.assertEqual(review.score_line_ids.mapped("has_data"), [False, False, False])
        self.assertEqual((review.score, review.computed_grade_id), (0.0, self.grade_e))
        self.assertEqual(review.exposure_ratio, 0.0)

    def test_behaviour_measured_from_odoo(self):
        # 1,000 due 100 days ago, paid 90 days ago (10 days late); 3,000 due and paid 60 days ago;
        # 500 due 40 days ago, unpaid; 2,000 not due yet.
        inv1 = self._invoice(1000, invoice_date=self.days_ago(130), due_date=self.days_ago(100))
        inv2 = self._invoice(3000, invoice_date=self.days_ago(90), due_date=self.days_ago(60))
        self._invoice(500, invoice_date=self.days_ago(70), due_date=self.days_ago(40))
        self._invoice(2000, invoice_date=self.days_ago(20), due_date=self.days_ago(-10))
        self._pay(inv1, 1000, pay_date=self.days_ago(90))
        self._pay(inv2, 3000, pay_date=self.days_ago(60))
        review = self._review()
        with self.assertQueryCount(12):
            review._measure_behaviour()
        self.assertEqual(review.sales_12m, 6500.0)
        self.assertEqual(review.avg_days_late, 2.5, "(1,000 × 10 + 3,000 × 0) / 4,000")
        self.assertEqual(review.late_share, 66.67, "2 of 3 instalments due were late")
        self.assertEqual(review.oldest_overdue_days, 40)
        self.assertEqual(review.exposure, 2500.0)
        self.assertEqual(review.peak_exposure, 3500.0, "1,000 + 3,000 - 1,000 + 500 on the day of the 500")
        self.assertEqual(review.limit_at_review, 10000.0)
        self.assertEqual((review.exposure_ratio, review.peak_ratio), (25.0, 35.0))
        self.assertEqual((review.broken_promises, review.disputes), (0, 0))

    def test_suggested_limit_end_to_end(self):
        inv = self._invoice(60000, invoice_date=self.days_ago(30), due_date=self.days_ago(30))
        self._pay(inv, 60000, pay_date=self.days_ago(30))
        review = self._review(rating_ids=self._ratings(4, 5))  # no statement: the ratios have no data
        review.action_compute()
        self.assertEqual((review.score, review.computed_grade_id), (75.0, self.grade_b))
        self.assertEqual(review.suggested_limit, 10000.0, "2 × 5,000.00 monthly sales, no equity cap")
        review.write({"fiscal_year": "2025", "equity": 50000})
        review.action_compute()
        self.assertEqual(review.suggested_limit, 7500.0, "capped at 15 % of 50,000.00")

    def test_workflow_and_segregation_of_duties(self):
        review = self._review(rating_ids=self._ratings(5, 5))
        review.action_compute()
        self.assertEqual((review.score, review.computed_grade_id), (100.0, self.grade_a))
        review.write({"proposed_limit": 20000})
        with self.assertRefused(UserError, "Write a justification"):
            review.action_submit()
        review.write({"justification": "Ten years of punctual payments"})
        review.action_submit()
        self.assertEqual((review.state, review.submitted_by_id), ("submitted", self.analyst))
        with self.assertRefused(UserError, "can no longer be changed"):
            review.proposed_limit = 50000
        with self.assertRefused(AccessError, "Only credit managers comment"):
            review.decision_comment = "Approve it please"
        with self.assertRaises(AccessError, msg="an analyst does not approve"):
            review.action_approve()
        # a manager who submitted a review cannot approve it
        own = self._review(user=self.manager, rating_ids=self._ratings(5, 5))
        own.action_compute()
        own.action_submit()
        with self.assertRefused(AccessError, "another credit manager"):
            own.action_approve()
        self.assertEqual(own.state, "submitted")

        manager_review = review.with_user(self.manager2)
        manager_review.action_approve(comment="Agreed")
        self.flush_tracking()
        partner = self.customer.with_company(self.company)
        next_date = fields.Date.today() + relativedelta(months=24)
        self.assertEqual(
            (partner.credit_grade_id, partner.credit_limit, partner.credit_score, partner.credit_next_review_date),
            (self.grade_a, 20000.0, 100.0, next_date),
        )
        self.assertEqual(partner.credit_last_review_date, review.review_date)
        self.assertEqual(
            (review.state, review.decided_by_id, review.previous_limit, review.next_review_date),
            ("approved", self.manager2, 10000.0, next_date),
        )
        tracked = partner.message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "credit_limit")
        self.assertEqual((tracked[:1].old_value_float, tracked[:1].new_value_float), (10000.0, 20000.0))
        self.assertIn("approved by", " ".join(partner.message_ids.mapped("body")))
        graded = partner.message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "credit_grade_id")
        self.assertEqual(graded[:1].new_value_char, "A", "the grade change is tracked")
        with self.assertRefused(UserError, "cannot be approved"):
            manager_review.action_approve()
        self.assertEqual(partner.credit_limit, 20000.0)
        self.assertEqual(partner.credit_review_ids, review | own)

    def test_reject_needs_a_reason(self):
        review = self._review(rating_ids=self._ratings(3, 3))
        review.action_submit()
        with self.assertRefused(UserError, "Say why"):
            review.with_user(self.manager).action_reject()
        review.with_user(self.manager).action_reject(comment="Statement missing")
        self.assertEqual(review.state, "rejected")
        self.assertFalse(self.customer.with_company(self.company).credit_grade_id, "nothing written")
        with self.assertRefused(UserError, "cannot be approved"):
            review.with_user(self.manager2).action_approve()

    def test_protected_and_bad_input(self):
        review = self._review()
        with self.assertRaises(AccessError):
            review.score = 99
        with self.assertRaises(AccessError):
            review.state = "approved"
        with self.assertRaises(AccessError):
            self._review(state="approved")
        with self.assertRefused(ValidationError, "cannot be negative"):
            review.revenue = -1
        with self.assertRefused(ValidationError, "cannot be negative"):
            review.proposed_limit = -5
        with self.assertRefused(ValidationError, "not one of its contacts"):
            self._review(partner_id=self.contact.id)
        review.action_submit()
        with self.assertRefused(UserError, "Only draft reviews"):
            review.unlink()

    def test_access_rights(self):
        with self.assertRaises(AccessError):
            self.env["credit.review"].with_user(self.salesman).search([])
        review = self._review()
        # credit files are for analysts and managers: collectors see what they chase, not reviews
        # (they could read every review before; the security matrix in the README says why not)
        with self.assertRaises(AccessError):
            self.env["credit.review"].with_user(self.collector).search([])
        self.assertEqual(self.env["credit.review"].with_user(self.analyst2).search([]), review)
        with self.assertRaises(AccessError):
            self._review(user=self.collector)
        with self.assertRaises(AccessError):
            review.with_user(self.collector).action_compute()

    def test_reviews_are_per_company(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        clear_first_day_defaults(other)
        self.env["credit.grade"].create({"name": "Only", "score_min": 0, "company_id": other.id})
        foreign = self.env["credit.review"].create({"partner_id": self.customer.id, "company_id": other.id})
        mine = self._review()
        self.assertEqual(self.env["credit.review"].with_user(self.analyst).search([]), mine)
        with self.assertRaises(AccessError):
            foreign.with_user(self.analyst).read(["score"])
        with self.assertRefused(UserError, "has no scorecard"):
            foreign.action_compute()
        self.assertEqual(self.customer.with_company(self.company).credit_review_count, 1)

    def test_draft_not_measured_then_proposal_follows_the_score(self):
        """A new draft reads 'not measured yet' (not a score of 0); once measured, re-scoring moves
        the proposed grade and limit with the score unless the analyst changed them; the previous
        limit is the customer's limit at the time."""
        reviews = self._review(rating_ids=self._ratings(4, 5)) | self._review(rating_ids=self._ratings(2, 2))
        self.assertEqual(reviews.mapped("score_display"), ["not measured yet", "not measured yet"])
        self.assertEqual(reviews.mapped("previous_limit"), [0.0, 0.0])
        reviews.action_compute()
        self.assertEqual(reviews.mapped("score_display"), ["75.00", "0.00"])
        self.assertEqual(reviews.mapped("previous_limit"), [10000.0, 10000.0], "the limit at the time")
        review = reviews[0]
        self.assertEqual(review.proposed_grade_id, self.grade_b)
        review.rating_ids.filtered(lambda r: r.criterion_id == self.crit_mgmt).rating = "2"
        review.rating_ids.filtered(lambda r: r.criterion_id == self.crit_coop).rating = "2"
        review.action_compute()
        self.assertNotEqual(review.computed_grade_id, self.grade_b)
        self.assertEqual(review.proposed_grade_id, review.computed_grade_id, "the proposal follows the score")
        self.assertEqual(review.proposed_limit, review.suggested_limit)
        review.proposed_grade_id = self.grade_b  # the analyst's own proposal stays
        review.action_compute()
        self.assertEqual(review.proposed_grade_id, self.grade_b)
        self.customer.with_company(self.company).credit_limit = 20000.0
        self.assertEqual(review.previous_limit, 10000.0, "not today's limit")
