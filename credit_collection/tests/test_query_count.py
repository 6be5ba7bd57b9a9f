from odoo import fields
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
        # one statement takes the lock and reads the exposure (was two: the lock, then the exposure)
        self.assertLessEqual(counts[1], 2, f"lock and exposure (+ the user's time zone), got {counts[1]}")


@tagged("post_install", "-at_install")
class TestCheckUserTimeZone(CreditCommon):
    """An order confirmed by RPC or an import carries no time zone in its context: the check's
    "today" is still the user's, and finding it reads nothing once the user's context is cached."""

    def _enforce_queries(self, order):
        self.env.flush_all()
        self.env.invalidate_all()
        # what action_confirm has read before the check runs (as in TestCheckQueryCount), the user too
        order.read(["amount_total", "currency_rate", "partner_invoice_id", "company_id", "state"])
        order.partner_invoice_id.commercial_partner_id.read(["name"])
        order.company_id.read(["account_use_credit_limit", "credit_overdue_days", "currency_id"])
        order.env.user.read(["login"])
        before = self.env.cr.sql_log_count
        order._credit_enforce()
        return self.env.cr.sql_log_count - before

    def test_today_of_the_user_without_tz_in_context(self):
        self.salesman.tz = "Pacific/Kiritimati"  # UTC+14: another date than UTC for 14 hours a day
        engine = self.env["credit.exposure"].with_user(self.salesman).with_context(tz=False)
        self.assertEqual(engine._today(), fields.Date.context_today(engine))
        self.salesman.tz = "Pacific/Niue"  # UTC-11: changing it is seen at once
        self.assertEqual(engine._today(), fields.Date.context_today(engine))
        self.assertEqual(
            engine.with_context(tz="Pacific/Kiritimati")._today(),
            fields.Date.context_today(engine.with_context(tz="Pacific/Kiritimati")),
        )

    def test_no_query_for_the_time_zone(self):
        self.salesman.tz = "Europe/Brussels"
        orders = [self._order(10.0, user=self.salesman).with_context(tz=tz) for tz in (False, "Europe/Brussels", False)]
        counts = [self._enforce_queries(order) for order in orders]
        # the first check without tz fills core's cached user context (res.users.context_get)
        self.assertEqual(counts[1:], [1, 1], "lock and exposure, with or without a time zone in the context")
