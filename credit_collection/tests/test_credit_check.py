from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditCheck(CreditCommon):
    """sale.order confirmation is refused on the server when a credit rule is broken."""

    def test_over_limit_refused_with_numbers(self):
        self.customer.credit_limit = 1000.00
        self._invoice(600.00)
        self._invoice(100.00, post=False)
        self._order(100.00, confirm=True)  # 110.00 open
        order = self._order(200.00, user=self.salesman)  # 220.00
        with self.assertRaises(UserError) as err:
            order.with_user(self.salesman).action_confirm()
        msg = str(err.exception)
        for figure in ("1,000.00", "810.00", "600.00", "100.00", "110.00", "220.00", "30.00"):
            self.assertIn(figure, msg, f"refusal names {figure}")
        self.assertIn("Request Credit Approval", msg, "the message says what to do next")
        self.assertEqual(order.state, "draft", "nothing changed")

    def test_exactly_at_limit_passes(self):
        self.customer.credit_limit = 1100.00
        self._invoice(880.00)
        order = self._order(200.00)  # 220.00 -> 1100.00 exactly
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_no_limit_and_switch_off(self):
        self.customer.credit_limit = 0.0
        self._invoice(50000.00)
        self._order(1000.00).action_confirm()
        self.customer.credit_limit = 100.0
        self.company.account_use_credit_limit = False
        order = self._order(1000.00)
        order.action_confirm()
        self.assertEqual(order.state, "sale", "the company switch turns the limit rule off")

    def test_order_form_warns_before_confirmation(self):
        self.customer.credit_limit = 1000.00
        self._invoice(900.00)
        order = self._order(200.00)
        self.assertEqual(order.credit_check_state, "blocked")
        self.assertEqual(order.credit_available, 100.00)
        self.assertEqual(order.credit_available_after, -120.00)
        self.assertEqual(order.credit_order_amount, 220.00)
        self.assertIn("Credit limit exceeded", order.credit_check_message)
        small = self._order(50.00)
        self.assertEqual(small.credit_check_state, "ok")

    def test_new_quotation_in_the_form_is_checked_live(self):
        self.customer.credit_limit = 1000.00
        self._invoice(900.00)
        with Form(self.env["sale.order"].with_user(self.salesman)) as form:
            form.partner_id = self.contact
            with form.order_line.new() as line:
                line.product_id = self.product
                line.price_unit = 50.0
            self.assertEqual(form.credit_check_state, "ok")
            self.assertEqual(form.credit_available_after, 45.0)
            with form.order_line.edit(0) as line:
                line.price_unit = 200.0
            self.assertEqual(form.credit_check_state, "blocked", "warned while typing, before saving")
            self.assertEqual(form.credit_exposure, 900.0)

    def test_batch_confirmation_counts_each_order(self):
        self.customer.credit_limit = 500.00
        orders = self._order(200.00) | self._order(200.00)  # 220 + 220 fits, a third does not
        orders.action_confirm()
        third = self._order(100.00)
        both = third | self._order(10.00)
        with self.assertRaises(UserError):
            both.action_confirm()
        self.assertEqual(set(both.mapped("state")), {"draft"})

    def test_confirmed_order_created_or_written_directly(self):
        """Imports and RPC can set the state without action_confirm: still checked."""
        self.customer.credit_limit = 100.00
        with self.assertRaises(UserError):
            self.env["sale.order"].create(
                {
                    "partner_id": self.customer.id,
                    "state": "sale",
                    "order_line": [Command.create({"product_id": self.product.id, "price_unit": 500.0})],
                }
            )
        order = self._order(500.00)
        with self.assertRaises(UserError):
            order.write({"state": "sale"})
        self.assertEqual(order.state, "draft")

    def test_credit_hold(self):
        self.customer.with_user(self.manager).write({"credit_hold": True, "credit_hold_reason": "Bankruptcy rumours"})
        order = self._order(1.00)
        with self.assertRaises(UserError) as err:
            order.action_confirm()
        self.assertIn("Bankruptcy rumours", str(err.exception))
        self.company.account_use_credit_limit = False
        with self.assertRaises(UserError, msg="a hold is enforced even with limit checks off"):
            order.action_confirm()
        self.customer.with_user(self.manager).credit_hold = False
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_hold_needs_reason_and_is_tracked(self):
        self.flush_tracking()
        with self.assertRaises(UserError):
            self.customer.with_user(self.manager).write({"credit_hold": True})
        self.assertFalse(self.customer.credit_hold, "nothing changed")
        self.customer.with_user(self.manager).with_context(tracking_disable=False, mail_notrack=False).write(
            {"credit_hold": True, "credit_hold_reason": "Cheque bounced"}
        )
        with self.assertRaises(UserError):
            self.customer.with_user(self.manager).write({"credit_hold_reason": " "})
        self.flush_tracking()
        tracked = self.customer.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("credit_hold", tracked)
        self.assertIn("credit_hold_reason", tracked)

    def test_overdue_rule(self):
        self.company.write({"credit_overdue_days": 30, "credit_overdue_min_amount": 100.0})
        late = self._invoice(500.00, invoice_date=self.days_ago(70), due_date=self.days_ago(40))
        order = self._order(10.00)
        with self.assertRaises(UserError) as err:
            order.action_confirm()
        msg = str(err.exception)
        self.assertIn(late.name, msg)
        self.assertIn("40 days overdue", msg)
        self.assertIn("500.00", msg)
        self.company.credit_overdue_min_amount = 500.0  # not *more* than the minimum
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_overdue_rule_tolerance_and_disabled(self):
        self.company.write({"credit_overdue_days": 30, "credit_overdue_min_amount": 0.0})
        self._invoice(500.00, invoice_date=self.days_ago(60), due_date=self.days_ago(30))
        self._order(10.00).action_confirm()  # exactly 30 days: within tolerance
        self.company.credit_overdue_days = 29
        with self.assertRaises(UserError):
            self._order(10.00).action_confirm()
        self.company.credit_overdue_days = 0
        self._order(10.00).action_confirm()

    def test_paid_overdue_invoice_no_longer_blocks(self):
        self.company.write({"credit_overdue_days": 10})
        late = self._invoice(500.00, invoice_date=self.days_ago(60), due_date=self.days_ago(30))
        with self.assertRaises(UserError):
            self._order(10.00).action_confirm()
        self._pay(late, 500.00)
        self._order(10.00).action_confirm()

    def test_foreign_order_checked_in_company_currency(self):
        eur = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        self.customer.credit_limit = 1000.00
        order = self._order(1900.00, currency=eur)  # 2090 EUR = 1045 USD
        self.assertEqual(order.credit_order_amount, 1045.00)
        with self.assertRaises(UserError) as err:
            order.action_confirm()
        self.assertIn("45.00", str(err.exception))

    def test_limits_are_per_company(self):
        other = self.setup_other_company(name="Other Co")["company"]
        self.customer.with_company(other).credit_limit = 50.0
        self.customer.credit_limit = 5000.0
        self._order(1000.00).action_confirm()
        order = (
            self.env["sale.order"]
            .with_company(other)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": other.id,
                    "order_line": [Command.create({"product_id": self.product_notax.id, "price_unit": 100.0})],
                }
            )
        )
        other.account_use_credit_limit = True
        with self.assertRaises(UserError):
            order.with_company(other).action_confirm()


