from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditApproval(CreditCommon):
    """Exceptions: requested by the rep, decided by another credit manager, audited."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.credit_limit = 1000.00
        cls._invoice(900.00)

    def _blocked_order(self, amount=200.00):
        order = self._order(amount, user=self.salesman, user_id=self.salesman.id)
        self.assertEqual(order.credit_check_state, "blocked")
        return order.with_user(self.salesman)

    def _request(self, order, reason="Customer pays on Friday"):
        wizard = (
            self.env["credit.approval.request"]
            .with_user(self.salesman)
            .create({"order_id": order.id, "reason": reason})
        )
        wizard.action_request()
        return order.sudo().credit_approval_ids.filtered(lambda a: a.state == "pending")

    def test_full_path_request_approve_confirm(self):
        order = self._blocked_order()
        approval = self._request(order)
        self.assertEqual(len(approval), 1)
        self.assertEqual(approval.requested_by_id, self.salesman)
        self.assertEqual(
            (approval.credit_limit, approval.exposure_total, approval.order_amount), (1000.0, 900.0, 220.0)
        )
        self.assertEqual(approval.excess, 120.0)
        self.assertEqual(approval.rule_codes, "limit")
        self.assertEqual(order.credit_check_state, "pending")
        # every credit manager gets an activity
        self.assertEqual(set(approval.activity_ids.user_id.ids) >= {self.manager.id, self.manager2.id}, True)
        with self.assertRaises(UserError, msg="still refused while pending"):
            order.action_confirm()

        approval.with_user(self.manager).action_approve(comment="Known good payer")
        self.assertEqual(approval.state, "approved")
        self.assertEqual(approval.approved_amount, 220.0)
        self.assertEqual(approval.decided_by_id, self.manager)
        self.assertEqual(approval.expiry_date, fields.Date.today() + timedelta(days=7))
        self.assertFalse(approval.activity_ids, "activities closed by the decision")
        self.assertEqual(order.credit_check_state, "approved")
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        bodies = " ".join(order.sudo().message_ids.mapped("body"))
        self.assertIn(approval.name, bodies)
        self.assertIn("requested by", bodies)
        self.assertIn("approved by", bodies)

    def test_decision_wizard(self):
        approval = self._request(self._blocked_order())
        action = approval.with_user(self.manager).action_open_decision()
        wizard = (
            self.env["credit.approval.decision"]
            .with_user(self.manager)
            .with_context(**action["context"])
            .create({"decision": "reject", "comment": "Pay the overdue first"})
        )
        wizard.action_decide()
        self.assertEqual(approval.state, "rejected")
        self.assertEqual(approval.decision_comment, "Pay the overdue first")

    def test_approval_covers_up_to_amount_only(self):
        order = self._blocked_order(200.00)
        approval = self._request(order)
        approval.with_user(self.manager).action_approve(amount=220.0)
        order.sudo().order_line.price_unit = 300.00  # now 330.00
        with self.assertRaises(UserError):
            order.action_confirm()
        self.assertEqual(order.state, "draft")

    def test_approval_expires(self):
        order = self._blocked_order()
        approval = self._request(order)
        approval.with_user(self.manager).action_approve()
        with freeze_time(fields.Date.today() + timedelta(days=8)):
            self.assertTrue(approval.is_expired)
            with self.assertRaises(UserError):
                order.action_confirm()
        with freeze_time(fields.Date.today() + timedelta(days=7)):
            order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_approval_does_not_cover_new_rules(self):
        order = self._blocked_order()
        self._request(order).with_user(self.manager).action_approve()
        self.customer.with_user(self.manager).write({"credit_hold": True, "credit_hold_reason": "Legal case opened"})
        with self.assertRaises(UserError):
            order.action_confirm()

    def test_segregation_of_duties(self):
        order = self._blocked_order()
        approval = self._request(order)
        with self.assertRaises(AccessError):
            approval.with_user(self.salesman).action_approve()
        with self.assertRaises(AccessError):
            approval.with_user(self.salesman).write({"state": "approved"})
        with self.assertRaises(AccessError):
            approval.with_user(self.manager).write({"state": "approved"})
        with self.assertRaises(AccessError):
            self.env["credit.approval"].with_user(self.manager).create({"order_id": order.id})
        # a manager who asks for his own order cannot approve it
        own = self._order(300.00, user=self.manager).with_user(self.manager)
        self.env["credit.approval.request"].with_user(self.manager).create(
            {"order_id": own.id, "reason": "urgent"}
        ).action_request()
        own_request = own.credit_approval_ids
        self.assertNotIn(self.manager, own_request.activity_ids.user_id, "no activity to the requester")
        with self.assertRaises(UserError):
            own_request.with_user(self.manager).action_approve()
        own_request.with_user(self.manager2).action_approve()
        self.assertEqual(own_request.state, "approved")

    def test_bad_input_refused(self):
        order = self._blocked_order()
        with self.assertRaises(UserError):
            self._request(order, reason="   ")
        approval = self._request(order)
        with self.assertRaises(UserError, msg="one pending request at a time"):
            self._request(order)
        with self.assertRaises(UserError):
            approval.with_user(self.manager).action_approve(amount=0.0)
        with self.assertRaises(UserError):
            approval.with_user(self.manager).action_reject(comment="")
        self.assertEqual(approval.state, "pending", "nothing changed")
        order.sudo().action_cancel()
        with self.assertRaises(UserError):
            approval.with_user(self.manager).action_approve()
        self.assertEqual(approval.state, "pending")

    def test_no_request_when_not_needed_and_decided_once(self):
        fine = self._order(10.00, user=self.salesman)
        with self.assertRaises(UserError):
            self._request(fine.with_user(self.salesman))
        approval = self._request(self._blocked_order())
        approval.with_user(self.manager).action_approve()
        with self.assertRaises(UserError):
            approval.with_user(self.manager2).action_reject(comment="too late")

    def test_salesman_sees_own_requests_only(self):
        mine = self._request(self._blocked_order())
        other_rep = self.env["res.users"].create(
            {
                "name": "Other Rep",
                "login": "cc_other_rep",
                "groups_id": [(6, 0, self.env.ref("sales_team.group_sale_salesman").ids)],
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
            }
        )
        self.assertFalse(self.env["credit.approval"].with_user(other_rep).search([("id", "=", mine.id)]))
        self.assertEqual(self.env["credit.approval"].with_user(self.salesman).search([("id", "=", mine.id)]), mine)
