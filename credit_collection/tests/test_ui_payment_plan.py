from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestUiPaymentPlan(HttpCase):
    def test_collector_proposes_manager_approves(self):
        company = self.env.company
        company.write({"payment_plan_approval_amount": 100.0, "payment_plan_approval_instalments": 0})
        collector = new_test_user(
            self.env,
            login="cct_tour_plan_collector",
            groups="credit_collection.group_credit_collector",
            company_id=company.id,
            company_ids=company.ids,
        )
        manager = new_test_user(
            self.env,
            login="cct_tour_plan_manager",
            groups="credit_collection.group_credit_manager",
            company_id=company.id,
            company_ids=company.ids,
        )
        customer = self.env["res.partner"].create(
            {"name": "Tour Plan Customer", "is_company": True, "credit_collector_id": collector.id}
        )
        today = fields.Date.today()
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_date": today - timedelta(days=430),
                "invoice_date_due": today - timedelta(days=400),
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create({"name": "goods", "quantity": 1, "price_unit": 9_000_000.0, "tax_ids": []})
                ],
            }
        )
        move.action_post()
        self.start_tour("/odoo", "credit_payment_plan_propose_tour", login="cct_tour_plan_collector")
        plan = self.env["credit.payment.plan"].search([("partner_id", "=", customer.id)])
        self.assertEqual(plan.state, "to_approve")
        self.assertEqual(plan.user_id, collector)
        self.assertEqual(plan.move_ids, move)
        self.assertEqual(len(plan.line_ids), 4)
        self.assertEqual(sum(plan.line_ids.mapped("amount")), 9_000_000.0)
        self.start_tour(
            "/odoo/action-credit_collection.credit_payment_plan_action",
            "credit_payment_plan_approve_tour",
            login="cct_tour_plan_manager",
        )
        plan.invalidate_recordset()
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.approved_by_id, manager)
