"""Internal control: no context key an RPC caller can set authorises a privileged change, and the
protected fields are written only through the methods that check who calls. Every attempt is made
as the least-privileged user who could try it, through the ORM as that user (what RPC gives), and
the data is read again afterwards."""

import ast
import pathlib
from datetime import date, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import clear_first_day_defaults
from .credit_file_common import CreditFileCommon

ADDON = pathlib.Path(__file__).resolve().parent.parent
# every context key the addon ever used to let its own code past a check
OLD_KEYS = {
    "credit_review_internal",
    "credit_provision_internal",
    "credit_scorecard_write",
    "credit_aging_bucket_batch",
}


@tagged("post_install", "-at_install")
class TestNoContextBackDoor(CreditFileCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = new_test_user(
            cls.env,
            login="cct_billing",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=cls.company.ids,
        )
        cls.invoice = cls._invoice(1000.0, due_date=fields.Date.today() - timedelta(days=20))

    def _all_keys(self):
        return dict.fromkeys(OLD_KEYS, True)

    # ------------------------------------------------------------------ reviews
    def test_review_state_and_score_not_forged_with_a_context(self):
        review = self._review()
        forged = review.with_user(self.analyst).with_context(**self._all_keys())
        with self.assertRefused(AccessError, "only through their buttons"):
            forged.write({"state": "approved", "score": 99.0, "decided_by_id": self.manager.id})
        with self.assertRefused(AccessError, "starts as a draft"):
            self.env["credit.review"].with_user(self.analyst).with_context(**self._all_keys()).create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "state": "approved",
                    "score": 99.0,
                    "decided_by_id": self.manager.id,
                }
            )
        review.invalidate_recordset()
        self.assertEqual((review.state, review.score, review.decided_by_id), ("draft", 0.0, self.env["res.users"]))
        self.assertEqual(self.env["credit.review"].search_count([("partner_id", "=", self.customer.id)]), 1)

    def test_collector_cannot_run_the_review_buttons(self):
        review = self._review()
        for action in ("action_compute", "action_submit"):
            with self.assertRefused(AccessError, "Only credit analysts"):
                getattr(review.with_user(self.collector), action)()
        self.assertEqual((review.state, review.measured_on), ("draft", False))

    # ------------------------------------------------------------------ provision runs
    def test_provision_run_not_posted_with_a_context(self):
        Run = self.env["credit.provision.run"].with_user(self.analyst).with_context(**self._all_keys())
        run = Run.create({"company_id": self.company.id, "date": date(2026, 1, 31)})
        with self.assertRefused(UserError, "Compute / Approve & Post"):
            run.write({"state": "posted", "required_amount": 123456.78, "adjustment_amount": 123456.78})
        with self.assertRefused(UserError, "starts as a draft"):
            Run.create({"company_id": self.company.id, "date": date(2026, 2, 28), "state": "posted"})
        with self.assertRefused(AccessError, ""):
            self.env["credit.provision.run.line"].with_user(self.analyst).create(
                {"run_id": run.id, "balance": 1000.0, "allowance": 999.0}
            )
        with self.assertRefused(AccessError, "Only credit analysts"):
            run.with_user(self.collector).action_cancel()
        self.assertEqual((run.state, run.required_amount, run.line_ids), ("draft", 0.0, run.line_ids.browse()))
        posted = self.env["credit.provision.run"].search(
            [("company_id", "=", self.company.id), ("state", "=", "posted")]
        )
        self.assertFalse(posted, "no forged posted run blocks the month's real one")

    # ------------------------------------------------------------------ scorecards
    def test_factor_weights_checked_whatever_the_context(self):
        factor = self.scorecard.factor_ids.filtered(lambda f: f.name == "Debt")
        as_manager = self.env["credit.score.factor"].with_user(self.manager).with_context(**self._all_keys())
        with self.assertRefused(ValidationError, "total 120.0"):
            as_manager.browse(factor.id).weight = 40
        with self.assertRefused(ValidationError, "total 110.0"):
            as_manager.create({"scorecard_id": self.scorecard.id, "name": "Extra", "metric": "employees", "weight": 10})
        with self.assertRefused(ValidationError, "total 80.0"):
            as_manager.browse(factor.id).unlink()
        self.assertEqual(self.scorecard.factor_ids.mapped("weight"), [40.0, 20.0, 40.0])
        # edited together through the scorecard (the form): checked once, on the final total
        liquidity = self.scorecard.factor_ids.filtered(lambda f: f.name == "Liquidity")
        self.scorecard.with_user(self.manager).write(
            {"factor_ids": [Command.update(liquidity.id, {"weight": 60}), Command.delete(factor.id)]}
        )
        self.assertEqual(self.scorecard.factor_ids.mapped("weight"), [60.0, 40.0])

    def test_bucket_coverage_checked_whatever_the_context(self):
        bucket_set = self.env.ref("credit_collection.aging_bucket_set_days")
        bucket = bucket_set.bucket_ids.filtered("has_min")[:1]
        before = bucket.min_value
        as_manager = bucket.with_user(self.manager).with_context(**self._all_keys())
        with self.assertRefused(ValidationError, "gaps or overlaps"):
            as_manager.min_value = before + 5
        with self.assertRefused(ValidationError, "gaps or overlaps"):
            as_manager.unlink()
        self.assertEqual(bucket.min_value, before)

    # ------------------------------------------------------------------ protected invoice and promise fields
    def test_billing_user_cannot_set_dispute_legal_or_stage(self):
        strategy = self.env["credit.collection.strategy"].create(
            {
                "name": "Control",
                "company_id": self.company.id,
                "stage_ids": [Command.create({"sequence": 1, "name": "Reminder", "offset_days": 1})],
            }
        )
        stage = strategy.stage_ids
        for vals in (
            {"collection_dispute": True, "collection_dispute_reason": "price"},
            {"collection_legal": True},
            {"collection_stage_id": stage.id},
            {"collection_next_date": fields.Date.today()},
        ):
            with self.subTest(vals=vals), self.assertRefused(AccessError, "only through the collection buttons"):
                self.invoice.with_user(self.billing).write(vals)
        with self.assertRefused(AccessError, "only through the collection buttons"):
            self.invoice.with_user(self.collector).write({"collection_legal": True})
        with self.assertRefused(AccessError, "Only collectors"):
            self.invoice.with_user(self.billing).action_collection_dispute("price")
        self.invoice.invalidate_recordset()
        self.assertFalse(self.invoice.collection_dispute or self.invoice.collection_legal)
        # the collector's button does it, and leaves a tracked trace
        self.invoice.with_user(self.collector).action_collection_dispute("price", "Wrong unit price")
        self.assertTrue(self.invoice.collection_dispute)
        self.assertEqual(self.invoice.collection_dispute_reason, "price")

    def test_collector_cannot_write_promise_state_or_escalation(self):
        promise = (
            self.env["credit.collection.promise"]
            .with_user(self.collector)
            .create({"move_id": self.invoice.id, "date": fields.Date.today() + timedelta(days=5), "amount": 400.0})
        )
        for vals in ({"state": "kept"}, {"escalated": True}, {"user_id": self.manager.id}):
            with self.subTest(vals=vals), self.assertRefused(AccessError, "Cancel button"):
                promise.with_user(self.collector).write(vals)
        promise.invalidate_recordset()
        self.assertEqual((promise.state, promise.escalated, promise.user_id), ("open", False, self.collector))
        promise.with_user(self.collector).action_cancel()
        self.assertEqual(promise.state, "cancel")


