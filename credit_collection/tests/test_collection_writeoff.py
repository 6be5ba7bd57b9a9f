from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .collection_common import CollectionCommon


@tagged("post_install", "-at_install")
class TestCollectionWriteoff(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bad_debt = cls.env["account.account"].create(
            {"name": "Bad debts", "code": "658100", "account_type": "expense", "company_ids": cls.company.ids}
        )

    def _wizard(self, moves, user=None, **vals):
        return (
            self.env["credit.collection.writeoff"]
            .with_user(user or self.manager)
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create({"reason": "Customer bankrupt", **vals})
        )

    def test_write_off_then_reverse(self):
        move = self._invoice(1000.0)
        self._pay(move, 399.99)
        self.company.collection_bad_debt_account_id = self.bad_debt
        self._wizard(move).action_write_off()
        entry = move.collection_writeoff_move_id
        self.assertEqual(entry.state, "posted")
        bad_debt_line = entry.line_ids.filtered(lambda line: line.account_id == self.bad_debt)
        self.assertEqual(bad_debt_line.debit, 600.01, "the residual, to the cent")
        self.assertEqual(move.amount_residual, 0.0)
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.assertIn("written off (", self.customer.message_ids[0].body)
        self.assertIn("Customer bankrupt", move.message_ids[0].body)
        move.with_user(self.manager).action_collection_reverse_writeoff()
        self.assertEqual(move.amount_residual, 600.01, "open again after the reversal")
        self.assertFalse(move.collection_writeoff_move_id)
        self.assertEqual(entry.reversal_move_ids.state, "posted", "the write-off entry is reversed")
        self.assertIn("reversed", self.customer.message_ids[0].body)

    def test_write_off_refused_without_account(self):
        move = self._invoice(1000.0)
        wizard = self._wizard(move)
        self.assertFalse(wizard.account_id)
        with self.assertRefused(UserError, "No bad-debt account"):
            wizard.action_write_off()
        self.assertFalse(move.collection_writeoff_move_id)
        self.assertEqual(move.amount_residual, 1000.0, "nothing changed")

    def test_only_credit_managers_write_off(self):
        move = self._invoice(1000.0)
        self.company.collection_bad_debt_account_id = self.bad_debt
        with self.assertRaises(AccessError):
            self._wizard(move, user=self.collector).action_write_off()
        self.assertEqual(move.amount_residual, 1000.0)
