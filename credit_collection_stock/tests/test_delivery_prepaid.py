from odoo.addons.credit_collection.tests.payment_common import CreditPaymentCommon
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged


@tagged("post_install", "-at_install")
class TestDeliveryPrepaid(CreditPaymentCommon):
    """An order paid in full online (Odoo's payment flow, PaymentCommon's test provider) follows the
    company's prepaid rule at the delivery, as it does at confirmation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_user = new_test_user(
            cls.env, login="cct_stock_prepaid", groups="stock.group_stock_user", company_id=cls.company.id
        )

    def _paid_delivery(self, invoiced=False):
        order = self._order(1000.0)  # 1,100.00 with tax
        order.action_confirm()
        self._pay_online(order, 1100.0)
        if invoiced:  # invoiced on ordered quantities before it ships
            order._create_invoices().action_post()
        self.customer.write({"credit_hold": True, "credit_hold_reason": "Cheque returned unpaid"})
        picking = order.picking_ids.with_user(self.stock_user)
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        return picking

    def test_paid_order_ships_under_hold_when_the_company_lets_it(self):
        self.company.credit_prepaid_passes_hold = True
        picking = self._paid_delivery()
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_paid_order_held_when_the_company_says_so(self):
        self.company.credit_prepaid_passes_hold = False
        picking = self._paid_delivery()
        with self.assertRaisesRegex(UserError, "Customer on credit hold"):
            picking.button_validate()
        self.assertNotEqual(picking.state, "done")

    def test_paid_and_invoiced_order_ships_under_hold(self):
        """Paid online and invoiced before it ships: nothing is left to invoice, and the order is
        still paid in full (judged on its total, as at confirmation)."""
        self.company.credit_prepaid_passes_hold = True
        picking = self._paid_delivery(invoiced=True)
        order = picking.sale_id
        verdict = order.sudo()._credit_evaluate()[order.id]
        self.assertAlmostEqual(verdict.amount, 0.0, places=2)
        self.assertAlmostEqual(verdict.prepaid, 1100.0, places=2)
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_paid_and_invoiced_order_held_when_the_company_says_so(self):
        self.company.credit_prepaid_passes_hold = False
        picking = self._paid_delivery(invoiced=True)
        with self.assertRaisesRegex(UserError, "Customer on credit hold"):
            picking.button_validate()
        self.assertNotEqual(picking.state, "done")

    def test_partly_paid_invoiced_order_held(self):
        """Paid online for less than its total: not prepaid, even when nothing is left to invoice."""
        self.company.credit_prepaid_passes_hold = True
        order = self._order(1000.0)
        order.action_confirm()
        self._pay_online(order, 1000.0)
        order._create_invoices().action_post()
        self.customer.write({"credit_hold": True, "credit_hold_reason": "Cheque returned unpaid"})
        picking = order.picking_ids.with_user(self.stock_user)
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        with self.assertRaisesRegex(UserError, "Customer on credit hold"):
            picking.button_validate()
