from odoo import Command
from odoo.tests import tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestExposure(CreditCommon):
    """Exposure = open receivables + draft invoices + orders not invoiced, never counted twice."""

    def test_components_to_the_cent(self):
        self._invoice(1000.00)
        self._invoice(200.10, post=False)
        self._order(300.00, confirm=True)  # 330.00 with tax
        self.assertExposure(1000.00, 200.10, 330.00)
        self.assertEqual(self._position().total, 1530.10)

    def test_refunds_and_unapplied_payments_reduce_exposure(self):
        self._invoice(1000.00)
        self._invoice(100.00, move_type="out_refund")
        self._unapplied_payment(50.25)
        self._invoice(40.00, move_type="out_refund", post=False)
        self.assertExposure(849.75, -40.00, 0.0)

    def test_order_travels_without_double_count(self):
        """order -> draft invoice -> posted -> partly paid -> paid: exposure moves, total stays."""
        order = self._order(1000.00, confirm=True)
        self.assertExposure(0.0, 0.0, 1100.00, msg="confirmed order, tax included")
        invoice = order._create_invoices()
        self.assertExposure(0.0, 1100.00, 0.0, msg="draft invoice")
        invoice.action_post()
        self.assertExposure(1100.00, 0.0, 0.0, msg="posted invoice")
        self._pay(invoice, 500.00)
        self.assertExposure(600.00, 0.0, 0.0, msg="partly paid")
        self._pay(invoice, 600.00)
        self.assertExposure(0.0, 0.0, 0.0, msg="paid")

    def test_cancelled_invoice_puts_amount_back_on_order(self):
        order = self._order(1000.00, confirm=True)
        invoice = order._create_invoices()
        invoice.button_cancel()
        self.assertExposure(0.0, 0.0, 1100.00)

    def test_down_payment_not_counted_twice(self):
        order = self._order(1000.00, confirm=True)
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "percentage", "amount": 30})
        )
        wizard.create_invoices()
        down_payment = order.invoice_ids
        down_payment.action_post()
        self.assertExposure(330.00, 0.0, 770.00, msg="30 % down payment posted")
        final = order._create_invoices(final=True)
        self.assertExposure(330.00, 770.00, 0.0, msg="final invoice in draft, down payment deducted")
        final.action_post()
        self.assertExposure(1100.00, 0.0, 0.0, msg="both posted")

    def test_partial_invoicing_by_quantity(self):
        order = self._order(100.00, confirm=True)
        order.order_line.product_uom_qty = 10  # 10 x 100 + 10 % = 1100
        order.order_line.qty_delivered = 4
        order.order_line.product_id.invoice_policy = "delivery"
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertExposure(440.00, 0.0, 660.00)

    def test_refund_of_an_order_invoice_puts_it_back_on_the_order(self):
        order = self._order(100.00, confirm=True)
        order.order_line.product_uom_qty = 10  # 10 x 100 + 10 % = 1100
        order.order_line.qty_delivered = 4
        order.order_line.product_id.invoice_policy = "delivery"
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertExposure(440.00, 0.0, 660.00, msg="4 of 10 invoiced")
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "returned"})
        )
        refund = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        self.assertEqual(refund.invoice_line_ids.sale_line_ids, order.order_line, "the refund is the order's")
        self.assertExposure(440.00, -440.00, 660.00 + 440.00, msg="draft refund: counted negative on the order")
        refund.action_post()
        self.assertExposure(0.0, 0.0, 1100.00, msg="refund posted against the invoice")

    def test_several_open_orders_one_excluded(self):
        """Each order is floored at 0 on its own; the order being checked is left out."""
        eur = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])  # 1 USD = 2 EUR
        partial = self._order(100.00, confirm=True)
        partial.order_line.product_uom_qty = 10
        partial.order_line.qty_delivered = 3
        partial.order_line.product_id.invoice_policy = "delivery"
        partial._create_invoices().action_post()  # 330 of 1100 invoiced
        foreign = self._order(2000.00, currency=eur, confirm=True)  # 2200 EUR = 1100 USD
        checked = self._order(50.00, confirm=True)
        self.assertExposure(330.00, 0.0, 770.00 + 1100.00 + 55.00)
        self.assertEqual(self._position(orders=checked).open_orders, 1870.00)
        self.assertEqual(self._position(orders=foreign | checked).open_orders, 770.00)

    def test_new_receivable_account_counted_at_the_next_check(self):
        """The receivable accounts' ids are cached: a new one is read by the very next check."""
        self._invoice(100.00)
        self.assertExposure(100.00, 0.0, 0.0)  # the ids are cached now
        account = self.env["account.account"].create(
            {"name": "Receivable, second", "code": "121099", "account_type": "asset_receivable", "reconcile": True}
        )
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "line_ids": [
                    Command.create({"account_id": account.id, "partner_id": self.customer.id, "debit": 123.45}),
                    Command.create({"account_id": self.company_data["default_account_revenue"].id, "credit": 123.45}),
                ],
            }
        )
        entry.action_post()
        self.assertExposure(223.45, 0.0, 0.0)
        account.account_type = "asset_current"
        self.assertExposure(100.00, 0.0, 0.0, msg="no longer a receivable account")

    def test_contacts_and_addresses_roll_up(self):
        self._invoice(100.00, partner=self.contact)
        self._order(200.00, partner=self.contact, confirm=True, partner_shipping_id=self.delivery.id)
        self._invoice(50.00, partner=self.contact, post=False)
        self.assertExposure(100.00, 50.00, 220.00, partner=self.contact)
        self.assertEqual(self.customer.credit_exposure, 370.00)
        self.assertEqual(self.contact.credit_exposure, 370.00, "a contact shows its company's position")

    def test_foreign_currency_converted_once(self):
        eur = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])  # 1 USD = 2 EUR
        self._invoice(600.00, currency=eur)  # 300 USD
        self._order(2000.00, currency=eur, confirm=True)  # 2200 EUR incl. tax = 1100 USD
        self.assertExposure(300.00, 0.0, 1100.00)

    def test_other_company_not_counted(self):
        other = self.setup_other_company(name="Other Co")["company"]
        self.env["account.move"].with_company(other).create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": "2024-01-01",
                "invoice_line_ids": [Command.create({"name": "x", "quantity": 1, "price_unit": 999.0, "tax_ids": []})],
            }
        ).action_post()
        self._invoice(100.00)
        self.assertExposure(100.00, 0.0, 0.0)
        self.assertEqual(self._position(company=other).receivable, 999.00)

    def test_company_default_limit_and_no_limit(self):
        self.env["ir.default"].set("res.partner", "credit_limit", 500.0, company_id=self.company.id)
        newcomer = self.env["res.partner"].create({"name": "Newcomer"})
        self.assertEqual(self._position(newcomer).limit, 500.0, "company default applies")
        self.assertEqual(self._position().limit, 10000.0, "own limit wins")
        self.env["ir.default"].set("res.partner", "credit_limit", 0.0, company_id=self.company.id)
        self.assertFalse(self._position(newcomer).has_limit, "0 = no limit")

    def test_company_default_limit_in_a_batch(self):
        """The default is read only when a customer of the batch has no limit of its own: in one
        statement for both kinds, each customer gets its own limit or the default."""
        self.env["ir.default"].set("res.partner", "credit_limit", 500.0, company_id=self.company.id)
        newcomers = self.env["res.partner"].create([{"name": "Newcomer A"}, {"name": "Newcomer B"}])
        newcomers[1].with_company(self.company).credit_limit = 1234.56
        engine = self.env["credit.exposure"].sudo()
        exposures = engine._get_exposures(self.customer | newcomers, self.company)
        self.assertEqual(
            [exposures[partner.id].limit for partner in (self.customer, *newcomers)], [10000.00, 500.00, 1234.56]
        )

    def test_partner_form_figures(self):
        self._invoice(500.00, due_date=self.days_ago(12), invoice_date=self.days_ago(40))
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.credit_available, 9500.00)
        self.assertEqual(self.customer.credit_overdue_amount, 500.00)
        self.assertEqual(self.customer.credit_oldest_overdue_days, 12)

    def test_partner_form_names_the_oldest_overdue_invoice(self):
        oldest = self._invoice(500.00, due_date=self.days_ago(12), invoice_date=self.days_ago(40))
        self._invoice(70.00, due_date=self.days_ago(3), invoice_date=self.days_ago(20))
        self._invoice(30.00, due_date=self.days_ago(-5), invoice_date=self.days_ago(1))  # not due yet
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.credit_overdue_amount, 570.00)
        self.assertEqual(self.customer.credit_oldest_overdue_move, oldest.name, "the oldest, not the latest")
        self.assertEqual(self.customer.credit_oldest_overdue_days, 12)
