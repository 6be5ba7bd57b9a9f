from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .aging_common import AgingCommon


@tagged("post_install", "-at_install")
class TestCashinForecast(AgingCommon):
    """Acme paid an invoice 10 days late this year; Beta has no paid history (company default 7
    days). Open: Acme 1 000 due in 20 days, Beta 400 due in 5 days (disputed), Acme 300 paid in
    part (500 - 200) due 15 days ago."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        cls.today = today
        cls.company.collection_default_days_late = 7
        paid = cls._inv(2_000.0, today - timedelta(days=90), today - timedelta(days=60))
        cls._pay(paid, 2_000.0, today - timedelta(days=50))
        cls.acme_open = cls._inv(1_000.0, today - timedelta(days=10), today + timedelta(days=20))
        cls.beta_open = cls._inv(400.0, today - timedelta(days=25), today + timedelta(days=5), partner=cls.beta)
        cls.beta_open.action_collection_dispute("price")
        cls.acme_late = cls._inv(500.0, today - timedelta(days=45), today - timedelta(days=15))
        cls._pay(cls.acme_late, 200.0, today - timedelta(days=5))

    def _rows(self, user=None):
        forecast = self.env["credit.cashin.forecast"].with_user(user or self.collector)
        return {row.move_id: row for row in forecast.search([("company_id", "=", self.company.id)])}

    def test_expected_dates_and_amounts(self):
        rows = self._rows()
        acme = rows[self.acme_open]
        self.assertEqual((acme.days_late, acme.from_history), (10.0, True), "Acme's own habit")
        self.assertEqual(acme.expected_date, self.today + timedelta(days=30))
        self.assertEqual(acme.residual, 1_000.0)
        self.assertEqual(acme.expected_date, self.acme_open.collection_predicted_date, "same as on the invoice")
        beta = rows[self.beta_open]
        self.assertEqual((beta.days_late, beta.from_history), (7.0, False), "no history: company default")
        self.assertEqual(beta.expected_date, self.today + timedelta(days=12))
        self.assertTrue(beta.disputed)
        late = rows[self.acme_late]
        self.assertEqual((late.residual, late.expected_date), (300.0, self.today - timedelta(days=5)))
        self.assertEqual((late.forecast_date, late.expected_passed), (self.today, True), "late: forecast today")
        self.assertEqual((acme.forecast_date, acme.expected_passed), (acme.expected_date, False))
        self.assertEqual(len(rows), 3, "paid invoices are not expected again")
        # the forecast adds up to the open invoices, grouped as the graph reads it
        groups = self.env["credit.cashin.forecast"]._read_group(
            [("company_id", "=", self.company.id)], ["forecast_date:month"], ["residual:sum"]
        )
        self.assertEqual(sum(amount for _month, amount in groups), 1_700.0)

    def test_total_is_the_open_receivables(self):
        """Credit notes and unapplied payments net the forecast; 390 days overdue is not forecast for
        this week but in "Overdue, date uncertain"; the total equals the aging's open receivables."""
        refund = self._inv(150.0, self.today - timedelta(days=3), move_type="out_refund")
        payment = self._payment(250.0, self.today - timedelta(days=2), partner=self.beta)
        ancient = self._inv(700.0, self.today - timedelta(days=420), self.today - timedelta(days=390))
        self.env.flush_all()
        rows = self._rows()
        self.assertEqual(rows[refund].residual, -150.0)
        self.assertEqual(rows[payment.move_id].residual, -250.0)
        self.assertEqual((rows[refund].forecast_date, rows[refund].horizon), (self.today, "dated"))
        self.assertEqual((rows[ancient].forecast_date, rows[ancient].horizon), (False, "uncertain"), "not this week")
        forecast = self.env["credit.cashin.forecast"].with_user(self.collector)
        by_horizon = dict(forecast._read_group([("company_id", "=", self.company.id)], ["horizon"], ["residual:sum"]))
        self.assertEqual(by_horizon, {"dated": 1_300.0, "uncertain": 700.0})
        total = self.engine.with_user(self.collector).get_summary(as_of=self.today, companies=self.company)["total"]
        self.assertEqual(total, 2_000.0)
        self.assertEqual(sum(by_horizon.values()), total, "forecast total = open receivables")

    def test_half_days_round_as_on_the_invoice(self):
        """2 and 3 days late on equal amounts = 2.5 days: both the forecast and the invoice's
        predicted date round half away from zero (3), not to the even day."""
        gamma = self.env["res.partner"].create({"name": "Gamma", "is_company": True})
        for late in (2, 3):
            due = self.today - timedelta(days=40 + late)
            paid = self._inv(1_000.0, due - timedelta(days=30), due, partner=gamma)
            self._pay(paid, 1_000.0, due + timedelta(days=late))
        open_inv = self._inv(100.0, self.today, self.today + timedelta(days=10), partner=gamma)
        self.env.flush_all()
        row = self._rows()[open_inv]
        self.assertEqual(row.days_late, 2.5)
        self.assertEqual(row.expected_date, self.today + timedelta(days=13))
        self.assertEqual(open_inv.collection_predicted_date, row.expected_date)

    def test_access(self):
        salesman = new_test_user(
            self.env, login="cct_fc_sales", groups="sales_team.group_sale_salesman", company_id=self.company.id
        )
        with self.assertRaises(AccessError):
            self._rows(salesman)
