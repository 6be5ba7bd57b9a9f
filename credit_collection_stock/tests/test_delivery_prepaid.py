from odoo.addons.account_payment.tests.common import AccountPaymentCommon
from odoo.addons.credit_collection.tests.common import CreditCommon
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestDeliveryPrepaid(AccountPaymentCommon, CreditCommon):
    """An order paid in full online (Odoo's payment flow, PaymentCommon's test provider) follows the
    company's prepaid rule at the delivery, as it does at confirmation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # PaymentCommon sets its own company and currency: back to the credit fixture's
        cls.company = cls.company_data["company"]
        cls.currency = cls.company.currency_id
        cls.provider.journal_id.inbound_payment_method_line_ids.filtered(
            lambda line: line.payment_provider_id == cls.provider
        ).payment_account_id = cls.inbound_payment_method_line.payment_account_id
        cls.stock_user = new_test_user(
            cls.env, login="cct_stock_prepaid", groups="stock.group_stock_user", company_id=cls.company.id
        )

    def _paid_delivery(self):
        order = self._order(1000.0)  # 1,100.00 with tax
        order.action_confirm()
        tx = self._create_transaction(
            flow="redirect",
            sale_order_ids=[order.id],
            amount=1100.0,
            currency_id=self.currency.id,
            partner_id=order.partner_invoice_id.id,
            reference=f"{order.name}-1",
            state="draft",
        )
        tx._set_done()
        with mute_logger("odoo.addons.sale.models.payment_transaction"):
            tx._post_process()
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
