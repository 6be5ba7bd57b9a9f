from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .credit_file_common import CreditFileCommon


@tagged("post_install", "-at_install")
class TestGradeAtOrderTime(CreditFileCommon):
    """The grade's trading conditions and the guarantees, enforced by the order-time check."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.term45 = cls.env["account.payment.term"].create(
            {
                "name": "45 days",
                "line_ids": [Command.create({"value": "percent", "value_amount": 100, "nb_days": 45})],
            }
        )
        cls.term30 = cls.env["account.payment.term"].create(
            {
                "name": "30 days",
                "line_ids": [Command.create({"value": "percent", "value_amount": 100, "nb_days": 30})],
            }
        )
        cls.bank = cls.env.ref("credit_collection.guarantee_type_bank")
        cls.personal = cls.env.ref("credit_collection.guarantee_type_personal")

    def _guarantee(self, amount, gtype=None, date_from=None, date_to=None, **vals):
        return self.env["credit.guarantee"].create(
            {
                "name": f"G-{amount}",
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "type_id": (gtype or self.bank).id,
                "amount": amount,
                "date_from": date_from or self.days_ago(10),
                "date_to": date_to,
                **vals,
            }
        )

    def _codes(self, order):
        return order._credit_evaluate()[order.id].codes

    def test_payment_term_longer_than_grade_allows(self):
        self.grade_d.prepayment_percent = 0
        self._set_grade(self.grade_d)
        order = self._order(100, user=self.salesman, payment_term_id=self.term45.id)
        self.assertEqual(self._codes(order), {"grade_term"})
        with self.assertRefused(UserError, r"45 days gives up to 45 days, the grade allows 30 days"):
            order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertEqual(self._codes(self._order(100, payment_term_id=self.term30.id)), set(), "30 days is fine")

        # the approval path covers the new rule
        approval = self.env["credit.approval"].browse(
            order.with_user(self.salesman).request_credit_approval("Long-standing customer")
        )
        self.assertEqual(approval.sudo().rule_codes, "grade_term")
        approval.with_user(self.manager).action_approve(comment="One-off")
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_prepayment_required(self):
        self._set_grade(self.grade_d)  # 30 % upfront
        order = self._order(1000, payment_term_id=self.term30.id)  # 1,100.00 tax included -> 330.00
        with self.assertRefused(UserError, r"30 % of this order = .*330\.00.*missing .*330\.00"):
            order.action_confirm()
        self._unapplied_payment(329.99)
        self.assertEqual(self._codes(order), {"grade_prepayment"}, "one cent short")
        self._unapplied_payment(0.01)
        self.assertEqual(self._codes(order), set())
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        # the prepayment is used up by the confirmed order: the next order needs its own
        self.assertEqual(self._codes(self._order(100, payment_term_id=self.term30.id)), {"grade_prepayment"})

    def test_guarantee_required_above_exposure(self):
        self._set_grade(self.grade_c)  # guarantee above 5,000.00
        self._invoice(4000)
        order = self._order(2000)  # 2,200.00: exposure after 6,200.00 -> 1,200.00 to cover
        with self.assertRefused(UserError, r"1,200\.00 must be covered.*valid guarantees .*0\.00"):
            order.action_confirm()
        self._guarantee(1199.99, gtype=self.personal)
        self.assertEqual(self._codes(order), {"grade_guarantee"})
        self._guarantee(0.01, gtype=self.personal)
        self.assertEqual(self._codes(order), set(), "a personal guarantee covers, though it raises no limit")
        self.assertEqual(self._position().limit, 10000.0, "personal guarantees do not secure credit")

    def test_grade_overdue_tolerance_overrides_company(self):
        self.grade_d.write({"prepayment_percent": 0})
        self._set_grade(self.grade_d)  # 15 days, company rule off
        self.assertEqual(self.company.credit_overdue_days, 0)
        self._invoice(300, invoice_date=self.days_ago(40), due_date=self.days_ago(10))
        order = self._order(100)
        self.assertEqual(self._codes(order), set(), "10 days overdue is within 15")
        self._invoice(200, invoice_date=self.days_ago(40), due_date=self.days_ago(20))
        with self.assertRefused(UserError, r"200\.00 overdue by more than 15 days .*grade D.*20 days overdue"):
            order.action_confirm()

    def test_secured_guarantee_raises_limit_until_expiry(self):
        self._invoice(9000)
        order = self._order(1000)  # 1,100.00: 100.00 over the 10,000.00 limit
        self.assertEqual(self._codes(order), {"limit"})
        today = fields.Date.today()
        self._guarantee(100, date_to=today)
        self.assertEqual(self._position().limit, 10100.0)
        self.assertEqual(self._codes(order), set(), "valid through its last day")
        self.assertEqual(order._credit_evaluate(today=today + timedelta(days=1))[order.id].codes, {"limit"})
        self.assertEqual(self.customer.with_company(self.company).credit_guarantee_amount, 100.0)
        self.assertEqual(self.customer.with_company(self.company).credit_limit_effective, 10100.0)
        # a guarantee does not create a limit where there is none
        self.customer.credit_limit = 0
        self.assertEqual(self._position().limit, 0.0)

    def test_future_archived_and_other_company_guarantees_do_not_count(self):
        self._guarantee(500, date_from=self.days_ago(-1))
        self._guarantee(500, active=False)
        other = self.env["res.company"].create({"name": "Other Co"})
        self._guarantee(500, company_id=other.id)
        self.assertEqual(self._position().limit, 10000.0)

    def test_guarantee_bad_input(self):
        with self.assertRefused(ValidationError, "expires on .* before it starts"):
            self._guarantee(100, date_from=self.days_ago(1), date_to=self.days_ago(2))
        with self.assertRefused(ValidationError, "must be positive"):
            self._guarantee(-100)
        with self.assertRefused(ValidationError, "not on a contact"):
            self._guarantee(100, partner_id=self.contact.id)
        self.assertFalse(self.env["credit.guarantee"].search([("partner_id", "=", self.customer.id)]))

    def test_order_time_check_is_a_constant_number_of_queries(self):
        self._set_grade(self.grade_c)
        order = self._order(100)
        counts = []
        for _i in range(3):
            for n in range(5):
                self._guarantee(10 + n)
                self._invoice(10 + n)
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            order._credit_evaluate()
            counts.append(self.cr.sql_log_count - before)
        self.assertEqual(counts[1], counts[2], "more guarantees and invoices, same queries")
