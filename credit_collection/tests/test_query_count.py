from odoo.tests import tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestCheckQueryCount(CreditCommon):
    """The order-time check costs the same number of queries whatever the customer's history
    (the numbers themselves are measured against plain Odoo and OCA in bench/)."""

    def _check_queries(self, order):
        self.env.flush_all()
        order.invalidate_recordset()
        # what action_confirm has read anyway before the check runs
        order.read(["amount_total", "currency_rate", "partner_invoice_id", "company_id", "state"])
        order.partner_invoice_id.commercial_partner_id.read(["name"])
        order.company_id.read(["account_use_credit_limit", "credit_overdue_days", "currency_id"])
        before = self.env.cr.sql_log_count
        order._credit_enforce()
        return self.env.cr.sql_log_count - before

    def test_constant_queries(self):
        small = self.env["res.partner"].create({"name": "Small", "credit_limit": 10**9})
        big = self.env["res.partner"].create({"name": "Big", "credit_limit": 10**9})
        self._invoice(10.0, partner=small)
        for _i in range(30):
            self._invoice(10.0, partner=big)
            self._invoice(5.0, partner=big, post=False)
        for _i in range(5):
            self._order(10.0, partner=big, confirm=True)
        counts = [self._check_queries(self._order(10.0, partner=p)) for p in (small, big)]
        self.assertEqual(counts[0], counts[1], "queries must not grow with the history")
        self.assertLessEqual(counts[1], 3, f"lock + exposure (+ the user's time zone), got {counts[1]}")
