from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .credit_file_common import CreditFileCommon


@tagged("post_install", "-at_install")
class TestCreditWarning(CreditFileCommon):
    """The daily early-warning cron: the right signals, batch by batch, one activity per signal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.with_company(cls.company).write(
            {"credit_analyst_id": cls.analyst.id, "credit_grade_id": cls.grade_b.id}
        )
        cls.customer.customer_rank = 1
        cls.warning_type = cls.env.ref("credit_collection.mail_activity_type_credit_warning")

    def _run(self, today=None, batch_size=500):
        runs = 0
        while self.env["credit.warning"]._cron_credit_warnings(batch_size=batch_size, today=today):
            runs += 1
            self.assertLess(runs, 1000, "the cron must make progress")
        return runs + 1

    def _activities(self, partner=None):
        return (partner or self.customer).activity_ids.filtered(lambda a: a.activity_type_id == self.warning_type)

    def test_signals_flag_and_one_activity_each(self):
        partner = self.customer.with_company(self.company)
        partner.credit_next_review_date = fields.Date.today() - timedelta(days=1)
        self._invoice(9500)  # 95 % of the 10,000.00 limit
        self._run()
        self.assertTrue(partner.credit_review_needed)
        self.assertIn("Review due since", partner.credit_review_reasons)
        self.assertIn("95.0 % of the limit", partner.credit_review_reasons)
        self.assertEqual(partner.credit_warning_codes, "review_due,exposure")
        self.assertEqual(len(self._activities()), 2)
        self.assertEqual(self._activities().user_id, self.analyst)

        self._run()  # same day: nothing left to check
        self._run(today=fields.Date.today() + timedelta(days=1))  # next day: same signals, no new activity
        self.assertEqual(len(self._activities()), 2)

        # a new signal: overdue beyond the company's tolerance -> one more activity
        self.company.credit_overdue_days = 5
        self._invoice(100, invoice_date=self.days_ago(30), due_date=self.days_ago(20))
        self._run(today=fields.Date.today() + timedelta(days=2))
        self.assertEqual(len(self._activities()), 3)
        self.assertIn("overdue by more than 5 days", partner.credit_review_reasons)

    def test_grade_tolerance_and_stale_limit(self):
        partner = self.customer.with_company(self.company)
        partner.credit_grade_id = self.grade_d  # own tolerance 15 days, review every 6 months
        self._invoice(100, invoice_date=self.days_ago(40), due_date=self.days_ago(16))
        partner.credit_limit = 20000  # changed today
        self._run()
        self.assertEqual(partner.credit_warning_codes, "overdue")
        self.assertEqual(partner.credit_limit_changed_on, fields.Date.today())
        self._run(today=fields.Date.today() + timedelta(days=200))
        self.assertIn("limit_stale", partner.credit_warning_codes)
        self.assertIn("longer than the 6 months of grade D", partner.credit_review_reasons)

    def test_signals_cleared_when_gone(self):
        partner = self.customer.with_company(self.company)
        invoice = self._invoice(9500)
        self._run()
        self.assertTrue(partner.credit_review_needed)
        self._pay(invoice, 9500)
        self._run(today=fields.Date.today() + timedelta(days=1))
        self.assertFalse(partner.credit_review_needed)
        self.assertFalse(partner.credit_review_reasons)

    def test_batches_report_progress(self):
        customers = self.env["res.partner"].create(
            [{"name": f"Batch {n}", "is_company": True, "customer_rank": 1} for n in range(5)]
        )
        todo = (
            self.env["res.partner"]
            .with_company(self.company)
            .search_count(self.env["credit.warning"]._customer_domain(fields.Date.today()))
        )
        first = self.env["credit.warning"]._cron_credit_warnings(batch_size=2)
        self.assertGreater(first, 0, "work remains after one small batch")
        self.assertGreaterEqual(self._run(batch_size=2), 2)
        self.assertGreaterEqual(todo, 6)
        checked = customers.with_company(self.company).mapped("credit_warning_checked_on")
        self.assertEqual(set(checked), {fields.Date.today()})

    def test_approved_review_clears_the_flag(self):
        partner = self.customer.with_company(self.company)
        partner.credit_next_review_date = fields.Date.today() - timedelta(days=1)
        self._run()
        self.assertTrue(partner.credit_review_needed)
        review = self._review()
        review.action_submit()
        review.with_user(self.manager).action_approve()
        self.assertFalse(partner.credit_review_needed)
        self.assertFalse(self._activities(), "the warning activities are done")

    def test_guarantee_expiry_activity_once(self):
        guarantee = self.env["credit.guarantee"].create(
            {
                "name": "BG-1",
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "type_id": self.env.ref("credit_collection.guarantee_type_bank").id,
                "amount": 1000,
                "date_from": self.days_ago(100),
                "date_to": fields.Date.today() + timedelta(days=40),
            }
        )
        Guarantee = self.env["credit.guarantee"]
        self.assertEqual(Guarantee._cron_expiry_activities(), 0, "40 days ahead: not yet")
        self.assertEqual(Guarantee._cron_expiry_activities(today=fields.Date.today() + timedelta(days=10)), 1)
        self.assertEqual(Guarantee._cron_expiry_activities(today=fields.Date.today() + timedelta(days=11)), 0)
        self.assertEqual(len(guarantee.activity_ids), 1)
        self.assertEqual(guarantee.activity_ids.user_id, self.analyst)
        self.assertEqual(guarantee.activity_ids.date_deadline, guarantee.date_to)
