from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DeliveryCreditCommon


@tagged("post_install", "-at_install")
class TestDeliveryCredit(DeliveryCreditCommon):
    """The warehouse's side of a credit stop, as a stock user validating deliveries."""

    # ------------------------------------------------------------------ the hold
    def test_held_customer_delivery_refused_and_left_not_done(self):
        order = self._confirmed()
        self._hold()
        picking = self._out(order)
        with self.assertRaises(UserError) as refusal:
            self._validate(picking)
        message = str(refusal.exception)
        self.assertIn(picking.name, message)
        self.assertIn("Acme Trading", message)
        self.assertIn("Customer on credit hold: Cheque returned unpaid.", message)
        self.assertIn(f"The hold was set by {self.env.user.partner_id.name}", message)
        self.assertIn(f"credit approval for {order.name}", message)
        self.assertNotEqual(picking.state, "done")
        self.assertEqual(order.order_line.qty_delivered, 0.0)

    def test_banner_and_filter(self):
        held = self._out(self._confirmed())
        free = self._out(self._confirmed(partner=self.other))
        self._hold()
        pickings = (held | free).with_user(self.stock_user)
        self.assertEqual(pickings.mapped("credit_blocked"), [True, False])
        self.assertEqual(pickings[0].credit_hold_reason, "Cheque returned unpaid")
        Picking = self.env["stock.picking"].with_user(self.stock_user)
        blocked = Picking.search([("credit_blocked", "=", True), ("id", "in", pickings.ids)])
        self.assertEqual(blocked, held)
        self.assertEqual(Picking.search([("credit_blocked", "=", False), ("id", "in", pickings.ids)]), free)

    def test_other_customers_unaffected(self):
        picking = self._out(self._confirmed(partner=self.other))
        self._hold()
        self._validate(picking)
        self.assertEqual(picking.state, "done")

    def test_return_allowed(self):
        order = self._confirmed()
        picking = self._out(order)
        self._validate(picking)
        self._hold()
        wizard = (
            self.env["stock.return.picking"]
            .with_user(self.stock_user)
            .with_context(active_id=picking.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = 1.0
        returned = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        self.assertEqual(returned.picking_type_code, "incoming")
        self._validate(returned)
        self.assertEqual(returned.state, "done")

    def test_delivery_without_order_refused(self):
        self._hold()
        picking = self.env["stock.picking"].create(
            {
                "partner_id": self.delivery.id,
                "picking_type_id": self.warehouse.out_type_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": "Widget",
                            "product_id": self.product.id,
                            "product_uom_qty": 1,
                            "location_id": self.warehouse.lot_stock_id.id,
                            "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        with self.assertRaisesRegex(UserError, "Customer on credit hold: Cheque returned unpaid"):
            self._validate(picking)
        self.assertNotEqual(picking.state, "done")

    def test_backorder_checked(self):
        order = self._confirmed(qty=2)
        picking = self._out(order)
        wizard = self._validate(picking, qty=1)  # part now, the rest in a backorder
        self.env[wizard["res_model"]].with_user(self.stock_user).with_context(**wizard["context"]).create({}).process()
        self.assertEqual(picking.state, "done")
        backorder = self._out(order) - picking
        self.assertEqual(len(backorder), 1)
        self._hold()
        with self.assertRaises(UserError):
            self._validate(backorder)
        self.assertNotEqual(backorder.state, "done")
        self.assertEqual(order.order_line.qty_delivered, 1.0)

    def test_backorder_wizard_refused_under_hold(self):
        order = self._confirmed(qty=2)
        picking = self._out(order)
        self._hold()
        wizard = self._validate(picking, qty=1)  # the backorder question comes first
        with self.assertRaises(UserError):
            self.env[wizard["res_model"]].with_user(self.stock_user).with_context(**wizard["context"]).create(
                {}
            ).process()
        self.assertEqual(order.order_line.qty_delivered, 0.0)

    def test_pick_ship_checked_at_the_ship_step(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self._confirmed()
        pick = order.picking_ids.filtered(lambda p: p.picking_type_code == "internal")
        self.assertEqual(len(pick), 1)
        self._hold()
        self._validate(pick)  # inside the warehouse: allowed
        self.assertEqual(pick.state, "done")
        ship = self._out(order)  # created once the goods are picked
        self.assertEqual(len(ship), 1)
        with self.assertRaisesRegex(UserError, "cannot be validated"):
            self._validate(ship)
        self.assertNotEqual(ship.state, "done")

    # ------------------------------------------------------------------ where credit is checked
    def test_default_order_setting_delivery_only_checks_the_hold(self):
        self.assertEqual(self.company.credit_check_at, "order")
        order = self._confirmed()
        self.customer.credit_limit = 500.0  # lowered after the confirmation
        picking = self._out(order)
        self._validate(picking)
        self.assertEqual(picking.state, "done")

    def test_delivery_setting_over_limit(self):
        self.company.credit_check_at = "delivery"
        order = self._over_limit_order()
        order.action_confirm()  # not checked at the order any more
        self.assertEqual(order.state, "sale")
        picking = self._out(order)
        with self.assertRaises(UserError) as refusal:
            self._validate(picking)
        message = str(refusal.exception)
        # the order's own figures: the order is counted once (exposure 0.00 without it)
        self.assertIn("Credit limit exceeded: limit", message)
        self.assertIn("500.00", message)
        self.assertIn("1,100.00", message)
        self.assertIn("excess", message)
        self.assertIn("600.00", message)
        self.assertNotIn("2,200.00", message)
        self.assertNotEqual(picking.state, "done")

    def test_delivery_setting_hold_still_stops_the_order(self):
        self.company.credit_check_at = "delivery"
        self._hold()
        with self.assertRaisesRegex(UserError, "Customer on credit hold"):
            self._order(100.0).action_confirm()

    def test_both_setting_over_limit_and_approval(self):
        self.company.credit_check_at = "both"
        order = self._over_limit_order()
        with self.assertRaises(UserError):
            order.action_confirm()
        # approved for the order: the approval covers its deliveries while it is valid
        self.env["credit.approval.request"].with_user(self.salesman).create(
            {"order_id": order.id, "reason": "Pays on Friday"}
        ).action_request()
        approval = order.sudo().credit_approval_ids
        approval.with_user(self.manager).action_approve()
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        picking = self._out(order)
        approval.sudo().expiry_date = fields.Date.context_today(self.env.user) - timedelta(days=1)
        with self.assertRaisesRegex(UserError, "Credit limit exceeded"):
            self._validate(picking)
        self.assertNotEqual(picking.state, "done")
        approval.sudo().expiry_date = fields.Date.context_today(self.env.user) + timedelta(days=1)
        self._validate(picking)
        self.assertEqual(picking.state, "done")
        self.assertTrue(any(approval.name in body for body in picking.message_ids.mapped("body")))

    def test_approval_covers_the_hold(self):
        """An order confirmed on hold under an approval granted for the hold ships while it is valid."""
        self._hold()
        order = self._order(100.0, user=self.salesman, user_id=self.salesman.id)
        self.env["credit.approval.request"].with_user(self.salesman).create(
            {"order_id": order.id, "reason": "Cash on delivery agreed"}
        ).action_request()
        order.sudo().credit_approval_ids.with_user(self.manager).action_approve()
        order.action_confirm()
        picking = self._out(order)
        self._validate(picking)
        self.assertEqual(picking.state, "done")

    # ------------------------------------------------------------------ cost
    def _check_queries(self, picking):
        self.env.flush_all()
        self.env.invalidate_all()
        picking = picking.with_user(self.stock_user)
        # what the validation has read anyway before the check runs
        picking.read(["picking_type_code", "partner_id", "company_id", "state", "sale_id"])
        picking.env.user.read(["tz"])
        picking.company_id.read(["account_use_credit_limit", "credit_overdue_days", "currency_id"])
        before = self.env.cr.sql_log_count
        picking._credit_check_delivery()
        return self.env.cr.sql_log_count - before

    def test_constant_queries(self):
        small = self.env["res.partner"].create({"name": "Small", "credit_limit": 10**9})
        big = self.env["res.partner"].create({"name": "Big", "credit_limit": 10**9})
        self._invoice(10.0, partner=small)
        for _i in range(30):
            self._invoice(10.0, partner=big)
            self._invoice(5.0, partner=big, post=False)
        for _i in range(5):
            self._confirmed(10.0, partner=big)
        self.company.credit_check_at = "both"
        counts = [self._check_queries(self._out(self._confirmed(10.0, partner=p))) for p in (small, big)]
        self.assertEqual(counts[0], counts[1], "queries must not grow with the history")
        self.assertLessEqual(counts[1], 12, f"got {counts[1]}")

    def test_invoiced_before_delivery_counted_once(self):
        """Invoiced on ordered quantities before it ships: the posted invoice is in the receivables,
        the order adds nothing more at the delivery."""
        self.company.credit_check_at = "delivery"
        self.customer.credit_limit = 1500.0
        order = self._confirmed(1000.0)  # 1,100.00 with tax
        order._create_invoices().action_post()
        self.assertEqual(order.sudo()._credit_evaluate()[order.id].amount, 0.0)
        picking = self._out(order)
        self._validate(picking)  # exposure 1,100.00 within 1,500.00: counted twice it would be 2,200.00
        self.assertEqual(picking.state, "done")

    # ------------------------------------------------------------------ branches
    def test_banner_and_filter_read_holds_of_the_group(self):
        """A hold set in a branch stops the group's deliveries (the validation pools holds over the
        company's root): the banner and the filter say it before anyone tries."""
        branch = self.env["res.company"].create(
            {"name": "Acme Group Branch", "parent_id": self.company.id, "country_id": self.company.country_id.id}
        )
        separate = self.env["res.company"].create({"name": "cct Separate Co"})
        self.env.cr.precommit.run()
        held = self._out(self._confirmed())
        free = self._out(self._confirmed(partner=self.other))
        self.customer.with_company(branch).write({"credit_hold": True, "credit_hold_reason": "cheque bounced"})
        self.other.with_company(separate).write({"credit_hold": True, "credit_hold_reason": "not ours"})
        pickings = (held | free).with_user(self.stock_user)
        self.assertEqual(pickings.mapped("credit_blocked"), [True, False])
        self.assertEqual(pickings[0].credit_hold_reason, "Acme Group Branch: cheque bounced")
        Picking = self.env["stock.picking"].with_user(self.stock_user)
        self.assertEqual(Picking.search([("credit_blocked", "=", True), ("id", "in", pickings.ids)]), held)
        self.assertEqual(Picking.search([("credit_blocked", "=", False), ("id", "in", pickings.ids)]), free)
        # the banner says what the validation does
        with self.assertRaisesRegex(UserError, "Customer on credit hold: Acme Group Branch: cheque bounced"):
            self._validate(held)
        self._validate(free)
        self.assertEqual(free.state, "done")

    # ------------------------------------------------------------------ module data
    def test_module_data_validates_with_a_note(self):
        """Another module's demo validating a delivery while the server installs modules is not
        refused (Odoo would drop that module's demo); the delivery notes why it would have been."""
        picking = self._out(self._confirmed())
        self._hold()
        self.patch(self.env.registry, "ready", False)  # what the module loader runs under
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertTrue(
            any(
                "during a module installation" in body and "Cheque returned unpaid" in body
                for body in picking.message_ids.mapped("body")
            )
        )

    def test_install_context_does_not_exempt_a_stock_user(self):
        picking = self._out(self._confirmed())
        self._hold()
        with self.assertRaisesRegex(UserError, "Customer on credit hold"):
            self._validate(picking.with_context(install_mode=True, install_module="sale_stock"))
        self.assertNotEqual(picking.state, "done")
