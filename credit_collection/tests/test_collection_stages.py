from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .collection_common import CollectionCommon, day


@tagged("post_install", "-at_install")
class TestCollectionStages(CollectionCommon):
    def test_stage_timing_at_every_boundary(self):
        """Each stage falls due exactly on its offset from the due date, not a day earlier."""
        move = self._due_invoice(1000.0)
        expected = [
            (-4, False, "Pre-due"),
            (-3, "Pre-due", "Reminder"),
            (0, "Pre-due", "Reminder"),
            (1, "Reminder", "Second notice"),
            (14, "Reminder", "Second notice"),
            (15, "Second notice", "Formal warning"),
            (29, "Second notice", "Formal warning"),
            (30, "Formal warning", "Final notice"),
            (59, "Formal warning", "Final notice"),
            (60, "Final notice", "Legal"),
            (89, "Final notice", "Legal"),
        ]
        for offset, stage, next_stage in expected:
            self._run(day(offset))
            self.assertEqual(move.collection_stage_id.name or False, stage, f"stage on day {offset:+d}")
            self.assertEqual(move.collection_next_stage_id.name, next_stage, f"next stage on day {offset:+d}")
        self.assertEqual(move.collection_stage_date, day(60))
        self.assertEqual(move.collection_next_date, day(90), "the legal stage falls due 90 days after the due date")
        self._run(day(90))
        self.assertTrue(move.collection_legal, "handed over to legal at +90")
        self.assertEqual(move.collection_legal_date, day(90))
        spec = self.env["credit.provision.specific"].search([("move_id", "=", move.id)])
        self.assertEqual((spec.origin, spec.rate), ("legal", 100.0), "the legal case is provisioned at 100 %")
        history = self._history(move)
        self.assertEqual(
            history.stage_id.mapped("name"),
            ["Pre-due", "Reminder", "Second notice", "Formal warning", "Final notice", "Legal"],
            "every stage applied once, in order",
        )
        self.assertEqual(history.mapped("date"), [day(-3), day(1), day(15), day(30), day(60), day(90)])
        # legal invoices leave the chase: nothing more happens
        self._run(day(200))
        self.assertEqual(len(self._history(move)), 6)
        mails = self._mails(self.customer)
        self.assertEqual(len(mails), 5, "one email per stage with an email")

    def test_pre_due_reminder_only_for_open_invoices(self):
        move = self._due_invoice(300.0)
        paid = self._due_invoice(200.0)
        with freeze_time(day(-5)):
            self._pay(paid, 200.0)
        self._run(day(-3))
        self.assertEqual(move.collection_stage_id, self.stages["Pre-due"])
        self.assertFalse(paid.collection_stage_id, "a paid invoice gets no reminder")
        mails = self._mails(self.customer)
        self.assertEqual(len(mails), 1)
        self.assertIn(move.name, mails.body_html)
        self.assertNotIn(paid.name, mails.body_html)
        self.assertEqual(mails.state, "outgoing", "queued in Odoo's mail queue, not sent by the run")

    def test_one_email_per_customer_listing_all_its_invoices(self):
        moves = self._due_invoice(100.0) | self._due_invoice(250.0) | self._due_invoice(75.5)
        other = self._due_invoice(400.0, partner=self.customer2)
        self._run(day(1))
        mails = self._mails(self.customer)
        self.assertEqual(len(mails), 1, "one email for the three invoices of the customer")
        for move in moves:
            self.assertIn(move.name, mails.body_html)
        self.assertNotIn(other.name, mails.body_html)
        self.assertEqual(len(self._mails(self.customer2)), 1)
        history = self._history(moves)
        self.assertEqual(len(history), 3)
        self.assertEqual(len(history.mail_message_id), 1, "the three rows link to the same email")
        self.assertEqual(history.mail_message_id.model, "res.partner")

    def test_invoice_pdfs_attached_and_sent_from_the_company(self):
        self.stages["Reminder"].attach_invoices = True
        moves = self._due_invoice(100.0) | self._due_invoice(200.0)
        self._run(day(1))
        message = self._history(moves).mail_message_id
        self.assertEqual(len(message.attachment_ids), 2, "one PDF per invoice of the email")
        self.assertEqual(message.author_id, self.company.partner_id)

    def test_activity_for_collector_and_named_user(self):
        move = self._due_invoice(1000.0)
        self._run(day(15))
        activity = self.customer.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.collector, "the call goes to the customer's collector")
        self.assertEqual(activity.date_deadline, day(17))
        self.assertIn(move.name, str(activity.note))
        self.assertEqual(self._history(move).activity_id, activity)
        self._run(day(60))
        manager_activity = self.customer.activity_ids - activity
        self.assertEqual(manager_activity.user_id, self.manager, "the final notice's review goes to the named user")

    def test_min_amount_keeps_small_invoices_at_a_lower_stage(self):
        small = self._due_invoice(40.0)
        self._run(day(20))
        self.assertEqual(small.collection_stage_id, self.stages["Reminder"], "40.00 < 50.00: no second notice")

    def test_catch_up_after_downtime_applies_only_the_highest_stage(self):
        move = self._due_invoice(1000.0)
        self._run(day(65))
        history = self._history(move)
        self.assertEqual(history.stage_id, self.stages["Final notice"], "only the highest stage now due")
        self.assertEqual(len(self._mails(self.customer)), 1, "one email, not five")
        self.assertEqual(len(self.customer.activity_ids), 1)
        fees = history.fee_move_id
        self.assertEqual(fees.amount_total, 20.0)

    def test_credit_hold_set_and_tracked(self):
        self._due_invoice(1000.0)
        self._run(day(29))
        self.assertFalse(self.customer.credit_hold)
        with freeze_time(day(30)):
            self.env["credit.collection.run"].with_context(
                tracking_disable=False, mail_notrack=False
            )._cron_collection_run()
            self.flush_tracking()
        self.assertTrue(self.customer.credit_hold, "the formal warning stops supply")
        self.assertIn("Formal warning", self.customer.credit_hold_reason)
        tracked = self.customer.message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "credit_hold")
        self.assertTrue(tracked, "the hold is tracked in the customer's chatter")
        # the order-time check now refuses the customer's orders
        order = self._order(100.0)
        with self.assertRaises(UserError):
            order.action_confirm()

    def test_fees_never_twice_and_interest_to_the_cent(self):
        move = self._due_invoice(1000.0)
        self._run(day(60))
        final = self.stages["Final notice"]
        fee = self._history(move).filtered(lambda h: h.stage_id == final).fee_move_id
        self.assertEqual(fee.amount_total, 20.0)
        self.assertEqual(fee.state, "posted")
        self.assertEqual(fee.invoice_line_ids.product_id, self.fee_product)
        with self.assertRefused(UserError, "already invoiced"):
            move._collection_charge_late_fee(final)
        self._run(day(61))
        self._run(day(90))
        legal = self._history(move).filtered(lambda h: h.stage_id == self.stages["Legal"])
        # 1 000.00 × 12 % × 90 / 365 = 29.589... → 29.59
        self.assertEqual(legal.fee_amount, 29.59)
        self.assertEqual(legal.fee_move_id.amount_total, 29.59)
        fee_moves = self.env["account.move"].search([("invoice_line_ids.product_id", "=", self.fee_product.id)])
        self.assertEqual(len(fee_moves), 2, "one fee per stage, never twice")

    def test_disputed_invoices_not_chased_nor_fined(self):
        move = self._due_invoice(1000.0)
        other = self._due_invoice(500.0)
        move.with_user(self.collector).action_collection_dispute("quality", "Broken goods")
        self.assertTrue(move.collection_dispute)
        self._run(day(65))
        self.assertFalse(self._history(move), "a disputed invoice is not chased")
        self.assertEqual(self._history(other).stage_id, self.stages["Final notice"])
        self.assertNotIn(move.name, self._mails(self.customer).body_html)
        with self.assertRefused(UserError, "No late fee on disputed invoices"):
            move._collection_charge_late_fee(self.stages["Final notice"])
        self.assertFalse(self._history(move).fee_move_id, "nothing charged")
        move.with_user(self.collector).action_collection_resolve_dispute()
        self._run(day(66))
        self.assertEqual(self._history(move).stage_id, self.stages["Final notice"], "chased again once resolved")

    def test_offsets_must_increase_strictly(self):
        stages = self.strategy.stage_ids
        with self.assertRefused(ValidationError, "must come strictly after"):
            self.stages["Reminder"].offset_days = 15
        self.stages["Reminder"].invalidate_recordset()
        self.assertEqual(self.stages["Reminder"].offset_days, 1, "nothing changed")
        with self.assertRaises(ValidationError):
            self.env["credit.collection.stage"].create(
                {"strategy_id": self.strategy.id, "sequence": 99, "name": "Late", "offset_days": 90}
            )
        self.assertEqual(self.strategy.stage_ids, stages)

    def test_bad_stage_values_refused(self):
        with self.assertRaises(ValidationError):
            self.env["credit.collection.stage"].create(
                {
                    "strategy_id": self.strategy.id,
                    "sequence": 99,
                    "name": "Fee",
                    "offset_days": 120,
                    "fee_type": "fixed",
                }
            )
        with self.assertRaises(ValidationError):
            self.env["credit.collection.stage"].create(
                {"strategy_id": self.strategy.id, "sequence": 99, "name": "Neg", "offset_days": 120, "min_amount": -1}
            )

    def test_strategy_resolution(self):
        strict = self.env["credit.collection.strategy"].create(
            {
                "name": "Strict",
                "company_id": self.company.id,
                "stage_ids": [(0, 0, {"name": "Day 1", "offset_days": 1})],
            }
        )
        self.assertEqual(self.customer._collection_strategy(), self.strategy, "the company default")
        self.customer.collection_strategy_id = strict
        self.assertEqual(self.contact._collection_strategy(), strict, "the customer's own, also from a contact")
        if "credit_grade_id" in self.customer._fields:
            grade = self.customer.credit_grade_id
            if "collection_strategy_id" in grade._fields:
                self.customer.collection_strategy_id = False
                self.assertIn(self.customer._collection_strategy(), grade.collection_strategy_id | self.strategy)
        self.company.collection_strategy_id = False
        self.customer.collection_strategy_id = False
        move = self._due_invoice(1000.0)
        self._run(day(10))
        self.assertFalse(move.collection_stage_id, "no strategy: no chase")