@tagged("post_install", "-at_install")
class TestCreditAccess(CreditCommon):
    def test_salesman_cannot_change_limits_or_holds(self):
        partner = self.customer.with_user(self.salesman)
        with self.assertRaises(AccessError):
            partner.sudo(False).write({"credit_limit": 99999.0})
        with self.assertRaises(AccessError):
            partner.write({"credit_hold": True, "credit_hold_reason": "x"})
        self.assertEqual(self.customer.credit_limit, 10000.0)
        # creating a customer from the form (defaults sent) is fine
        self.salesman.groups_id += self.env.ref("base.group_partner_manager")
        self.env["res.partner"].with_user(self.salesman).create({"name": "Walk-in", "credit_hold": False})

    def test_manager_change_is_tracked(self):
        self.flush_tracking()  # records created in this transaction are not tracked: start clean
        self.customer.with_user(self.manager).with_context(
            tracking_disable=False, mail_notrack=False
        ).credit_limit = 12000.0
        self.flush_tracking()
        values = self.customer.message_ids.tracking_value_ids.filtered(lambda v: v.field_id.name == "credit_limit")
        self.assertEqual(values[:1].old_value_float, 10000.0)
        self.assertEqual(values[:1].new_value_float, 12000.0)
        self.assertEqual(values[:1].mail_message_id.author_id, self.manager.partner_id)

    def test_bad_values_refused(self):
        with self.assertRaises(UserError):
            self.customer.with_user(self.manager).credit_limit = -1.0
        self.assertEqual(self.customer.credit_limit, 10000.0)
        with self.assertRaises(ValidationError):
            self.company.credit_overdue_days = -5
        with self.assertRaises(ValidationError):
            self.company.credit_approval_validity_days = 0
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"account_default_credit_limit": -10.0}).execute()
        self.assertEqual(self.env["credit.exposure"]._default_credit_limit(self.company), 0.0)
