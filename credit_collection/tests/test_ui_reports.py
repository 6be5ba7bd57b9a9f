from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import date_utils


@tagged("post_install", "-at_install")
class TestUiReports(HttpCase):
    """In a real headless Chromium, an accountant (credit manager): the aging at a date in the
    pivot, then this month's bad-debt provision computed and posted."""

    def test_aging_and_provision_tour(self):
        company = self.env.company
        new_test_user(
            self.env,
            login="tour_accountant",
            groups="credit_collection.group_credit_manager,account.group_account_manager",
            company_id=company.id,
            company_ids=company.ids,
        )
        customer = self.env["res.partner"].create({"name": "Tour Aged Customer", "is_company": True})
        today = fields.Date.today()
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_date": today - timedelta(days=530),
                "invoice_date_due": today - timedelta(days=500),
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create({"name": "goods", "quantity": 1, "price_unit": 7_000.0, "tax_ids": []})
                ],
            }
        )
        invoice.action_post()
        # an earlier (draft) run: the new run takes its journal and accounts, as it would in use (same
        # date as the demo's run, if any, and newer, so that these accounts are the ones proposed)
        Account = self.env["account.account"]
        self.env["credit.provision.run"].create(
            {
                "company_id": company.id,
                "date": date_utils.end_of(today, "month"),
                "journal_id": self.env["account.journal"]
                .search([("type", "=", "general"), ("company_id", "=", company.id)], limit=1)
                .id,
                "expense_account_id": Account.create(
                    {"name": "Tour impairment loss", "code": "668199", "account_type": "expense"}
                ).id,
                "allowance_account_id": Account.create(
                    {"name": "Tour allowance", "code": "123199", "account_type": "asset_current"}
                ).id,
            }
        )
        self.start_tour("/odoo", "credit_provision_tour", login="tour_accountant")
        run = self.env["credit.provision.run"].search(
            [("company_id", "=", company.id), ("state", "=", "posted")], order="id desc", limit=1
        )
        self.assertTrue(run, "the run was posted from the form")
        self.assertEqual(run.period, today.strftime("%Y-%m"))
        self.assertEqual(run.move_id.state, "posted")
        over_365 = run.line_ids.filtered(lambda line: line.bucket_id.name == "> 365" and not line.grade_id)
        self.assertGreaterEqual(over_365.allowance, 7_000.0, "the 500-day-old invoice at 100 %")
        expense = run.move_id.line_ids.filtered(lambda line: line.account_id == run.expense_account_id)
        self.assertEqual(expense.balance, run.adjustment_amount)