@tagged("post_install", "-at_install")
class TestNoContextGuardInCode(CreditFileCommon):
    def test_no_context_key_guards_a_write(self):
        """No create/write/unlink/constraint/action of the addon reads the context to decide whether
        to let a change through: RPC callers choose their context."""
        offenders = []
        for path in sorted((ADDON / "models").glob("*.py")) + sorted((ADDON / "wizards").glob("*.py")):
            tree = ast.parse(path.read_text(), str(path))
            for func in ast.walk(tree):
                if not isinstance(func, ast.FunctionDef):
                    continue
                guarded = func.name in {"create", "write", "unlink", "copy"} or func.name.startswith(
                    ("action_", "_check", "_collection_check")
                )
                for node in ast.walk(func):
                    # `if ... self.env.context.get(...) ...:` or `if ... context[...]` in a guarded method
                    if not isinstance(node, ast.If | ast.IfExp | ast.BoolOp):
                        continue
                    test = ast.unparse(node.test if hasattr(node, "test") else node)
                    if guarded and ("context.get(" in test or "context[" in test):
                        offenders.append(f"{path.name}:{node.lineno} {func.name}: {test}")
            text = path.read_text()
            offenders += [f"{path.name}: uses {key}" for key in OLD_KEYS if key in text]
        for path in (ADDON / "demo").glob("*.xml"):
            offenders += [f"{path.name}: uses {key}" for key in OLD_KEYS if key in path.read_text()]
        self.assertEqual(offenders, [], "context keys must not authorise changes; check groups, then sudo()")


class _Undo(Exception):
    """Raised to roll back what an allowed operation did."""


