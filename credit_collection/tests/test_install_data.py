from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestInstallData(CreditCommon):
    """Module data loaded by the server while it installs modules (another module's demo confirming
    its orders for a demo customer the credit rules stop) is not refused: Odoo would drop that
    module's whole demo. The exemption follows the server's state (registry not ready: no user
    request runs then), not anything a caller sets."""

    def _over_limit(self):
        self.customer.credit_limit = 500.0
        return self._order(1000.0, user=self.salesman, user_id=self.salesman.id)  # 1,100.00 with tax

    def test_module_data_confirms_with_a_note(self):
        order = self._over_limit()
        self.patch(self.env.registry, "ready", False)  # what the module loader runs under
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        note = order.message_ids[:1].body
        self.assertIn("during a module installation", note)
        self.assertIn("Credit limit exceeded", note)
        self.assertIn("600.00", note)

    def test_caller_context_does_not_exempt(self):
        """A salesman's RPC cannot pass for the module loader: the install context keys change nothing."""
        order = self._over_limit()
        loader_context = {"install_mode": True, "install_module": "sale_stock", "install_filename": "demo.xml"}
        with self.assertRaisesRegex(UserError, "Credit limit exceeded"):
            order.with_user(self.salesman).with_context(**loader_context).action_confirm()
        self.assertEqual(order.state, "draft")
