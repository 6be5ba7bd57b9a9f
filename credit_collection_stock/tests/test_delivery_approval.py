import html
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools.misc import formatLang

from .common import DeliveryCreditCommon


@tagged("post_install", "-at_install")
class TestDeliveryApproval(DeliveryCreditCommon):
    """A stock user (Inventory / User, no credit group) asks for a credit approval from a delivery the
    credit rules stop; the credit manager's decision shows on the order and on the delivery."""

    def _blocked_over_limit(self):
        """Checked at the delivery: a 1,100.00 order (tax included) for a customer limited to 500.00."""
        self.company.credit_check_at = "delivery"
        order = self._over_limit_order()
        order.action_confirm()
        return order, self._out(order)

    def _request(self, picking, reason="Customer pays on Friday"):
        """What the button and its wizard do, as the stock user."""
        action = picking.with_user(self.stock_user).action_request_credit_approval()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.stock_user)
            .with_context(**action["context"])
            .create({"reason": reason})
        )
        return wizard, wizard.action_request()

    def _bodies(self, record):
        return [html.unescape(str(body)) for body in record.sudo().message_ids.mapped("body")]

    def test_request_from_delivery_with_the_order_figures(self):
        order, picking = self._blocked_over_limit()
        picking = picking.with_user(self.stock_user)
        self.assertTrue(picking.credit_approval_requestable)
        self.assertFalse(picking.credit_approval_state)
        self.assertIn("Credit limit exceeded", picking.credit_check_message)
        wizard, _action = self._request(picking)
        self.assertEqual(wizard.order_id, order)
        self.assertIn("excess", wizard.check_message)
        approval = order.sudo().credit_approval_ids
        self.assertEqual(len(approval), 1)
        self.assertEqual(approval.picking_id, picking)
        self.assertEqual(approval.state, "pending")
        self.assertEqual(approval.requested_by_id, self.stock_user)
        # the order's figures as the delivery sees them: exposure 0.00 without the order, this order 1,100.00
        self.assertAlmostEqual(approval.order_amount, 1100.0, places=2)
        self.assertAlmostEqual(approval.exposure_total, 0.0, places=2)
        self.assertAlmostEqual(approval.credit_limit, 500.0, places=2)
        self.assertAlmostEqual(approval.excess, 600.0, places=2)
        self.assertEqual(approval.rule_codes, "limit")
        # the credit managers have an activity; order and delivery say who asked
        self.assertTrue(approval.activity_ids)
        self.assertTrue(any(approval.name in body for body in self._bodies(order)))
        self.assertTrue(
            any(approval.name in body and "Customer pays on Friday" in body for body in self._bodies(picking))
        )
        # the delivery says it waits; no second request
        picking.invalidate_recordset()
        self.assertEqual(picking.credit_approval_state, "pending")
        self.assertIn("waiting for a credit manager", picking.credit_approval_summary)
        self.assertFalse(picking.credit_approval_requestable)
        with self.assertRaisesRegex(UserError, "waiting for a decision"):
            picking.request_credit_approval("Again")
        # a stock user cannot decide
        with self.assertRaises(AccessError):
            approval.with_user(self.stock_user).action_approve()

    def test_approval_decision_on_order_and_delivery_then_ships(self):
        order, picking = self._blocked_over_limit()
        self._request(picking)
        approval = order.sudo().credit_approval_ids
        approval.with_user(self.manager).action_approve(comment="Known payer")
        expiry = fields.Date.context_today(self.env.user) + timedelta(days=7)
        amount = formatLang(self.env, 1100.0, currency_obj=self.currency)
        decision = f"approved by {self.manager.name} up to {amount}, valid until {expiry}"
        self.assertTrue(any(decision in body for body in self._bodies(order)), "on the order's chatter")
        self.assertTrue(any(decision in body for body in self._bodies(picking)), "on the delivery's chatter")
        # the order's salesperson reads the decision in the order's approvals (Credit Check tab)
        seen = order.with_user(self.salesman).credit_approval_ids
        self.assertEqual(seen, approval)
        self.assertEqual(seen.state, "approved")
        self.assertEqual(seen.decided_by_id, self.manager)
        self.assertEqual(seen.approved_summary, f"in full: {amount}")
        self.assertEqual(seen.expiry_date, expiry)
        pickings = (picking | self._out(self._confirmed(partner=self.other))).with_user(self.stock_user)
        self.assertEqual(pickings.mapped("credit_approval_state"), ["approved", False])
        self.assertIn(decision, pickings[0].credit_approval_summary)
        self.assertIn("Known payer", pickings[0].credit_approval_summary)
        self.assertFalse(pickings[0].credit_approval_requestable)
        # the approval lets the delivery ship, and the delivery names it
        self._validate(picking)
        self.assertEqual(picking.state, "done")
        self.assertTrue(any(f"under approval {approval.name}" in body for body in self._bodies(picking)))

    def test_refusal_shown_on_delivery(self):
        order, picking = self._blocked_over_limit()
        self._request(picking)
        approval = order.sudo().credit_approval_ids
        approval.with_user(self.manager).action_reject("Pay the open invoices first")
        decision = f"rejected by {self.manager.name}: Pay the open invoices first"
        self.assertTrue(any(decision in body for body in self._bodies(order)))
        self.assertTrue(any(decision in body for body in self._bodies(picking)))
        picking = picking.with_user(self.stock_user)
        self.assertEqual(picking.credit_approval_state, "rejected")
        self.assertIn(decision, picking.credit_approval_summary)
        with self.assertRaisesRegex(UserError, "Credit limit exceeded"):
            self._validate(picking)
        self.assertNotEqual(picking.state, "done")
        # a new request may follow (the customer's situation changed)
        self.assertTrue(picking.credit_approval_requestable)

    def test_expired_approval_shown_and_requestable_again(self):
        order, picking = self._blocked_over_limit()
        self._request(picking)
        approval = order.sudo().credit_approval_ids
        approval.with_user(self.manager).action_approve()
        approval.sudo().expiry_date = fields.Date.context_today(self.env.user) - timedelta(days=1)
        picking = picking.with_user(self.stock_user)
        self.assertEqual(picking.credit_approval_state, "expired")
        self.assertIn("Expired", picking.credit_approval_summary)
        self.assertTrue(picking.credit_approval_requestable)
        with self.assertRaisesRegex(UserError, "Credit limit exceeded"):
            self._validate(picking)

    def test_hold_under_the_default_setting(self):
        """Checked at the order (default): the hold alone stops the delivery; approved for the hold, it ships."""
        order = self._confirmed()
        self._hold()
        picking = self._out(order).with_user(self.stock_user)
        self.assertTrue(picking.credit_approval_requestable)
        self._request(picking, reason="Cash on delivery agreed")
        approval = order.sudo().credit_approval_ids
        self.assertEqual(approval.rule_codes, "hold")
        self.assertAlmostEqual(approval.order_amount, 110.0, places=2)
        approval.with_user(self.manager).action_approve()
        self._validate(picking)
        self.assertEqual(picking.state, "done")

    def test_no_request_when_not_needed(self):
        picking = self._out(self._confirmed()).with_user(self.stock_user)
        self.assertFalse(picking.credit_approval_requestable)
        with self.assertRaisesRegex(UserError, "passes the credit check"):
            picking.request_credit_approval("Just in case")
        with self.assertRaisesRegex(UserError, "Say why"):
            self._out(self._confirmed()).with_user(self.stock_user).request_credit_approval(" ")
        self.assertFalse(self.env["credit.approval"].sudo().search([("partner_id", "=", self.customer.id)]))

    def test_picking_link_is_set_by_the_request_only(self):
        order, picking = self._blocked_over_limit()
        self._request(picking)
        approval = order.sudo().credit_approval_ids
        other = self._out(self._confirmed(partner=self.other))
        with self.assertRaises(AccessError):
            approval.with_user(self.manager).write({"picking_id": other.id})
