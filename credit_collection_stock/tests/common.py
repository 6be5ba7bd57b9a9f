from odoo.addons.credit_collection.tests.common import CreditCommon
from odoo.tests import new_test_user


class DeliveryCreditCommon(CreditCommon):
    """The credit fixture with a stock user (Inventory / User, no credit group) who validates
    deliveries through the ORM, the way RPC does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_user = new_test_user(
            cls.env,
            login="cct_stock",
            groups="stock.group_stock_user",
            company_id=cls.company.id,
            company_ids=cls.company.ids,
        )
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.other = cls.env["res.partner"].create({"name": "Other Customer", "credit_limit": 10000.0})

    # ------------------------------------------------------------------ helpers
    def _confirmed(self, amount=1000.0, partner=None, qty=1):
        order = self._order(amount, partner=partner)
        order.order_line.product_uom_qty = qty
        order.action_confirm()
        return order

    def _hold(self, partner=None, reason="Cheque returned unpaid"):
        # tracked as in production (the fixture turns tracking off): the refusal names who set the hold;
        # tracking values are written at commit, which a test never reaches: run that step by hand
        self.env.cr.precommit.run()
        (partner or self.customer).with_context(tracking_disable=False, mail_notrack=False).write(
            {"credit_hold": True, "credit_hold_reason": reason}
        )
        self.env.cr.precommit.run()

    def _validate(self, picking, qty=None):
        """What the Validate button does for a stock user: set the quantities, then validate."""
        picking = picking.with_user(self.stock_user)
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty if qty is None else qty
        picking.move_ids.picked = True
        return picking.button_validate()

    def _out(self, order):
        return order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")

    def _over_limit_order(self):
        """A 1,100.00 order (1,000.00 + 10 % tax) for a customer whose limit is 500.00."""
        self.customer.credit_limit = 500.0
        return self._order(1000.0, user=self.salesman, user_id=self.salesman.id)
