import contextlib
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .payment_common import CreditPaymentCommon

# the tables read only by the columns of optional features
OPTIONAL_TABLES = ("credit_grade", "credit_guarantee", "credit_limit_temporary", "payment_transaction")


class RolledBack(Exception):
    pass


@tagged("post_install", "-at_install")
class TestExposureShapes(CreditPaymentCommon):
    """The exposure statement reads the columns of grades, guarantees, temporary limits and online
    payments only where the company uses them: both shapes give the same figures, and the first record
    of a feature is read by the very next check."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.partner"].create({"name": "Other Customer", "credit_limit": 5000.0})
        cls.bank = cls.env.ref("credit_collection.guarantee_type_bank")

    def setUp(self):
        super().setUp()
        # the fixture company is new: nothing of the optional features in it yet (the cache may hold
        # another test's rolled-back records)
        self.env.registry.clear_cache()

    def _statement(self, order=None):
        engine = self.env["credit.exposure"]
        today = fields.Date.context_today(engine)
        return engine._exposure_query(self.customer.ids, self.company, order.ids if order else [], today, today).code

    def _figures(self, order):
        exp = self.env["credit.exposure"]._get_exposures(self.customer, self.company, exclude_orders=order)
        return dict(vars(exp[self.customer.id]))

    def _use_every_feature(self):
        """Records of every optional feature, all for another customer of the company."""
        grade = self.env["credit.grade"].create(
            {
                "name": "Own tolerance",
                "company_id": self.company.id,
                "score_min": 0,
                "own_overdue_tolerance": True,
                "overdue_tolerance_days": 5,
                "prepayment_percent": 10,
            }
        )
        self.other.with_company(self.company).credit_grade_id = grade
        self.env["credit.guarantee"].create(
            {
                "name": "G-other",
                "partner_id": self.other.id,
                "company_id": self.company.id,
                "type_id": self.bank.id,
                "amount": 700.0,
                "date_from": self.days_ago(3),
            }
        )
        self.env["credit.limit.temporary"].create(
            {
                "partner_id": self.other.id,
                "company_id": self.company.id,
                "amount": 300.0,
                "date_from": self.days_ago(1),
                "date_to": self.days_ago(-5),
                "reason": "Season",
            }
        )
        self._pay_online(self._order(100.0, partner=self.other), 50.0)

    def assertSameInBothShapes(self, order, step):
        self.env.registry.clear_cache()
        self.assertFalse(
            [t for t in OPTIONAL_TABLES if t in self._statement(order)], f"{step}: minimal statement expected"
        )
        minimal = self._figures(order)
        with contextlib.suppress(RolledBack), self.env.cr.savepoint():
            self._use_every_feature()
            statement = self._statement(order)
            self.assertTrue(all(t in statement for t in OPTIONAL_TABLES), f"{step}: full statement expected")
            self.assertEqual(self._figures(order), minimal, f"{step}: same figures in both shapes")
            raise RolledBack
        # the records of every feature are rolled back: forget them
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        return minimal

    def test_same_figures_in_both_shapes(self):
        order = self._order(400.0)  # the order being checked: 440.00 with tax
        self._order(200.0, confirm=True)  # an open order: 220.00
        invoice = self._invoice(1000.0, due_date=self.days_ago(20), invoice_date=self.days_ago(50))
        self._invoice(80.0, post=False)
        exp = self.assertSameInBothShapes(order, "posted")
        self.assertEqual((exp["receivable"], exp["draft_invoices"], exp["open_orders"]), (1000.0, 80.0, 220.0))
        self.assertEqual(exp["overdue_amount"], 1000.0)
        self._pay(invoice, 250.55)
        self.assertEqual(self.assertSameInBothShapes(order, "partly paid")["receivable"], 749.45)
        self._invoice(100.0, move_type="out_refund")
        self.assertEqual(self.assertSameInBothShapes(order, "credit note")["receivable"], 649.45)
        self._unapplied_payment(49.45)
        self.assertEqual(self.assertSameInBothShapes(order, "unapplied payment")["receivable"], 600.0)
        second = self._invoice(300.0)
        self.assertEqual(self.assertSameInBothShapes(order, "second invoice")["receivable"], 900.0)
        second._reverse_moves(cancel=True)
        exp = self.assertSameInBothShapes(order, "reversal")
        self.assertEqual((exp["receivable"], exp["overdue_amount"]), (600.0, 749.45))
        self.assertEqual(
            (exp["grade"], exp["guarantee_secured"], exp["temporary_limit"], exp["prepaid"]), (None, 0, 0, {})
        )

    def test_first_record_of_a_feature_read_at_once(self):
        order = self._order(400.0)
        self._figures(order)  # the company's features are cached: none in use
        self.assertFalse([t for t in OPTIONAL_TABLES if t in self._statement(order)])
        self.env["credit.guarantee"].with_user(self.manager).create(
            {
                "name": "G-1",
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "type_id": self.bank.id,
                "amount": 1500.0,
                "date_from": self.days_ago(3),
            }
        )
        self.assertEqual(self._figures(order)["limit"], 11500.0, "guarantee added to the limit at once")
        self.env["credit.limit.temporary"].with_user(self.manager).create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "amount": 250.0,
                "date_from": self.days_ago(1),
                "date_to": self.days_ago(-5),
                "reason": "Season",
            }
        )
        self.assertEqual(self._figures(order)["limit"], 11750.0, "temporary increase added at once")
        grade = self.env["credit.grade"].create(
            {"name": "Watch", "company_id": self.company.id, "score_min": 0, "prepayment_percent": 20}
        )
        self.customer.with_company(self.company).with_user(self.manager).credit_grade_id = grade
        self.assertEqual(self._figures(order)["grade"].name, "Watch", "grade read at once")
        self._pay_online(order, 110.0)
        self.assertEqual(self._figures(order)["prepaid"], {order.id: 110.0}, "online payment read at once")

    def _items_figures(self, partner, today, late_before):
        """The receivable figures from the journal items, through the ORM: no SQL of the engine."""
        items = self.env["account.move.line"].search(
            [
                ("partner_id", "child_of", partner.id),
                # the pool: the company and its branches
                ("company_id", "child_of", self.company.id),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("account_id.account_type", "=", "asset_receivable"),
                ("amount_residual", "!=", 0),
            ]
        )
        due = {item: item.date_maturity or item.date for item in items if item.amount_residual > 0}
        overdue = [item for item, day in due.items() if day < today]
        late = [item for item, day in due.items() if day < late_before]
        return {
            "receivable": self.currency.round(sum(items.mapped("amount_residual"))),
            "overdue_amount": self.currency.round(sum(item.amount_residual for item in overdue)),
            "oldest_due_date": min((due[item] for item in overdue), default=None),
            "late_amount": self.currency.round(sum(item.amount_residual for item in late)),
            "late_oldest_due_date": min((due[item] for item in late), default=None),
        }

    def _assert_items_figures(self, step, contact, today, late_before):
        """The engine's receivable figures (from the summary of open items) equal the journal items'
        for both customers read at once, and the summary equals the items key by key."""
        engine = self.env["credit.exposure"]
        exposures = engine._get_exposures(self.customer | contact, self.company, today=today)
        for partner in (self.customer, self.other):
            exp = exposures[partner.id]
            expected = self._items_figures(partner, today, late_before)
            self.assertEqual({name: getattr(exp, name) for name in expected}, expected, f"{partner.name}, {step}")
        self.assertEqual(engine._open_item_sum_mismatches(), [], f"summary against the journal items, {step}")
        return exposures

    def _branch_invoice(self, branch, amount, due_date):
        move = (
            self.env["account.move"]
            .with_company(branch)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "company_id": branch.id,
                    "invoice_date": due_date,
                    "invoice_date_due": due_date,
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create({"name": "goods", "quantity": 1, "price_unit": amount, "tax_ids": []})
                    ],
                }
            )
        )
        move.action_post()
        return move

    def _repost(self, move, due_date):
        move.invoice_date_due = due_date
        move.action_post()

    def test_receivable_figures_equal_the_journal_items(self):
        """The statement's sums and oldest dates (written out per item, receivable accounts read once)
        are the journal items' own, for two customers read at once, after postings, payments, refunds
        and reversals, with a tolerance that makes some overdue items late and others not."""
        self.company.credit_overdue_days = 10
        today = fields.Date.context_today(self.env["credit.exposure"])
        late_before = today - timedelta(days=10)
        contact = self.env["res.partner"].create({"name": "Other's buyer", "parent_id": self.other.id})
        first = self._invoice(1000.0, due_date=self.days_ago(30), invoice_date=self.days_ago(60))
        self._invoice(500.0, due_date=self.days_ago(5), invoice_date=self.days_ago(35))
        self._invoice(250.0, due_date=self.days_ago(-15))
        other_old = self._invoice(700.0, partner=contact, due_date=self.days_ago(40), invoice_date=self.days_ago(70))
        self._invoice(90.0, partner=self.other, due_date=self.days_ago(3), invoice_date=self.days_ago(33))
        steps = [
            ("posted", lambda: None),
            ("partly paid", lambda: self._pay(first, 333.33)),
            # an old credit note: a credit is never overdue, however old
            (
                "credit note",
                lambda: self._invoice(
                    120.0, move_type="out_refund", due_date=self.days_ago(45), invoice_date=self.days_ago(45)
                ),
            ),
            ("unapplied payment", lambda: self._unapplied_payment(45.5, partner=self.other)),
            ("reversal", lambda: other_old._reverse_moves(cancel=True)),
            ("paid in full", lambda: self._pay(first, 666.67)),
        ]
        engine = self.env["credit.exposure"]
        for step, action in steps:
            action()
            exposures = self._assert_items_figures(step, contact, today, late_before)
        # the figures the steps leave, by hand: 500 overdue within the tolerance, 250 not due, -120 credit
        exp = exposures[self.customer.id]
        self.assertEqual((exp.receivable, exp.overdue_amount, exp.late_amount), (630.0, 500.0, 0.0))
        exp = exposures[self.other.id]
        self.assertEqual((exp.receivable, exp.overdue_amount, exp.late_amount), (44.5, 90.0, 0.0))
        # The statement reads the summary of open items kept by a trigger on the journal items
        # (credit_open_item_sum): every other way an open item changes, each compared with the items.
        eur = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])  # 1 USD = 2 EUR
        branch = self.env["res.company"].create(
            {"name": "Shapes Branch", "parent_id": self.company.id, "country_id": self.company.country_id.id}
        )
        self.env.cr.precommit.run()  # the branch's journals (chart of accounts of the parent)
        expense = self.company_data["default_account_expense"]
        moves = {}

        def keep(name, move):
            moves[name] = move

        more_steps = [
            ("folded by the cron", engine._cron_compact_open_item_sum),
            ("unreconciled", lambda: first.line_ids.remove_move_reconcile()),
            (
                "foreign currency",
                lambda: keep("eur", self._invoice(300.0, currency=eur, due_date=self.days_ago(20))),
            ),
            ("foreign currency partly paid", lambda: self._pay(moves["eur"], 100.0)),
            ("to write off", lambda: keep("small", self._invoice(200.0, due_date=self.days_ago(12)))),
            (
                "paid with a write-off",
                lambda: (
                    self.env["account.payment.register"]
                    .with_context(active_model="account.move", active_ids=moves["small"].ids)
                    .create(
                        {
                            "amount": 180.0,
                            "payment_difference_handling": "reconcile",
                            "writeoff_account_id": expense.id,
                            "writeoff_label": "Small difference",
                        }
                    )
                    ._create_payments()
                ),
            ),
            ("branch invoice", lambda: keep("branch", self._branch_invoice(branch, 70.0, self.days_ago(15)))),
            ("branch invoice partly paid", lambda: self._pay(moves["branch"], 20.0)),
            ("folded again", engine._cron_compact_open_item_sum),
            ("reset to draft", lambda: moves["eur"].button_draft()),
            ("posted again with another due date", lambda: self._repost(moves["eur"], self.days_ago(2))),
            ("the contact's reversed invoice reset to draft", lambda: other_old.button_draft()),
        ]
        for step, action in more_steps:
            action()
            exposures = self._assert_items_figures(step, contact, today, late_before)
        # by hand: 1000 open again beside its two payments (-1000), 500 and 250 as before, -120 credit,
        # EUR 300 = USD 150 open again (due 2 days ago: reset to draft unreconciled its EUR 100 = USD 50
        # payment), the branch's 70 - 20 (due 15 days ago: late), the write-off leaves nothing open
        exp = exposures[self.customer.id]
        self.assertEqual(
            (exp.receivable, exp.overdue_amount, exp.late_amount, exp.late_oldest_due_date),
            (780.0, 1700.0, 1050.0, self.days_ago(30)),
        )
