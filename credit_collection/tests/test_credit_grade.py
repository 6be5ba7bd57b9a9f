from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import clear_first_day_defaults
from .credit_file_common import CreditFileCommon


@tagged("post_install", "-at_install")
class TestCreditGrade(CreditFileCommon):
    """Grades tile 0-100, carry valid conditions, and suggest limits by their rule."""

    def test_score_to_grade_at_the_boundaries(self):
        Grade = self.env["credit.grade"]
        for score, name in ((0, "E"), (39.99, "E"), (40, "D"), (69.99, "C"), (70, "B"), (84.99, "B"), (85, "A")):
            self.assertEqual(Grade._grade_for_score(score, self.company).name, name, f"score {score}")
        self.assertEqual((self.grade_b.score_min, self.grade_b.score_max), (70.0, 85.0))
        self.assertEqual(self.grade_a.score_max, 100.0)

    def test_overlapping_or_gapped_bands_refused(self):
        with self.assertRefused(ValidationError, "both start at 70"):
            self.env["credit.grade"].create({"name": "B+", "score_min": 70, "company_id": self.company.id})
        with self.assertRefused(ValidationError, "no grade covers scores from 0 to 40"):
            self.grade_e.active = False
        with self.assertRefused(ValidationError, "no grade covers scores from 0 to 40"):
            self.grade_e.score_min = 45
        self.assertTrue(self.grade_e.active, "nothing changed")
        other = self.env["res.company"].create({"name": "Other Co"})
        clear_first_day_defaults(other)
        with self.assertRefused(ValidationError, "lowest grade must start at 0"):
            self.env["credit.grade"].create({"name": "A", "score_min": 85, "company_id": other.id})
        with self.assertRefused(ValidationError, "between 0 and 100"):
            self.grade_a.score_min = 100

    def test_bad_conditions_refused(self):
        with self.assertRefused(ValidationError, "between 0 and 100"):
            self.grade_d.prepayment_percent = 120
        with self.assertRefused(ValidationError, "cannot be negative"):
            self.grade_c.guarantee_above_amount = -1
        with self.assertRefused(ValidationError, "at least every"):
            self.grade_c.review_interval_months = 0
        self.assertEqual(self.grade_d.prepayment_percent, 30)

    def test_suggested_limit_rule(self):
        # B: 2 × average monthly sales, capped at 15 % of equity
        amount, note = self.grade_b._suggested_limit(60000.0, 50000.0, True)
        self.assertEqual(amount, 7500.0, "min(2 × 5,000.00, 15 % × 50,000.00)")
        self.assertIn("cap 15", note)
        self.assertEqual(self.grade_b._suggested_limit(60000.0, 100000.0, True)[0], 10000.0, "the cap does not bind")
        self.assertEqual(self.grade_b._suggested_limit(60000.0, 50000.0, False)[0], 10000.0, "no statement, no cap")
        self.assertEqual(self.grade_b._suggested_limit(60000.0, -5000.0, True)[0], 0.0, "negative equity caps at 0")
        self.grade_b.limit_sales_multiple = 0
        self.assertEqual(self.grade_b._suggested_limit(60000.0, 50000.0, True)[0], 7500.0, "equity part alone")
        self.grade_b.write({"limit_sales_multiple": 1.5, "limit_equity_percent": 0})
        self.assertEqual(self.grade_b._suggested_limit(10000.0, 0.0, True)[0], 1250.0, "1.5 × 833.33 = 1,250.00")
        self.assertEqual(self.grade_a._suggested_limit(60000.0, 50000.0, True)[0], 0.0, "no rule, no suggestion")

    def test_scorecard_weights_must_total_100(self):
        with self.assertRefused(ValidationError, "total 90"):
            self.scorecard.factor_ids[0].weight = 30
        self.assertEqual(self.scorecard.total_weight, 100.0)
        with self.assertRefused(ValidationError, "total 110"):
            self.scorecard.write(
                {"factor_ids": [Command.create({"name": "Years", "metric": "years_in_business", "weight": 10})]}
            )
        with self.assertRefused(ValidationError, "points are between 0 and 100"):
            self.scorecard.factor_ids[0].band_ids[0].points = 101
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.scorecard.factor_ids[0].band_ids[0].value_from = 1

    def test_only_credit_managers_configure_and_grade(self):
        with self.assertRaises(AccessError):
            self.env["credit.grade"].with_user(self.analyst).create(
                {"name": "X", "score_min": 99, "company_id": self.company.id}
            )
        with self.assertRaises(AccessError):
            self.scorecard.with_user(self.analyst).name = "Mine"
        with self.assertRefused(AccessError, "Only credit managers change a customer's grade"):
            self.customer.with_user(self.analyst).with_company(self.company).credit_grade_id = self.grade_a
        self.customer.with_user(self.manager).with_company(self.company).credit_grade_id = self.grade_a
        self.assertEqual(self.customer.with_company(self.company).credit_grade_id, self.grade_a)

    def test_grades_are_per_company(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        clear_first_day_defaults(other)
        self.env["credit.grade"].create({"name": "Only", "score_min": 0, "company_id": other.id})
        self._set_grade(self.grade_a)
        self.assertFalse(self.customer.with_company(other).credit_grade_id, "a grade holds in its company only")
        self.assertEqual(self.customer.with_company(self.company).credit_grade_id, self.grade_a)
