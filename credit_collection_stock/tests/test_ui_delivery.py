from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestDeliveryHoldTour(HttpCase):
    """In a real headless Chromium: a warehouse user sees the banner and the refusal, then asks for a
    credit approval from the delivery."""

    def test_delivery_hold_tour(self):
        company = self.env.company
        new_test_user(self.env, login="tour_stock", groups="stock.group_stock_user", company_id=company.id)
        customer = self.env["res.partner"].create({"name": "CC Tour Held Customer", "is_company": True})
        product = self.env["product.product"].create(
            {"name": "Tour Pallet", "type": "consu", "list_price": 100.0, "taxes_id": []}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        customer.write({"credit_hold": True, "credit_hold_reason": "Tour cheque returned"})
        picking = order.picking_ids
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        self.start_tour(
            f"/odoo/action-stock.action_picking_tree_all/{picking.id}",
            "credit_collection_stock_delivery_hold_tour",
            login="tour_stock",
        )
        self.assertNotEqual(picking.state, "done")
        approval = self.env["credit.approval"].search([("picking_id", "=", picking.id)])
        self.assertEqual(approval.state, "pending")
        self.assertEqual(approval.reason, "Customer pays cash at the gate")
        self.assertEqual(approval.requested_by_id.login, "tour_stock")