@tagged("post_install", "-at_install")
class TestWhoSeesWhat(CreditFileCommon):
    """The README's security matrix, one assertion per cell: role x what they read x what they do."""

    POSITION = ["credit_exposure", "credit_exposure_receivable", "credit_overdue_amount", "credit_limit_effective"]
    FILE = ["credit_score", "credit_next_review_date", "credit_review_reasons", "credit_guarantee_amount"]
    EVERYONE = ["credit_available", "credit_hold", "credit_has_limit"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = {"company_id": cls.company.id, "company_ids": cls.company.ids}
        cls.accountant = new_test_user(
            cls.env, login="cct_accountant", groups="account.group_account_invoice", **company
        )
        cls.customer.credit_limit = 5000.0
        cls.invoice = cls._invoice(1200.0, due_date=fields.Date.today() - timedelta(days=10))
        cls.roles = {
            "salesman": cls.salesman,
            "collector": cls.collector,
            "accountant": cls.accountant,
            "analyst": cls.analyst,
            "manager": cls.manager,
        }

    def _can(self, func):
        """Could the user do it? Whatever it did is rolled back, so every cell starts from the same data."""
        try:
            with self.cr.savepoint():
                func()
                raise _Undo
        except _Undo:
            return True
        except AccessError:
            return False
        finally:
            self.env.invalidate_all()

    def assertMatrix(self, what, func, allowed):
        for role, user in self.roles.items():
            with self.subTest(what=what, role=role):
                self.assertEqual(self._can(lambda user=user: func(user)), role in allowed, f"{role}: {what}")

    def test_partner_credit_fields(self):
        partners = (self.customer | self.env["res.partner"].create({"name": "Other", "is_company": True})).ids

        def read(names):
            return lambda user: self.env["res.partner"].with_user(user).browse(partners).read(names)

        self.assertMatrix("available credit and hold", read(self.EVERYONE), set(self.roles))
        self.assertMatrix(
            "exposure and overdue", read(self.POSITION), {"collector", "accountant", "analyst", "manager"}
        )
        self.assertMatrix("score, review, guarantees", read(self.FILE), {"analyst", "manager"})
        self.assertMatrix("review list on the customer", read(["credit_review_ids"]), {"analyst", "manager"})
        figures = self.env["res.partner"].with_user(self.salesman).browse(self.customer.id).read(self.EVERYONE)[0]
        self.assertEqual(figures["credit_available"], 3800.0, "5,000.00 - 1,200.00")

    def test_credit_records(self):
        review = self._review()
        self.env["credit.guarantee.type"].search([], limit=1)

        def search(model):
            return lambda user: self.env[model].with_user(user).search([]).read(["display_name"])

        self.assertMatrix("credit reviews", search("credit.review"), {"analyst", "manager"})
        self.assertMatrix("guarantees", search("credit.guarantee"), {"analyst", "manager"})
        self.assertMatrix(
            "aging",
            lambda user: self.env["credit.aging.report"].with_user(user).search([]).read(["residual"]),
            {"collector", "accountant", "analyst", "manager"},
        )
        self.assertMatrix(
            "aging engine",
            lambda user: self.env["credit.aging.engine"].with_user(user).get_summary(companies=self.company),
            {"collector", "accountant", "analyst", "manager"},
        )
        self.assertMatrix(
            "KPIs",
            lambda user: self.env["credit.kpi.wizard"].with_user(user).create({"company_id": self.company.id}).line_ids,
            {"collector", "accountant", "analyst", "manager"},
        )
        self.assertMatrix(
            "overview",
            lambda user: self.env["credit.overview"].with_user(user).create({}).read(["total_ar", "dso"]),
            {"collector", "accountant", "analyst", "manager"},
        )
        self.assertMatrix(
            "provision runs",
            lambda user: self.env["credit.provision.run"].with_user(user).search([]).read(["required_amount"]),
            {"accountant", "analyst", "manager"},
        )
        self.assertEqual(review.state, "draft")

    def test_what_each_role_does(self):
        def invoice(user):
            move = (
                self.env["account.move"]
                .with_user(user)
                .create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": self.customer.id,
                        "invoice_line_ids": [Command.create({"name": "x", "quantity": 1, "price_unit": 10.0})],
                    }
                )
            )
            move.action_post()

        self.assertMatrix("create and post invoices", invoice, {"accountant", "manager"})
        self.assertMatrix(
            "record a dispute",
            lambda user: self.invoice.with_user(user).action_collection_dispute("price"),
            {"collector", "analyst", "manager"},
        )
        self.assertMatrix(
            "change a limit",
            lambda user: self.customer.with_user(user).write({"credit_limit": 9000.0}),
            {"manager"},
        )
        self.assertMatrix(
            "start a credit review", lambda user: self._review(user=user).action_compute(), {"analyst", "manager"}
        )
        self.assertEqual(self.customer.credit_limit, 5000.0)
        self.assertFalse(self.invoice.collection_dispute)


