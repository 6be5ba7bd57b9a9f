from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCreditApprovalTour(HttpCase):
    """In a real headless Chromium: refused, requested, approved by another person, confirmed."""

    def test_credit_approval_tour(self):
        company = self.env.company
        company.account_use_credit_limit = True
        salesman = new_test_user(
            self.env, login="tour_sales", groups="sales_team.group_sale_salesman", company_id=company.id
        )
        new_test_user(
            self.env,
            login="tour_credit",
            groups="sales_team.group_sale_salesman_all_leads,credit_collection.group_credit_manager",
            company_id=company.id,
        )
        customer = self.env["res.partner"].create({"name": "CC Tour Customer", "is_company": True, "credit_limit": 100})
        product = self.env["product.product"].create({"name": "Tour Widget", "list_price": 500.0, "taxes_id": []})
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "user_id": salesman.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
            }
        )
        url = f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}"
        self.start_tour(url, "credit_approval_request_tour", login="tour_sales")
        self.assertEqual(order.credit_approval_ids.state, "pending")
        approvals_url = "/odoo/action-credit_collection.credit_approval_action"
        self.start_tour(approvals_url, "credit_approval_partial_tour", login="tour_credit")
        self.assertEqual(order.credit_approval_ids.approved_amount, 400.0)
        self.start_tour(url, "credit_approval_partial_refused_tour", login="tour_sales")
        self.assertEqual(order.credit_approval_ids.mapped("state"), ["pending", "approved"])
        self.start_tour(approvals_url, "credit_approval_decide_tour", login="tour_credit")
        self.assertEqual(order.credit_approval_ids.mapped("state"), ["approved", "approved"])
        self.start_tour(url, "credit_approval_confirm_tour", login="tour_sales")
        self.assertEqual(order.state, "sale")
