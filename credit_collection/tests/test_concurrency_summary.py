from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tests import TransactionCase, tagged

from .common import RealTransactions


@tagged("post_install", "-at_install")
class TestConcurrentPostings(RealTransactions, TransactionCase):
    """The summary of open receivables (credit_open_item_sum, kept by a trigger on the journal items)
    never makes two postings wait for each other or fail: not for two customers, not even for two
    invoices of one customer due the same day. Real transactions (REPEATABLE READ, as Odoo runs
    them); each posts in its own journal, as core serializes the numbering of one journal."""

    def setUp(self):
        super().setUp()
        with self._committed_env() as env:
            company = env.ref("base.main_company")
            sales = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
            journals = env["account.journal"].create(
                [
                    {
                        "name": f"cct Sales {n}",
                        "code": f"CCT{n}",
                        "type": "sale",
                        "company_id": company.id,
                        "default_account_id": sales.default_account_id.id,
                    }
                    for n in (1, 2)
                ]
            )
            customers = env["res.partner"].create([{"name": "cct Posting A"}, {"name": "cct Posting B"}])
            self.ids = {"company": company.id, "journals": journals.ids, "customers": customers.ids}

    def tearDown(self):
        with self._committed_env() as env:
            moves = env["account.move"].search([("journal_id", "in", self.ids["journals"])])
            moves.button_draft()
            moves.with_context(force_delete=True).unlink()
            env["account.journal"].browse(self.ids["journals"]).unlink()
            env["res.partner"].browse(self.ids["customers"]).unlink()
        super().tearDown()

    def _post(self, cr, customer_id, journal_id, amount):
        env = api.Environment(cr, SUPERUSER_ID, {})
        today = fields.Date.context_today(env.user)
        move = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer_id,
                "journal_id": journal_id,
                "company_id": self.ids["company"],
                "invoice_date": today,
                "invoice_date_due": today,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create({"name": "goods", "quantity": 1, "price_unit": amount, "tax_ids": []})
                ],
            }
        )
        move.action_post()
        env.flush_all()
        return move

    def _post_concurrently(self, first_customer, second_customer):
        journal1, journal2 = self.ids["journals"]
        cr1, cr2 = self._cursor(), self._cursor()
        try:
            # Both transactions take their snapshot before either writes; the second gives up
            # after 3 seconds of waiting for a lock instead of waiting for the first to end.
            cr1.execute("SELECT 1")
            cr2.execute("SET LOCAL lock_timeout = '3s'")
            self._post(cr1, first_customer, journal1, 100.0)
            self._post(cr2, second_customer, journal2, 250.0)  # LockNotAvailable if it waited
            cr1.commit()  # pylint: disable=invalid-commit
            # SerializationFailure if they collided
            cr2.commit()  # pylint: disable=invalid-commit
        finally:
            cr1.close()
            cr2.close()

    def _receivables(self):
        with self._committed_env() as env:
            engine = env["credit.exposure"]
            self.assertEqual(engine._open_item_sum_mismatches(), [], "the summary equals the journal items")
            exposures = engine._get_exposures(
                env["res.partner"].browse(self.ids["customers"]), env["res.company"].browse(self.ids["company"])
            )
            return [exposures[customer_id].receivable for customer_id in self.ids["customers"]]

    def test_two_customers_post_at_once(self):
        customer_a, customer_b = self.ids["customers"]
        self._post_concurrently(customer_a, customer_b)
        self.assertEqual(self._receivables(), [100.0, 250.0])

    def test_one_customer_posts_twice_at_once_due_the_same_day(self):
        customer_a, _customer_b = self.ids["customers"]
        self._post_concurrently(customer_a, customer_a)
        self.assertEqual(self._receivables(), [350.0, 0.0])
