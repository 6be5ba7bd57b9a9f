import contextlib

from odoo import fields
from odoo.tests import tagged

from .payment_common import CreditPaymentCommon

# the tables read only by the columns of optional features
OPTIONAL_TABLES = ("credit_grade", "credit_guarantee", "credit_limit_temporary", "payment_transaction")


class RolledBack(Exception):
    pass


@tagged("post_install", "-at_install")
class TestExposureShapes(CreditPaymentCommon):
    """The exposure statement reads the columns of grades, guarantees, temporary limits and online
    payments only where the company uses them: both shapes give the same figures, and the first record
    of a feature is read by the very next check."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.partner"].create({"name": "Other Customer", "credit_limit": 5000.0})
        cls.bank = cls.env.ref("credit_collection.guarantee_type_bank")

    def setUp(self):
        super().setUp()
        # the fixture company is new: nothing of the optional features in it yet (the cache may hold
        # another test's rolled-back records)
        self.env.registry.clear_cache()

    def _statement(self, order=None):
        engine = self.env["credit.exposure"]
        today = fields.Date.context_today(engine)
        return engine._exposure_query(self.customer.ids, self.company, order.ids if order else [], today, today).code

    def _figures(self, order):
        exp = self.env["credit.exposure"]._get_exposures(self.customer, self.company, exclude_orders=order)
        return dict(vars(exp[self.customer.id]))

    def _use_every_feature(self):
        """Records of every optional feature, all for another customer of the company."""
        grade = self.env["credit.grade"].create(
            {
                "name": "Own tolerance",
                "company_id": self.company.id,
                "score_min": 0,
                "own_overdue_tolerance": True,
                "overdue_tolerance_days": 5,
                "prepayment_percent": 10,
            }
        )
        self.other.with_company(self.company).credit_grade_id = grade
        self.env["credit.guarantee"].create(
            {
                "name": "G-other",
                "partner_id": self.other.id,
                "company_id": self.company.id,
                "type_id": self.bank.id,
                "amount": 700.0,
                "date_from": self.days_ago(3),
            }
        )
        self.env["credit.limit.temporary"].create(
            {
                "partner_id": self.other.id,
                "company_id": self.company.id,
                "amount": 300.0,
                "date_from": self.days_ago(1),
                "date_to": self.days_ago(-5),
                "reason": "Season",
            }
        )
        self._pay_online(self._order(100.0, partner=self.other), 50.0)

    def assertSameInBothShapes(self, order, step):
        self.env.registry.clear_cache()
        self.assertFalse(
            [t for t in OPTIONAL_TABLES if t in self._statement(order)], f"{step}: minimal statement expected"
        )
        minimal = self._figures(order)
        with contextlib.suppress(RolledBack), self.env.cr.savepoint():
            self._use_every_feature()
            statement = self._statement(order)
            self.assertTrue(all(t in statement for t in OPTIONAL_TABLES), f"{step}: full statement expected")
            self.assertEqual(self._figures(order), minimal, f"{step}: same figures in both shapes")
            raise RolledBack
        # the records of every feature are rolled back: forget them
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        return minimal

    def test_same_figures_in_both_shapes(self):
        order = self._order(400.0)  # the order being checked: 440.00 with tax
        self._order(200.0, confirm=True)  # an open order: 220.00
        invoice = self._invoice(1000.0, due_date=self.days_ago(20), invoice_date=self.days_ago(50))
        self._invoice(80.0, post=False)
        exp = self.assertSameInBothShapes(order, "posted")
        self.assertEqual((exp["receivable"], exp["draft_invoices"], exp["open_orders"]), (1000.0, 80.0, 220.0))
        self.assertEqual(exp["overdue_amount"], 1000.0)
        self._pay(invoice, 250.55)
        self.assertEqual(self.assertSameInBothShapes(order, "partly paid")["receivable"], 749.45)
        self._invoice(100.0, move_type="out_refund")
        self.assertEqual(self.assertSameInBothShapes(order, "credit note")["receivable"], 649.45)
        self._unapplied_payment(49.45)
        self.assertEqual(self.assertSameInBothShapes(order, "unapplied payment")["receivable"], 600.0)
        second = self._invoice(300.0)
        self.assertEqual(self.assertSameInBothShapes(order, "second invoice")["receivable"], 900.0)
        second._reverse_moves(cancel=True)
        exp = self.assertSameInBothShapes(order, "reversal")
        self.assertEqual((exp["receivable"], exp["overdue_amount"]), (600.0, 749.45))
        self.assertEqual(
            (exp["grade"], exp["guarantee_secured"], exp["temporary_limit"], exp["prepaid"]), (None, 0, 0, {})
        )

    def test_first_record_of_a_feature_read_at_once(self):
        order = self._order(400.0)
        self._figures(order)  # the company's features are cached: none in use
        self.assertFalse([t for t in OPTIONAL_TABLES if t in self._statement(order)])
        self.env["credit.guarantee"].with_user(self.manager).create(
            {
                "name": "G-1",
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "type_id": self.bank.id,
                "amount": 1500.0,
                "date_from": self.days_ago(3),
            }
        )
        self.assertEqual(self._figures(order)["limit"], 11500.0, "guarantee added to the limit at once")
        self.env["credit.limit.temporary"].with_user(self.manager).create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "amount": 250.0,
                "date_from": self.days_ago(1),
                "date_to": self.days_ago(-5),
                "reason": "Season",
            }
        )
        self.assertEqual(self._figures(order)["limit"], 11750.0, "temporary increase added at once")
        grade = self.env["credit.grade"].create(
            {"name": "Watch", "company_id": self.company.id, "score_min": 0, "prepayment_percent": 20}
        )
        self.customer.with_company(self.company).with_user(self.manager).credit_grade_id = grade
        self.assertEqual(self._figures(order)["grade"].name, "Watch", "grade read at once")
        self._pay_online(order, 110.0)
        self.assertEqual(self._figures(order)["prepaid"], {order.id: 110.0}, "online payment read at once")
