from datetime import timedelta

from psycopg2 import errors

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import RealTransactions


@tagged("post_install", "-at_install")
class TestConcurrentPaymentPlans(RealTransactions, TransactionCase):
    """Two collectors propose a plan over the same invoice at the same moment, in two real
    transactions (REPEATABLE READ, as Odoo runs them): only one plan may cover it."""

    def setUp(self):
        super().setUp()
        with self._committed_env() as env:
            company = env.ref("base.main_company")
            collector = new_test_user(
                env,
                login="cct_plan_race",
                groups="credit_collection.group_credit_collector",
                company_id=company.id,
                company_ids=company.ids,
            )
            customer = env["res.partner"].create({"name": "Concurrent Plan Customer", "is_company": True})
            today = fields.Date.context_today(env["res.partner"])
            invoice = (
                env["account.move"]
                .with_company(company)
                .create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": customer.id,
                        "company_id": company.id,
                        "invoice_date": today - timedelta(days=40),
                        "invoice_date_due": today - timedelta(days=10),
                        "invoice_payment_term_id": False,
                        "invoice_line_ids": [
                            Command.create({"name": "Widgets", "quantity": 1, "price_unit": 900.0, "tax_ids": []})
                        ],
                    }
                )
            )
            invoice.action_post()
            self.ids = {"customer": customer.id, "invoice": invoice.id, "collector": collector.id}

    def tearDown(self):
        with self._committed_env() as env:
            env["credit.payment.plan"].search([("partner_id", "=", self.ids["customer"])]).unlink()
            invoice = env["account.move"].browse(self.ids["invoice"])
            invoice.button_draft()
            invoice.with_context(force_delete=True).unlink()
            env["res.partner"].browse(self.ids["customer"]).unlink()
            user = env["res.users"].browse(self.ids["collector"])
            partner = user.partner_id
            user.unlink()
            partner.unlink()
        super().tearDown()

    def _propose(self, cr):
        env = api.Environment(cr, self.ids["collector"], {})
        return env["credit.payment.plan"].create(
            {"partner_id": self.ids["customer"], "move_ids": [Command.set([self.ids["invoice"]])]}
        )

    def test_second_concurrent_plan_on_same_invoice_is_serialized_then_refused(self):
        cr1, cr2 = self._cursor(), self._cursor()
        try:
            # Both transactions take their snapshot before either commits.
            cr1.execute("SELECT 1")
            cr2.execute("SELECT 1")
            first = self._propose(cr1)
            first_name = first.name
            self.assertEqual(first.covered_amount, 900.0)
            cr1.commit()  # pylint: disable=invalid-commit
            # The second transaction does not see the first plan: without the lock it would be saved.
            # the refused statement is logged by odoo.sql_db as a bad query: expected here
            with self.assertRaises(errors.SerializationFailure), mute_logger("odoo.sql_db"):
                self._propose(cr2)
            cr2.rollback()
            # Odoo's request layer retries on a fresh snapshot: now the first plan is seen.
            with self.assertRaises(UserError) as err:
                self._propose(cr2)
            invoice_name = api.Environment(cr2, SUPERUSER_ID, {})["account.move"].browse(self.ids["invoice"]).name
            self.assertIn(f"{invoice_name} already on plan {first_name}", str(err.exception))
            cr2.rollback()
        finally:
            cr1.close()
            cr2.close()
        with self._cursor() as cr:
            cr.execute("SELECT plan_id FROM credit_payment_plan_move_rel WHERE move_id = %s", [self.ids["invoice"]])
            self.assertEqual(len(cr.fetchall()), 1, "exactly one plan covers the invoice")
