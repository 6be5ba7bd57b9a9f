from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .collection_common import CollectionCommon, day


@tagged("post_install", "-at_install")
class TestCollectionWorklist(CollectionCommon):
    def _row(self, partner, user=None):
        self.env["credit.collection.worklist"].invalidate_model()  # a view: re-read it
        return (
            self.env["credit.collection.worklist"]
            .with_user(user or self.collector)
            .search([("partner_id", "=", partner.id), ("company_id", "=", self.company.id)])
        )

    def test_worklist_figures_and_priority(self):
        old = self._due_invoice(1000.0)
        self._due_invoice(250.50, due=day(10))
        disputed = self._due_invoice(400.0, due=day(-5))
        self._due_invoice(300.0, partner=self.customer2, due=day(15))
        disputed.action_collection_dispute("price")
        self._run(day(20))
        with freeze_time(day(20)):
            row = self._row(self.customer)
            self.assertEqual(row.overdue_amount, 1250.50, "1 000.00 + 250.50; the disputed 400.00 shows apart")
            self.assertEqual(row.dispute_count, 1)
            self.assertEqual(row.dispute_amount, 400.0)
            self.assertEqual(row.oldest_overdue_days, 20)
            self.assertEqual(row.stage_id, self.stages["Second notice"], "the most advanced stage of its invoices")
            self.assertEqual(row.next_date, day(25), "the 250.50 invoice's second notice")
            self.assertEqual(row.priority, 1250.50 * 20, "overdue × days × grade risk 1")
            rows = (
                self.env["credit.collection.worklist"]
                .with_user(self.collector)
                .search([("company_id", "=", self.company.id)])
            )
            self.assertEqual(rows[0].partner_id, self.customer, "sorted by priority")
            self.assertEqual(self._row(self.customer2).priority, 300.0 * 5)
            self.assertEqual(self._row(self.customer).collector_id, self.collector)
            mine = (
                self.env["credit.collection.worklist"]
                .with_user(self.collector)
                .search([("collector_id", "=", self.collector.id), ("company_id", "=", self.company.id)])
            )
            self.assertEqual(mine.partner_id, self.customer | self.customer2, "My worklist")
        self.assertEqual(old.collection_collector_id, self.collector)

    def test_worklist_actions_call_promise_dispute_statement_snooze(self):
        move = self._due_invoice(1000.0)
        with freeze_time(day(20)):
            row = self._row(self.customer)
            # log a call
            action = row.action_log_call()
            wizard = (
                self.env[action["res_model"]]
                .with_user(self.collector)
                .with_context(**action["context"])
                .create({"result": "no_answer", "note": "Line busy"})
            )
            wizard.action_confirm()
            self.assertIn("No answer", self.customer.message_ids[0].body)
            # record a promise on the oldest invoice
            action = row.action_record_promise()
            promise = (
                self.env["credit.collection.promise"]
                .with_user(self.collector)
                .with_context(**action["context"])
                .create({})
            )
            self.assertEqual((promise.move_id, promise.amount, promise.date), (move, 1000.0, day(27)))
            self.assertEqual(self._row(self.customer).promise_count, 1)
            # mark a dispute
            action = row.action_mark_dispute()
            self.env[action["res_model"]].with_user(self.collector).with_context(**action["context"]).create(
                {"reason": "delivery", "note": "Not received"}
            ).action_confirm()
            self.assertTrue(move.collection_dispute)
            self.assertEqual(move.collection_dispute_note, "Not received")
            # send a statement now
            # send a statement now: the statement PDF attached to the statement email
            row.action_send_statement()
            statement = self._mails(self.customer).filtered(lambda m: "statement of account" in m.subject)
            self.assertEqual(len(statement), 1)
            self.assertEqual(statement.attachment_ids.mapped("mimetype"), ["application/pdf"])
            # named by customer and date (was statement_<id>_<date>.pdf)
            self.assertEqual(statement.attachment_ids.name, f"Statement - Acme Trading - {day(20)}.pdf")
            # snooze: the customer leaves the default worklist view until then
            action = row.action_snooze()
            self.env[action["res_model"]].with_user(self.collector).with_context(**action["context"]).create(
                {}
            ).action_confirm()
            self.assertEqual(self.customer.collection_snooze_until, day(27))
            with self.assertRaises(UserError):
                self.env["credit.collection.call.wizard"].with_user(self.collector).create(
                    {"partner_id": self.customer.id, "mode": "snooze", "snooze_until": day(19)}
                ).action_confirm()

    def test_predicted_payment_date(self):
        # paid 10 days late (1 000.00) and 40 days late (500.00) in the last 12 months → 20 days
        with freeze_time(day(-100)):
            first = self._invoice(1000.0, invoice_date=day(-130), due_date=day(-100))
            second = self._invoice(500.0, invoice_date=day(-100), due_date=day(-80))
        with freeze_time(day(-90)):
            self._pay(first, 1000.0)
        with freeze_time(day(-40)):
            self._pay(second, 500.0)
        self.company.collection_default_days_late = 7
        move = self._due_invoice(800.0)
        other = self._due_invoice(800.0, partner=self.customer2)
        with freeze_time(day(0)):
            move.invalidate_recordset(["collection_predicted_date"])
            self.assertEqual(move.collection_predicted_date, day(20))
            self.assertEqual(other.collection_predicted_date, day(7), "no history: the company default")
            self.assertAlmostEqual(self._row(self.customer).predicted_days_late, 20.0)
        with freeze_time(day(0) + timedelta(days=400)):
            move.invalidate_recordset(["collection_predicted_date"])
            self.assertEqual(
                self.env["credit.payment.behaviour"]._days_late(self.customer, self.company),
                {},
                "history older than 12 months is ignored",
            )
            # due + 7 days has long passed: the prediction is today, never a date in the past (it was day 7)
            self.assertEqual(move.collection_predicted_date, day(400))
            self.assertTrue(move.collection_predicted_passed)

    def test_access_rights(self):
        Strategy = self.env["credit.collection.strategy"]
        with self.assertRaises(AccessError):
            Strategy.with_user(self.collector).create({"name": "Mine", "company_id": self.company.id})
        with self.assertRaises(AccessError):
            self.strategy.with_user(self.collector).write({"name": "Changed"})
        Strategy.with_user(self.manager).create({"name": "Managers may", "company_id": self.company.id})
        self.assertEqual(self.strategy.with_user(self.collector).stage_ids, self.strategy.stage_ids, "collectors read")
        with self.assertRaises(AccessError):
            self.env["credit.collection.worklist"].with_user(self.salesman).search([])
        with self.assertRaises(AccessError):
            self.env["credit.collection.history"].with_user(self.salesman).search([])
        move = self._due_invoice(100.0)
        with self.assertRaises(AccessError):
            move.with_user(self.salesman).action_collection_dispute("price")
        self.assertFalse(move.collection_dispute)
        with self.assertRaises(AccessError):
            self.env["credit.collection.writeoff"].with_user(self.collector).create(
                {"move_ids": move.ids, "reason": "x"}
            )
        other_company = self.setup_other_company()["company"] if hasattr(self, "setup_other_company") else None
        if other_company:
            other = self.env["credit.collection.strategy"].create({"name": "Other", "company_id": other_company.id})
            self.assertNotIn(other, Strategy.with_user(self.manager).search([]), "multi-company rule")


