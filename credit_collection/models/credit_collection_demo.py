from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.tools import SQL


class CreditCollectionDemo(models.AbstractModel):
    """Builds the collection demo story (dates relative to the day the demo is installed)."""

    _name = "credit.collection.demo"
    _description = "Collection Demo Story"

    @api.model
    def _load_demo(self):
        company = self.env.ref("base.main_company")
        env = self.with_company(company).env
        today = fields.Date.context_today(self)
        admin = self.env.ref("base.user_admin")
        strict = self.env.ref("credit_collection.collection_strategy_strict")
        journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "sale")], limit=1)
        bank = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
        if not journal or not bank:
            return  # no chart of accounts: nothing to tell

        def customer(name, **vals):
            return env["res.partner"].create(
                {
                    "name": name,
                    "is_company": True,
                    "email": f"ap@{name.split()[0].lower()}.example",
                    "credit_collector_id": admin.id,
                    **vals,
                }
            )

        def invoice(partner, amount, due_in_days, label="Goods"):
            due = today + timedelta(days=due_in_days)
            move = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "journal_id": journal.id,
                    "invoice_date": min(due - timedelta(days=30), today),
                    "invoice_date_due": due,
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create({"name": label, "quantity": 1, "price_unit": amount, "tax_ids": []})
                    ],
                }
            )
            move.action_post()
            return move

        def pay(move, amount, days_ago=0):
            env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
                {"amount": amount, "payment_date": today - timedelta(days=days_ago), "journal_id": bank.id}
            )._create_payments()

        # Paying habits: Harbor Foods pays about 10 days late (the predicted dates show it).
        harbor = customer("Harbor Foods", mobile="+86 139 0000 0001")
        for n in (120, 90, 60):
            pay(invoice(harbor, 800.0, -n, "Past delivery"), 800.0, n - 10)
        invoice(harbor, 1200.0, 2, "Coffee beans (due in 2 days: pre-due reminder)")
        invoice(harbor, 640.0, -5, "Tea (5 days late: reminder)")
        # reached by phone and post only (no email): the run sends letters and schedules calls instead
        meadow = customer("Meadow Bakery", email=False, mobile="+86 138 0013 8000")
        invoice(meadow, 980.0, -20, "Flour (20 days late: second notice and a call)")
        northwind = customer("Northwind Metals", email=False, phone="+86 21 5555 0100")
        invoice(northwind, 4500.0, -40, "Steel (40 days late: formal warning, credit hold)")
        invoice(customer("Blue Lake Retail"), 2300.0, -70, "Shelving (70 days late: final notice)")
        invoice(customer("Redstone Builders"), 8700.0, -100, "Cement (100 days late: legal handover)")
        invoice(customer("Quickfix Garage", collection_strategy_id=strict.id), 1500.0, -12, "Parts (strict: fee)")
        # Promises: one kept (paid), one broken (date passed unpaid), one open.
        promise = env["credit.collection.promise"]
        silver = customer("Silver Pine Hotels")
        kept = invoice(silver, 1000.0, -8, "Linen (promise kept)")
        promise.create({"move_id": kept.id, "date": today, "amount": 1000.0, "note": "Paying Friday"})
        pay(kept, 1000.0)
        broken = invoice(silver, 750.0, -25, "Towels (promise broken)")
        broken_promise = promise.create(
            {"move_id": broken.id, "date": today, "amount": 750.0, "note": "Said next week"}
        )
        # the story needs a promise made in the past: backdate it (create refuses past dates)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE credit_collection_promise SET date = %s, deadline = %s WHERE id = %s",
                today - timedelta(days=10),
                today - timedelta(days=7),
                broken_promise.id,
            )
        )
        broken_promise.invalidate_recordset()
        open_move = invoice(customer("Oak Tree Dental"), 600.0, -18, "Supplies (promise open)")
        promise.create({"move_id": open_move.id, "date": today + timedelta(days=5), "amount": 600.0})
        # A dispute: wrong quantity delivered, not chased until resolved.
        disputed = invoice(customer("Cedar Logistics"), 3100.0, -35, "Pallets (disputed)")
        disputed.action_collection_dispute("quantity", "Customer received 80 pallets, invoiced 100.")
        self.env["credit.collection.run"].with_company(company)._cron_collection_run(commit=False)
