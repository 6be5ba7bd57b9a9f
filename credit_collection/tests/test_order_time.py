from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestOrderTime(CreditCommon):
    """The order-time screens and rules as the salesman meets them: one banner, partial approvals,
    temporary limits, and what "no limit" means."""

    def _codes(self, order):
        return {code for code, _msg in order._credit_evaluate()[order.id].failures}

    # ------------------------------------------------------------------ one banner
    def test_odoo_banner_replaced_on_orders_and_invoices(self):
        self.customer.credit_limit = 1000.00
        self._invoice(900.00)
        order = self._order(200.00, user=self.salesman).with_user(self.salesman)
        self.assertEqual(order.credit_check_state, "blocked")
        self.assertFalse(order.partner_credit_warning, "Odoo's own banner is replaced by the addon's")
        draft = self._invoice(300.00, post=False)
        self.assertFalse(draft.partner_credit_warning)
        self.assertEqual(draft.credit_banner_level, "danger")
        self.assertRegex(draft.credit_banner, r"exposure with this invoice \D*1,200\.00 .*excess \D*200\.00")
        # without the addon's check, Odoo's banner is left alone
        self.company.account_use_credit_limit = False
        order.invalidate_recordset()
        self.assertEqual(order.credit_check_state, "ok")

    def test_usage_warning_turns_the_banner_amber(self):
        self.customer.credit_limit = 1000.00
        self._invoice(850.00)
        near = self._order(50.00, user=self.salesman).with_user(self.salesman)  # 55.00 -> 905.00 of 1,000.00
        self.assertEqual(near.credit_check_state, "ok", "a warning is not a refusal")
        self.assertRegex(near.credit_usage_warning, r"905\.00 is 90\.5 % of the limit .*95\.00 left after this order")
        below = self._order(40.00, user=self.salesman).with_user(self.salesman)  # 44.00 -> 894.00
        self.assertFalse(below.credit_usage_warning)
        self.company.credit_usage_warning_percent = 0.0
        near.invalidate_recordset()
        self.assertFalse(near.credit_usage_warning, "0 turns the warning off")
        self.company.credit_usage_warning_percent = 90.0
        draft = self._invoice(60.00, post=False)  # 910.00
        self.assertEqual(draft.credit_banner_level, "warning")
        near.action_confirm()  # a warning does not stop the order
        self.assertEqual(near.state, "sale")

    # ------------------------------------------------------------------ partial approvals
    def test_partial_approval_says_what_is_missing(self):
        self._invoice(9000.00)
        order = self._order(3000.00, product=self.product_notax, user=self.salesman).with_user(self.salesman)
        approval = self.env["credit.approval"].browse(
            order.request_credit_approval("Big project\nCustomer pays the deposit next week")
        )
        approval_m = approval.with_user(self.manager)
        self.assertFalse(approval.approved_summary, "a pending request shows no approved amount")
        self.assertEqual(approval.rule_names, "Credit limit")
        self.assertEqual(approval.reason_summary, "Big project · Customer pays the deposit next week", "one line")
        approval_m.action_approve(amount=2500.00, comment="not all of it")
        approval.invalidate_recordset()
        self.assertRegex(approval.approved_summary.replace("\xa0", " "), r"^up to .*2,500\.00 of .*3,000\.00$")
        self.assertEqual(order.credit_check_state, "blocked")
        self.assertIn(approval.name, order.credit_check_message)
        with self.assertRaisesRegex(UserError, rf"(?s){approval.name}.*up to .*2,500\.00.*500\.00 more than approved"):
            order.action_confirm()
        # the list: approved in full reads differently
        order2 = self._order(1500.00, product=self.product_notax, user=self.salesman).with_user(self.salesman)
        approval2 = self.env["credit.approval"].browse(order2.request_credit_approval("one-off"))
        approval2.with_user(self.manager).action_approve()
        approvals = (approval | approval2).with_user(self.salesman)
        self.assertEqual([bool(s.startswith("up to")) for s in approvals.mapped("approved_summary")], [True, False])
        self.assertIn("in full", approval2.with_user(self.salesman).approved_summary)

    # ------------------------------------------------------------------ temporary limits
    def test_temporary_limit_applies_inclusive_and_lapses(self):
        self._invoice(9000.00)
        order = self._order(2000.00, product=self.product_notax, user=self.salesman).with_user(self.salesman)
        self.assertEqual(self._codes(order), {"limit"})
        today = fields.Date.today()
        vals = {
            "partner_id": self.contact.id,  # a contact: the increase goes to the customer
            "amount": 1000.00,
            "reason": "Season peak",
            "date_from": today + timedelta(days=1),
            "date_to": today + timedelta(days=3),
        }
        with self.assertRaises(AccessError):
            self.env["credit.limit.temporary"].with_user(self.salesman).create(vals)
        increase = self.env["credit.limit.temporary"].with_user(self.manager).create(vals)
        self.assertEqual(increase.partner_id, self.customer)
        self.assertEqual(self._codes(order), {"limit"}, "not yet")
        for day, expected in ((1, set()), (3, set()), (4, {"limit"})):
            with freeze_time(today + timedelta(days=day)):
                order.invalidate_recordset()
                self.assertEqual(self._codes(order), expected, f"day {day}")
        with freeze_time(today + timedelta(days=3)):
            order.invalidate_recordset()
            self.assertEqual(order.credit_temporary_limit, 1000.00)
            self.assertEqual(order.credit_limit_effective, 11000.00)
            self.assertEqual(self.customer.with_user(self.salesman).credit_temporary_limit, 1000.00)
            order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertIn("Season peak", self.customer.message_ids[0].body)
        self.flush_tracking()
        increase.with_user(self.manager).with_context(tracking_disable=False, mail_notrack=False).amount = 1500.00
        self.flush_tracking()
        increase.invalidate_recordset()
        self.assertTrue(increase.sudo().message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "amount"))

    # ------------------------------------------------------------------ "no limit"
    def test_no_limit_means_prepay_when_the_company_says_so(self):
        self.customer.credit_limit = 0.0
        order = self._order(100.00, product=self.product_notax, user=self.salesman).with_user(self.salesman)
        self.assertEqual(self._codes(order), set(), "Odoo's meaning: no limit")
        self.company.credit_no_limit_policy = "prepay"
        self.assertEqual(self._codes(order), {"no_credit"})
        with self.assertRaisesRegex(
            UserError, r"No credit: .*orders must be prepaid.*to be paid before confirmation .*100\.00"
        ):
            order.action_confirm()
        self._unapplied_payment(100.00)
        self.assertEqual(self._codes(order), set(), "paid on account before the order")
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_quotation_signed_on_the_portal_stays_a_quotation(self):
        """Odoo confirms a quotation the customer signs on the portal (no payment required): a refusal
        keeps it a quotation with activities, and the customer reads no credit figure."""
        self._invoice(9000.00)
        order = self._order(2000.00, product=self.product_notax, user=self.salesman)
        order.sudo()._validate_order()  # what the portal's accept route calls, as sudo
        self.assertEqual(order.state, "draft")
        self.assertIn(self.salesman, order.activity_ids.user_id)
        self.assertRegex(order.activity_ids[:1].note, r"excess \D*1,000\.00")
        public = order.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        self.assertIn("being reviewed", public.body)
        self.assertNotIn("1,000.00", public.body)