@tagged("post_install", "-at_install")
class TestCollectionByGrade(CollectionCommon):
    """Grades carry their collection strategy and weigh on the worklist priority."""

    def test_grade_strategy_and_risk(self):
        Grade = self.env["credit.grade"].with_company(self.company)
        strict = self.env["credit.collection.strategy"].create(
            {"name": "Strict", "company_id": self.company.id, "stage_ids": [(0, 0, {"name": "D1", "offset_days": 1})]}
        )
        weak = Grade.create(
            {
                "name": "E",
                "score_min": 0,
                "company_id": self.company.id,
                "collection_strategy_id": strict.id,
                "collection_risk_factor": 2.0,
            }
        )
        self.customer.collection_strategy_id = False
        self.customer.with_company(self.company).credit_grade_id = weak
        self.assertEqual(self.customer._collection_strategy(), strict, "the grade's strategy")
        self.customer.collection_strategy_id = self.strategy
        self.assertEqual(self.customer._collection_strategy(), self.strategy, "the customer's own wins")
        self._due_invoice(1000.0)
        self._run(day(20))
        with freeze_time(day(20)):
            self.env["credit.collection.worklist"].invalidate_model()
            row = self.env["credit.collection.worklist"].search(
                [("partner_id", "=", self.customer.id), ("company_id", "=", self.company.id)]
            )
            self.assertEqual(row.priority, 1000.0 * 20 * 2.0, "overdue x days x the grade's factor")
        with self.assertRaises(ValidationError):
            weak.collection_risk_factor = -1.0
