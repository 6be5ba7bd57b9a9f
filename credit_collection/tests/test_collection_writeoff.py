from odoo import Command
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

    def test_write_off_instalment_invoice(self):
        """Two equal instalments: each receivable line is matched with its own counterpart (matching by
        account and amount reconciled the second instalment twice)."""
        term = self.env["account.payment.term"].create(
            {
                "name": "Half now, half in 30 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 0}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 30}),
                ],
            }
        )
        move = self._invoice(1000.0, post=False)
        move.invoice_payment_term_id = term
        move.action_post()
        self.assertEqual(
            len(move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")), 2
        )
        self.company.collection_bad_debt_account_id = self.bad_debt
        self._wizard(move).action_write_off()
        self.assertEqual(move.amount_residual, 0.0)
        entry = move.collection_writeoff_move_id
        self.assertEqual(entry.line_ids.filtered(lambda line: line.account_id == self.bad_debt).debit, 1000.0)
        self.assertTrue(
            all(
                entry.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable").mapped(
                    "reconciled"
                )
            )
        )
        move.with_user(self.manager).action_collection_reverse_writeoff()
        self.assertEqual(move.amount_residual, 1000.0)

    def test_write_off_uses_the_allowance_first(self):
        """Dr allowance up to its balance, the rest to bad-debt expense; a reversal restores both."""
        allowance = self.env["account.account"].create(
            {"name": "Allowance", "code": "123190", "account_type": "asset_current", "company_ids": self.company.ids}
        )
        provision = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": self.company_data["default_journal_misc"].id,
                "line_ids": [
                    Command.create({"account_id": self.bad_debt.id, "debit": 250.0}),
                    Command.create({"account_id": allowance.id, "credit": 250.0}),
                ],
            }
        )
        provision.action_post()
        self.company.write(
            {"collection_bad_debt_account_id": self.bad_debt.id, "collection_allowance_account_id": allowance.id}
        )
        first, second = self._invoice(200.0), self._invoice(300.0)
        self._wizard(first | second).action_write_off()
        dr = {
            move: {line.account_id: line.debit for line in move.collection_writeoff_move_id.line_ids if line.debit}
            for move in (first, second)
        }
        self.assertEqual(dr[first], {allowance: 200.0})
        self.assertEqual(dr[second], {allowance: 50.0, self.bad_debt: 250.0}, "the allowance runs out at 250")
        self.assertEqual(allowance.current_balance, 0.0)
        self.assertIn("50.00 to the allowance", second.message_ids[0].body)
        (first | second).with_user(self.manager).action_collection_reverse_writeoff()
        self.assertEqual(allowance.current_balance, -250.0, "the allowance is restored")
        self.assertEqual((first.amount_residual, second.amount_residual), (200.0, 300.0))