@tagged("post_install", "-at_install")
class TestCompanies(CreditFileCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.setup_other_company()["company"]
        clear_first_day_defaults(cls.other)
        cls.other_grade = cls.env["credit.grade"].create({"name": "X", "score_min": 0, "company_id": cls.other.id})

    def test_engine_reads_only_the_users_companies(self):
        engine = self.env["credit.aging.engine"].with_user(self.collector)
        self.assertEqual(engine.get_ledger_balance(companies=self.company), 0.0)
        for call in (
            lambda: engine.get_ledger_balance(companies=self.other),
            lambda: engine.get_ledger_balance(companies=[self.other.id]),
            lambda: engine.get_summary(companies=self.company | self.other),
            lambda: engine.get_items(companies=self.other),
            lambda: self.env["credit.kpi"].with_user(self.collector).compute(self.other, fields.Date.today(), 1),
        ):
            with self.assertRefused(AccessError, self.other.name):
                call()

    def test_grade_of_another_company_refused(self):
        with self.assertRefused(ValidationError, "belongs to"):
            self.customer.with_company(self.company).credit_grade_id = self.other_grade
        self.assertFalse(self.customer.with_company(self.company).credit_grade_id)
        self.customer.with_company(self.other).credit_grade_id = self.other_grade
        self.assertEqual(self.customer.with_company(self.other).credit_grade_id, self.other_grade)

    def test_provision_records_check_their_company(self):
        other_journal = self.env["account.journal"].search([("company_id", "=", self.other.id)], limit=1)
        with self.assertRefused(UserError, "belong"):
            self.env["credit.provision.run"].create(
                {"company_id": self.company.id, "date": date(2026, 1, 31), "journal_id": other_journal.id}
            )
        foreign = self.env["res.partner"].create({"name": "Foreign", "is_company": True, "company_id": self.other.id})
        with self.assertRefused(UserError, "belong"):
            self.env["credit.provision.specific"].create(
                {"company_id": self.company.id, "partner_id": foreign.id, "rate": 100.0, "reason": "bankrupt"}
            )


@tagged("post_install", "-at_install")
class TestAuditTrail(CreditFileCommon):
    """Every privileged change leaves a tracked message naming who made it (README, Audit trail)."""

    def _tracked(self, record, field_name):
        self.flush_tracking()
        values = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("mail_message_id.model", "=", record._name),
                    ("mail_message_id.res_id", "=", record.id),
                    ("field_id.name", "=", field_name),
                ]
            )
        )
        return values.mail_message_id.author_id

    def test_changes_are_tracked_with_their_author(self):
        track = {"tracking_disable": False, "mail_notrack": False}  # the test fixture turns tracking off
        self.flush_tracking()  # what the fixture left pending
        strategy = self.env["credit.collection.strategy"].create({"name": "Strict", "company_id": self.company.id})
        partner = self.customer.with_user(self.manager).with_company(self.company).with_context(**track)
        partner.write({"credit_limit": 7000.0, "credit_hold": True, "credit_hold_reason": "cheque returned"})
        partner.write({"credit_grade_id": self.grade_c.id, "collection_strategy_id": strategy.id})
        for name in ("credit_limit", "credit_hold", "credit_grade_id", "collection_strategy_id"):
            self.assertEqual(
                self._tracked(self.customer, name),
                self.manager.partner_id,
                f"{name}: {self.customer.message_ids.tracking_value_ids.field_id.mapped('name')}",
            )
        # review state and the score it writes, made by superuser inside the checked methods: the
        # author is still the user who pressed the button
        review = self._review(fiscal_year="2025", current_assets=300, current_liabilities=100)
        self.flush_tracking()  # created in an earlier transaction, as in real use
        review.with_user(self.analyst).with_context(**track).action_submit()
        self.assertEqual(self._tracked(review, "state"), self.analyst.partner_id)
        review.with_user(self.manager2).with_context(**track).action_approve()
        self.assertEqual(self._tracked(review, "decided_by_id"), self.manager2.partner_id)
        self.assertEqual(self._tracked(self.customer, "credit_score"), self.manager2.partner_id)
        invoice = self._invoice(800.0, due_date=fields.Date.today())
        self.flush_tracking()
        invoice.with_user(self.collector).with_context(**track).action_collection_dispute("quality")
        self.assertEqual(self._tracked(invoice, "collection_dispute"), self.collector.partner_id)
        invoice.with_user(self.collector).action_collection_resolve_dispute()
        promise = (
            self.env["credit.collection.promise"]
            .with_user(self.collector)
            .create({"move_id": invoice.id, "date": fields.Date.today() + timedelta(days=3), "amount": 800.0})
        )
        self.flush_tracking()
        promise.with_user(self.collector).with_context(**track).action_cancel()
        self.assertEqual(self._tracked(promise, "state"), self.collector.partner_id)
