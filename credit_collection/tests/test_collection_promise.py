from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .collection_common import CollectionCommon, day


@tagged("post_install", "-at_install")
class TestCollectionPromise(CollectionCommon):
    def _promise(self, move, date, amount, user=None):
        return (
            self.env["credit.collection.promise"]
            .with_user(user or self.collector)
            .create({"move_id": move.id, "date": date, "amount": amount, "note": "Paying soon"})
        )

    def test_promise_pauses_then_kept_when_paid_in_time(self):
        move = self._due_invoice(1000.0)
        self._run(day(1))
        with freeze_time(day(2)):
            promise = self._promise(move, day(20), 1000.0)
        self.assertEqual(promise.user_id, self.collector, "who recorded it")
        self.assertEqual(promise.deadline, day(23), "promised date + 3 grace days")
        self._run(day(16))
        self.assertEqual(move.collection_stage_id, self.stages["Reminder"], "paused: no second notice at +15")
        self.assertEqual(move.collection_next_date, day(24), "resumes the day after the deadline")
        self.assertEqual(move.collection_next_stage_id, self.stages["Second notice"])
        with freeze_time(day(18)):
            self._pay(move, 1000.0)
        self._run(day(19))
        self.assertEqual(promise.state, "kept")
        self.assertEqual(self.customer.collection_broken_promise_count, 0)
        self.assertEqual(len(self._history(move)), 1)

    def test_broken_promise_escalates_at_once_and_counts(self):
        move = self._due_invoice(1000.0)
        self._run(day(1))
        with freeze_time(day(2)):
            promise = self._promise(move, day(3), 1000.0)
        self._run(day(6))
        self.assertEqual(promise.state, "open", "the deadline (day 6) is not passed yet")
        self._run(day(7))
        self.assertEqual(promise.state, "broken")
        self.assertEqual(self.customer.collection_broken_promise_count, 1)
        self.assertEqual(
            move.collection_stage_id, self.stages["Second notice"], "escalates at once, before its +15 offset"
        )
        last = self._history(move)[-1]
        self.assertEqual(last.trigger, "broken_promise")
        self.assertTrue(promise.escalated)
        self._run(day(8))
        self.assertEqual(len(self._history(move)), 2, "escalated once only")
        self.assertEqual(self.customer.collection_broken_promise_count, 1)

    def test_partial_payment_below_promise_is_broken(self):
        move = self._due_invoice(1000.0)
        with freeze_time(day(2)):
            promise = self._promise(move, day(5), 600.0)
            self._pay(move, 500.0)
        self._run(day(9))
        self.assertEqual(promise.state, "broken", "500.00 paid of 600.00 promised")

    def test_bad_promises_refused(self):
        move = self._due_invoice(1000.0)
        Promise = self.env["credit.collection.promise"]
        with freeze_time(day(5)):
            with self.assertRefused(UserError, "in the past"):
                self._promise(move, day(4), 100.0)
            with self.assertRefused(UserError, "at most the open amount"):
                self._promise(move, day(10), 1000.01)
            with self.assertRefused(UserError, "must be positive"):
                self._promise(move, day(10), 0.0)
            self._pay(move, 1000.0)
            with self.assertRefused(UserError, "open, posted customer invoice"):
                self._promise(move, day(10), 10.0)
        self.assertFalse(Promise.search([("move_id", "=", move.id)]), "nothing recorded")

    def test_one_open_promise_per_invoice(self):
        move = self._due_invoice(1000.0)
        with freeze_time(day(1)):
            first = self._promise(move, day(10), 500.0)
            with self.assertRefused(UserError, "already has an open promise"):
                self._promise(move, day(12), 500.0)
            first.with_user(self.collector).action_cancel()
            self._promise(move, day(12), 500.0)

    def test_salesman_cannot_record_promises(self):
        move = self._due_invoice(1000.0)
        with freeze_time(day(1)), self.assertRaises(AccessError):
            self._promise(move, day(10), 100.0, user=self.salesman)
