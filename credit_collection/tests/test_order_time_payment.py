from odoo.tests import tagged

from .payment_common import CreditPaymentCommon


@tagged("post_install", "-at_install")
class TestOrderTimePayment(CreditPaymentCommon):
    """Online payments through Odoo's payment flow (PaymentCommon's test provider: the transaction is
    set done, then post-processed as the payment status page does): the paid part of an order does
    not count against the limit, and a payment is posted even when its order cannot be confirmed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._invoice(9000.00)  # limit 10,000.00: 1,000.00 left

    def _assert_posted(self, tx, amount):
        self.assertTrue(tx.payment_id, "the payment is created")
        self.assertEqual(tx.payment_id.move_id.state, "posted", "and posted")
        self.assertEqual(tx.payment_id.amount, amount)

    def test_paid_in_full_over_the_limit_is_confirmed(self):
        order = self._order(3000.00, product=self.product_notax, user=self.salesman)
        self.assertEqual(order.with_user(self.salesman).credit_check_state, "blocked")
        tx = self._pay_online(order, 3000.00)
        self.assertEqual(order.state, "sale", "a paid order carries no credit risk")
        self._assert_posted(tx, 3000.00)

    def test_paid_part_does_not_count_against_the_limit(self):
        order = self._order(2000.00, product=self.product_notax, user=self.salesman)
        order.write({"require_payment": True, "prepayment_percent": 0.5})
        tx = self._pay_online(order, 1000.00)  # 9,000.00 + 2,000.00 - 1,000.00 paid = the limit
        self.assertEqual(order.state, "sale")
        self._assert_posted(tx, 1000.00)

    def test_partly_paid_over_the_limit_stays_a_quotation_and_the_payment_is_posted(self):
        order = self._order(3000.00, product=self.product_notax, user=self.salesman)
        order.write({"require_payment": True, "prepayment_percent": 0.5})
        tx = self._pay_online(order, 1500.00)  # counts 1,500.00: 500.00 over the limit
        self.assertIn(order.state, ("draft", "sent"), "not confirmed")
        self._assert_posted(tx, 1500.00)
        self.assertEqual(self._position().receivable, 7500.00, "the payment is on the customer's account")
        activities = order.activity_ids
        self.assertEqual(
            set(activities.user_id.ids) >= {self.salesman.id, self.manager.id, self.manager2.id},
            True,
            "the salesperson and the credit managers are asked to act",
        )
        self.assertRegex(activities[0].note, r"of which \D*1,500\.00 paid online.*excess \D*500\.00")
        customer_message = order.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        self.assertIn("being reviewed", customer_message.body)
        self.assertNotIn("limit", customer_message.body.lower(), "no internal figures for the customer")
        self.assertIn(self.customer, customer_message.partner_ids)
        # the paid part still counts in its favour when the salesman retries
        order_s = order.with_user(self.salesman)
        self.assertEqual(order_s.credit_check_state, "blocked")
        self.assertRegex(
            order_s.credit_check_message, r"exposure \D*7,500\.00 .*this order \D*3,000\.00; excess \D*500\.00"
        )

    def test_prepaid_order_passes_a_hold_unless_the_company_says_no(self):
        self.customer.write({"credit_hold": True, "credit_hold_reason": "cheques returned"})
        order = self._order(500.00, product=self.product_notax, user=self.salesman)
        self._pay_online(order, 500.00)
        self.assertEqual(order.state, "sale", "default: a paid order passes the hold")
        self.company.credit_prepaid_passes_hold = False
        order2 = self._order(500.00, product=self.product_notax, user=self.salesman)
        tx = self._pay_online(order2, 500.00, ref="2")
        self.assertEqual(order2.state, "draft")
        self._assert_posted(tx, 500.00)
