from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestUiCollection(HttpCase):
    def test_collector_tour(self):
        company = self.env.company
        collector = new_test_user(
            self.env,
            login="tour_collector",
            groups="credit_collection.group_credit_collector",
            company_id=company.id,
            company_ids=company.ids,
        )
        customer = self.env["res.partner"].create(
            {
                "name": "Tour Top Customer",
                "is_company": True,
                "email": "ap@tour.example",
                "credit_collector_id": collector.id,
            }
        )
        today = fields.Date.today()
        moves = self.env["account.move"]
        for amount, days in ((9_000_000.0, 400), (1_000.0, 10)):
            moves |= self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    "invoice_date": today - timedelta(days=days + 30),
                    "invoice_date_due": today - timedelta(days=days),
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create({"name": "goods", "quantity": 1, "price_unit": amount, "tax_ids": []})
                    ],
                }
            )
        moves.action_post()
        self.start_tour("/odoo", "credit_collection_tour", login="tour_collector")
        oldest = moves[0]
        promise = self.env["credit.collection.promise"].search([("move_id", "=", oldest.id)])
        self.assertEqual(promise.amount, 9_000_000.0)
        self.assertEqual(promise.note, "Will pay on Friday")
        self.assertEqual(promise.user_id, collector)
        disputed = moves.filtered("collection_dispute")
        self.assertEqual(len(disputed), 1)
        self.assertEqual(disputed.collection_dispute_reason, "quality")
