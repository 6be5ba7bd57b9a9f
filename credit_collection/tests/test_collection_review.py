from freezegun import freeze_time

from odoo.addons.mail.tests.common import MailCase
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .collection_common import CollectionCommon, day


@tagged("post_install", "-at_install")
class TestCollectionReview(CollectionCommon, MailCase):
    """A strategy in review mode: the run prepares, the collector edits, excludes, postpones, sends."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.strategy.send_mode = "review"
        cls.sales = new_test_user(
            cls.env,
            login="cct_review_sales",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=cls.company.ids,
        )

    def _story(self):
        """Three customers, each with one invoice 65 days overdue (final notice: email, activity, fee)."""
        return {
            partner: self._due_invoice(1000.0, partner=partner)
            for partner in (self.customer, self.customer2, self.customer3)
        }

    def _effects(self, partner):
        fees = self.env["account.move"].search(
            [("partner_id", "=", partner.id), ("invoice_line_ids.product_id", "=", self.fee_product.id)]
        )
        return len(self._queued(partner)), len(partner.activity_ids), len(fees)

    def _queued(self, partner):
        # (MailCase keeps its own `_mails`: the reminders queued to the customer, as the run's tests count them)
        return CollectionCommon._mails(self, partner)

    def _lines(self, **domain):
        Line = self.env["credit.collection.review.line"].with_user(self.collector)
        return Line.search([(key, "=", value) for key, value in domain.items()], order="id")

    def test_run_prepares_without_reaching_anyone(self):
        moves = self._story()
        self._run(day(65))
        batch = self.env["credit.collection.review.batch"].with_user(self.collector).search([])
        self.assertEqual(len(batch), 1, "one batch per run and company")
        self.assertEqual(batch.to_review_count, 3)
        action = batch.action_open_lines()
        self.assertEqual(
            self.env["credit.collection.review.line"].with_user(self.collector).search(action["domain"]),
            batch.line_ids,
        )
        lines = batch.line_ids.sorted("id")
        self.assertEqual(lines.partner_id, self.customer | self.customer2 | self.customer3)
        self.assertEqual(lines.mapped("amount"), [1000.0, 1000.0, 1000.0])
        line = lines.filtered(lambda item: item.partner_id == self.customer2)
        self.assertEqual(line.stage_id, self.stages["Final notice"])
        self.assertEqual(line.move_ids, moves[self.customer2])
        self.assertEqual(line.channels, "email")
        self.assertIn(moves[self.customer2].name, line.email_body, "the preview lists the invoice")
        self.assertTrue(line.email_subject)
        for partner, move in moves.items():
            self.assertEqual(self._effects(partner), (0, 0, 0), f"{partner.name}: nothing sent, scheduled, charged")
            self.assertFalse(move.collection_stage_id, "the stage is not recorded before the line is sent")
            self.assertFalse(self._history(move))
            self.assertEqual(move.collection_next_stage_id, self.stages["Final notice"], "shown as due today")
            self.assertEqual(move.collection_next_date, day(65))
        self.assertFalse(self.customer.credit_hold, "the skipped stage's hold waits for the send too")
        # the next runs prepare no second line while one waits
        self._run(day(65))
        self._run(day(66))
        self.assertEqual(len(self._lines()), 3)
        self.assertEqual(len(self.env["credit.collection.review.batch"].search([])), 1, "no empty batch")

    def test_edit_and_send_as_collector(self):
        moves = self._story()
        self._run(day(65))
        line = self._lines(partner_id=self.customer2.id)
        line.write({"email_subject": "Please call us", "email_body": "<p>Dear Beta, please pay 1,000.00.</p>"})
        with freeze_time(day(66)), self.mock_mail_gateway():
            line.action_send()
            self.env.flush_all()
        self.assertEqual(line.state, "sent")
        self.assertEqual(line.done_uid, self.collector)
        self.assertMailMail(
            self.customer2,
            "outgoing",
            fields_values={"subject": "Please call us"},
            content="Dear Beta, please pay 1,000.00.",
        )
        move = moves[self.customer2]
        self.assertEqual(move.collection_stage_id, self.stages["Final notice"])
        history = self._history(move)
        self.assertEqual(len(history), 1)
        self.assertEqual(history.date, day(66), "recorded the day it is sent")
        self.assertTrue(history.mail_message_id)
        self.assertEqual(self._effects(self.customer2), (1, 1, 1), "email, activity and fee when sent")
        self.assertTrue(self.customer2.credit_hold, "the skipped formal warning's hold applies when sent")
        fee = history.fee_move_id
        self.assertEqual(fee.amount_total, 20.0)
        self.assertEqual(move.collection_next_stage_id, self.stages["Legal"])
        # the others still wait; a sent line cannot change nor be sent again
        for partner in (self.customer, self.customer3):
            self.assertEqual(self._effects(partner), (0, 0, 0))
        with self.assertRefused(UserError, "already sent or excluded"):
            line.write({"email_subject": "Again"})
        with self.assertRefused(UserError, "already sent or excluded"):
            line.action_send()
        self._run(day(67))
        self.assertEqual(len(self._lines(partner_id=self.customer2.id)), 1, "no new line for a stage sent")
        self.assertEqual(self._effects(self.customer2), (1, 1, 1))

    def test_exclude_with_reason_and_postpone(self):
        moves = self._story()
        self._run(day(65))
        excluded = self._lines(partner_id=self.customer.id)
        with self.assertRefused(UserError, "Write the reason"):
            excluded.action_exclude()
        excluded.exclude_reason = "Paying by cheque this week"
        with freeze_time(day(65)):
            excluded.action_exclude()
        self.assertEqual(excluded.state, "excluded")
        history = self._history(moves[self.customer])
        self.assertEqual(history.stage_id, self.stages["Final notice"], "the stage is recorded")
        self.assertEqual(history.actions, "excluded: Paying by cheque this week")
        self.assertEqual(self._effects(self.customer), (0, 0, 0), "nothing sent, scheduled nor charged")
        self.assertFalse(self.customer.credit_hold)

        postponed = self._lines(partner_id=self.customer3.id)
        with self.assertRefused(UserError, "Postponed Until"):
            with freeze_time(day(65)):
                postponed.action_postpone()
        postponed.postpone_date = day(70)
        with freeze_time(day(65)):
            postponed.action_postpone()
        self.assertEqual(postponed.state, "postponed")
        batch = postponed.batch_id
        with freeze_time(day(65)), self.mock_mail_gateway():
            batch.with_user(self.collector).action_send()  # the batch sends what is to review only
            self.env.flush_all()
        self.assertEqual(self._lines(partner_id=self.customer2.id).state, "sent")
        self.assertEqual(postponed.state, "postponed")
        self.assertEqual(self._effects(self.customer3), (0, 0, 0))
        self._run(day(68))
        self.assertEqual(len(self._lines(partner_id=self.customer3.id)), 1, "no second line while postponed")
        self._run(day(70))
        self.assertEqual(postponed.state, "pending", "back to review on its date")
        self.assertEqual(postponed.batch_id.date, day(70), "in that day's batch")
        with freeze_time(day(70)), self.mock_mail_gateway():
            postponed.batch_id.with_user(self.collector).action_send()
            self.env.flush_all()
        self.assertEqual(self._effects(self.customer3), (1, 1, 1), "email, activity and fee on the day it is sent")
        self.assertEqual(len(self._history(moves[self.customer3])), 1)

    def test_crash_mid_send_then_resume_without_duplicates(self):
        moves = self._story()
        self._run(day(65))
        batch = self._lines(partner_id=self.customer.id).batch_id
        # Send "crashes" after its first line (what committed stays: line and message together)
        with freeze_time(day(65)), self.mock_mail_gateway():
            batch.line_ids.sorted("id").action_send(max_lines=1)
            self.env.flush_all()
        sent = batch.line_ids.filtered(lambda line: line.state == "sent")
        self.assertEqual(len(sent), 1)
        self.assertEqual(self._effects(sent.partner_id.sudo()), (1, 1, 1))
        # pressing Send again sends the others and nothing twice
        with freeze_time(day(65)), self.mock_mail_gateway():
            batch.with_user(self.collector).action_send()
            self.env.flush_all()
        self.assertEqual(set(batch.line_ids.mapped("state")), {"sent"})
        for partner, move in moves.items():
            self.assertEqual(self._effects(partner), (1, 1, 1), f"{partner.name}: one email, activity, fee")
            self.assertEqual(len(self._history(move)), 1)
        with self.assertRefused(UserError, "Nothing to send"):
            batch.with_user(self.collector).action_send()
        self._run(day(66))
        for partner in moves:
            self.assertEqual(self._effects(partner), (1, 1, 1), f"{partner.name}: still one of each")

    def test_protected_fields_and_groups(self):
        self._story()
        self._run(day(65))
        line = self._lines(partner_id=self.customer.id)
        with self.assertRefused(AccessError, "change only through its buttons"):
            line.write({"state": "sent"})
        with self.assertRefused(AccessError, "change only through its buttons"):
            line.with_context(active_test=False, review_force=True).write({"move_ids": [(5,)]})
        Line = self.env["credit.collection.review.line"].with_user(self.sales)
        with self.assertRaises(AccessError):
            Line.search([])
        with self.assertRaises(AccessError):
            line.with_user(self.sales).action_send()
        with self.assertRaises(AccessError):
            self.env["credit.collection.review.line"].with_user(self.collector).create(
                {
                    "batch_id": line.batch_id.id,
                    "company_id": self.company.id,
                    "partner_id": self.customer.id,
                    "stage_id": self.stages["Legal"].id,
                }
            )
        self.assertEqual(line.state, "pending")

    def test_paid_meanwhile_sends_nothing(self):
        moves = self._story()
        self._run(day(65))
        self._pay(moves[self.customer], 1000.0, pay_date=day(65))
        line = self._lines(partner_id=self.customer.id)
        with freeze_time(day(66)), self.mock_mail_gateway():
            line.action_send()
            self.env.flush_all()
        self.assertEqual(line.state, "excluded")
        self.assertIn("No invoice left", line.exclude_reason)
        self.assertEqual(self._effects(self.customer), (0, 0, 0))

    def test_automatic_mode_unchanged(self):
        self.strategy.send_mode = "auto"
        moves = self._story()
        self._run(day(65))
        self.assertFalse(self.env["credit.collection.review.line"].search([]))
        for partner, move in moves.items():
            self.assertEqual(move.collection_stage_id, self.stages["Final notice"])
            self.assertEqual(self._effects(partner), (1, 1, 1))

    def test_failing_line_rolls_back_and_stays_to_review(self):
        moves = self._story()
        self._run(day(65))
        batch = self._lines(partner_id=self.customer.id).batch_id
        self.company.collection_fee_product_id = False  # the final notice's fee cannot be invoiced
        with (
            freeze_time(day(65)),
            self.mock_mail_gateway(),
            self.assertLogs("odoo.addons.credit_collection", "WARNING"),
        ):
            batch.with_user(self.collector).action_send()
            self.env.flush_all()
        for line in batch.line_ids:
            self.assertEqual(line.state, "pending", line.partner_id.name)
            self.assertTrue(line.error, "the line says why")
        for partner, move in moves.items():
            self.assertEqual(self._effects(partner), (0, 0, 0), f"{partner.name}: the email is rolled back too")
            self.assertFalse(self._history(move))
            self.assertFalse(move.collection_stage_id)
        self.company.collection_fee_product_id = self.fee_product
        with freeze_time(day(65)), self.mock_mail_gateway():
            batch.with_user(self.collector).action_send()
            self.env.flush_all()
        self.assertEqual(set(batch.line_ids.mapped("state")), {"sent"})
        self.assertFalse(any(batch.line_ids.mapped("error")))
        for partner in moves:
            self.assertEqual(self._effects(partner), (1, 1, 1))
