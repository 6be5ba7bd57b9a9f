from contextlib import contextmanager
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user

from .common import CreditCommon

D = date(2026, 3, 2)  # the due date of most test invoices (a Monday)


def day(offset):
    """The date `offset` days after the due date D."""
    return D + timedelta(days=offset)


class CollectionCommon(CreditCommon):
    """A strategy of six stages like the demo's Standard one, with fees, on the fixture's company;
    a collector in charge of the customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = new_test_user(
            cls.env,
            login="cct_collector",
            groups="credit_collection.group_credit_collector",
            company_id=cls.company.id,
            company_ids=cls.company.ids,
        )
        cls.fee_product = cls.env["product.product"].create(
            {
                "name": "Late fee",
                "type": "service",
                "taxes_id": [Command.clear()],
                "property_account_income_id": cls.company_data["default_account_revenue"].id,
            }
        )
        template = cls.env.ref("credit_collection.mail_template_collection_reminder")
        call = cls.env.ref("mail.mail_activity_data_call")
        todo = cls.env.ref("mail.mail_activity_data_todo")
        cls.strategy = cls.env["credit.collection.strategy"].create(
            {
                "name": "Test Standard",
                "company_id": cls.company.id,
                "stage_ids": [
                    Command.create(
                        {"sequence": 1, "name": "Pre-due", "offset_days": -3, "mail_template_id": template.id}
                    ),
                    Command.create(
                        {"sequence": 2, "name": "Reminder", "offset_days": 1, "mail_template_id": template.id}
                    ),
                    Command.create(
                        {
                            "sequence": 3,
                            "name": "Second notice",
                            "offset_days": 15,
                            "min_amount": 50.0,
                            "mail_template_id": template.id,
                            "activity_type_id": call.id,
                            "activity_summary": "Call the customer",
                            "activity_user_type": "collector",
                            "activity_deadline_days": 2,
                        }
                    ),
                    Command.create(
                        {
                            "sequence": 4,
                            "name": "Formal warning",
                            "offset_days": 30,
                            "min_amount": 50.0,
                            "mail_template_id": template.id,
                            "credit_hold": True,
                        }
                    ),
                    Command.create(
                        {
                            "sequence": 5,
                            "name": "Final notice",
                            "offset_days": 60,
                            "min_amount": 50.0,
                            "mail_template_id": template.id,
                            "activity_type_id": todo.id,
                            "activity_user_type": "user",
                            "activity_user_id": cls.manager.id,
                            "fee_type": "fixed",
                            "fee_amount": 20.0,
                        }
                    ),
                    Command.create(
                        {
                            "sequence": 6,
                            "name": "Legal",
                            "offset_days": 90,
                            "min_amount": 50.0,
                            "legal_handover": True,
                            "fee_type": "interest",
                            "fee_rate": 12.0,
                        }
                    ),
                ],
            }
        )
        cls.stages = {stage.name: stage for stage in cls.strategy.stage_ids}
        cls.company.write(
            {
                "collection_strategy_id": cls.strategy.id,
                "collection_fee_product_id": cls.fee_product.id,
                "collection_promise_grace_days": 3,
                "collection_default_days_late": 0,
            }
        )
        cls.customer.credit_collector_id = cls.collector
        cls.customer2 = cls.env["res.partner"].create(
            {
                "name": "Beta Stores",
                "is_company": True,
                "email": "ap@beta.example",
                "credit_collector_id": cls.collector.id,
            }
        )
        cls.customer3 = cls.env["res.partner"].create(
            {"name": "Gamma Works", "is_company": True, "email": "ap@gamma.example"}
        )

    # ------------------------------------------------------------------ helpers
    @contextmanager
    def assertRefused(self, exception, text):
        """assertRaises (which rolls back to a savepoint: nothing changed) and the message says `text`."""
        with self.assertRaises(exception) as capture:
            yield capture
        self.assertIn(text, str(capture.exception))

    def _due_invoice(self, amount, partner=None, due=D):
        with freeze_time(due - timedelta(days=30)):
            return self._invoice(amount, partner=partner, invoice_date=due - timedelta(days=30), due_date=due)

    def _run(self, on, **kwargs):
        with freeze_time(on):
            self.env["credit.collection.run"]._cron_collection_run(**kwargs)
            self.env.flush_all()

    def _mails(self, partner):
        """The emails queued to `partner` (notifications of the messages posted on its chatter)."""
        return (
            self.env["mail.mail"].sudo().search([("recipient_ids", "in", partner.ids), ("model", "=", "res.partner")])
        )

    def _history(self, moves):
        return self.env["credit.collection.history"].search([("move_id", "in", moves.ids)], order="id")
