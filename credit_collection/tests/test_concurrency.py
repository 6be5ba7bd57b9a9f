from psycopg2 import errors

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import RealTransactions


@tagged("post_install", "-at_install")
class TestConcurrentConfirmations(RealTransactions, TransactionCase):
    """Two users confirm orders of the same customer at the same moment, in two real
    transactions (REPEATABLE READ, as Odoo runs them): only one may pass a limit that fits one."""

    def setUp(self):
        super().setUp()
        with self._committed_env() as env:
            company = env.ref("base.main_company")
            self.old_switch = company.account_use_credit_limit
            company.account_use_credit_limit = True
            customer = env["res.partner"].create({"name": "Concurrent Customer", "credit_limit": 1000.0})
            # a service: with Inventory installed (the stock bridge), goods would leave stock moves
            # behind that keep the product and the customer from being deleted in tearDown
            product = env["product.product"].create(
                {"name": "Concurrent Widget", "type": "service", "list_price": 600.0, "taxes_id": []}
            )
            orders = env["sale.order"].create(
                [
                    {
                        "partner_id": customer.id,
                        "company_id": company.id,
                        "order_line": [Command.create({"product_id": product.id, "price_unit": 600.0})],
                    }
                    for _i in range(2)
                ]
            )
            self.ids = {"customer": customer.id, "product": product.id, "orders": orders.ids, "company": company.id}

    def tearDown(self):
        with self._committed_env() as env:
            orders = env["sale.order"].browse(self.ids["orders"])
            orders.filtered(lambda o: o.state == "sale")._action_cancel()
            orders.unlink()
            env["product.product"].browse(self.ids["product"]).unlink()
            env["res.partner"].browse(self.ids["customer"]).unlink()
            env["res.company"].browse(self.ids["company"]).account_use_credit_limit = self.old_switch
        super().tearDown()

    def test_second_concurrent_confirmation_is_serialized_then_refused(self):
        first_id, second_id = self.ids["orders"]
        cr1, cr2 = self._cursor(), self._cursor()
        try:
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            # Both transactions take their snapshot before either commits.
            cr1.execute("SELECT 1")
            cr2.execute("SELECT 1")
            env1["sale.order"].browse(first_id).action_confirm()
            cr1.commit()  # pylint: disable=invalid-commit
            # The second transaction does not see the first order: without the lock it would pass.
            # the refused statement is logged by odoo.sql_db as a bad query: expected here
            with self.assertRaises(errors.SerializationFailure), mute_logger("odoo.sql_db"):
                env2["sale.order"].browse(second_id).action_confirm()
            cr2.rollback()
            # Odoo's request layer retries on a fresh snapshot: now the first order counts.
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            with self.assertRaises(UserError) as err:
                env2["sale.order"].browse(second_id).action_confirm()
            self.assertIn("Credit limit exceeded", str(err.exception))
            cr2.rollback()
        finally:
            cr1.close()
            cr2.close()
        with self._cursor() as cr:
            cr.execute("SELECT state FROM sale_order WHERE id = ANY(%s) ORDER BY id", [self.ids["orders"]])
            self.assertEqual([r[0] for r in cr.fetchall()], ["sale", "draft"])
