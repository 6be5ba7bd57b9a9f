from freezegun import freeze_time

from odoo.addons.mail.tests.common import MailCase
from odoo.addons.sms.tests.common import SMSCase
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .collection_common import CollectionCommon, day

# an incoming email as Odoo's mail gateway receives it (format_and_process fills the blanks)
REPLY = """Return-Path: {return_path}
To: {to}
cc: {cc}
Received: by mail1.example.com (Postfix, from userid 10002)
    id 5DF9ABFB2A; Fri, 10 Aug 2012 16:16:39 +0200 (CEST)
From: {email_from}
Subject: {subject}
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Date: Fri, 10 Aug 2012 14:16:26 +0000
Message-ID: {msg_id}
{extra}
We paid INV half last week, the rest follows on Friday. Can you check your bank?
"""


class OdooSmsHelpers:
    """Odoo's own SMS test helpers (sms.tests.common: the mocked IAP gateway and the sms.sms
    assertions) on a TransactionCase: their class derives from HttpCase, which pytest-odoo runs only
    with an HTTP server, and these tests need none."""

    mockSMSGateway = SMSCase.mockSMSGateway
    _clear_sms_sent = SMSCase._clear_sms_sent
    _find_sms_sms = SMSCase._find_sms_sms
    assertSMS = SMSCase.assertSMS
    assertSMSOutgoing = SMSCase.assertSMSOutgoing
    assertSMSIapSent = SMSCase.assertSMSIapSent

    def setUp(self):
        super().setUp()
        self._clear_sms_sent()


@tagged("post_install", "-at_install")
class TestCollectionChannels(OdooSmsHelpers, CollectionCommon, MailCase):
    """Stages reach customers by email, SMS, letter and phone call, with a fallback when a channel
    cannot reach the customer; letters are printed in batch; a reply pauses the chase."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms_template = cls.env.ref("credit_collection.sms_template_collection_reminder")
        cls.letter_template = cls.env.ref("credit_collection.mail_template_collection_letter")
        # reminder: email + SMS; formal warning: email + letter + call (and the hold)
        cls.stages["Reminder"].write({"sms_template_id": cls.sms_template.id, "sms_fallback": "call"})
        cls.stages["Formal warning"].write(
            {
                "letter_template_id": cls.letter_template.id,
                "phone_call": True,
                "call_script": "<p>Ask for a payment date.</p>",
                "email_fallback": "letter",
            }
        )
        cls.customer.write({"mobile": "+32456010203"})
        cls.customer2.write({"mobile": "+32456040506"})
        cls.salesman_plain = new_test_user(
            cls.env, login="cct_channels_sales", groups="sales_team.group_sale_salesman", company_id=cls.company.id
        )

    def _row(self, partner):
        self.env["credit.collection.worklist"].invalidate_model()  # a SQL view: read it afresh
        return (
            self.env["credit.collection.worklist"]
            .with_user(self.collector)
            .search([("partner_id", "=", partner.id), ("company_id", "=", self.company.id)])
        )

    def _letters(self, partner):
        return self.env["credit.collection.letter"].search([("partner_id", "=", partner.id)])

    def _calls(self, partner):
        call = self.env.ref("mail.mail_activity_data_call")
        return partner.activity_ids.filtered(lambda a: a.activity_type_id == call)

    # ------------------------------------------------------------------ channels
    def test_reminder_by_email_and_sms(self):
        move = self._due_invoice(1000.0)
        with self.mock_mail_gateway(), self.mockSMSGateway():
            self._run(day(1))
        self.assertMailMail(self.customer, "outgoing", content=move.name)
        self.assertSMSOutgoing(self.customer, None, content="1,000.00")
        sms = self._find_sms_sms(self.customer, None, "outgoing")
        self.assertIn(f"/my/invoices/{move.id}?access_token=", sms.body, "the payment link of the invoice")
        self.assertIn("1 invoice(s)", sms.body)
        self.assertFalse(self._sms, "queued, never sent by the run")
        with self.mockSMSGateway():
            self.env["sms.sms"].sudo()._process_queue()
        self.assertSMSIapSent([sms.number], content="1,000.00")
        history = self._history(move)
        self.assertEqual(history.stage_id, self.stages["Reminder"])
        self.assertEqual(history.actions, "email, SMS")
        self.assertEqual(history.sms_message_id.message_type, "sms")
        self.assertEqual(history.sms_message_id.model, "res.partner")

    def test_formal_warning_letter_and_call(self):
        move = self._due_invoice(1000.0)
        self._due_invoice(250.5)
        self._run(day(30))
        letter = self._letters(self.customer)
        self.assertEqual(len(letter), 1, "one letter per customer and stage")
        self.assertEqual(letter.reason, "letter")
        self.assertEqual(letter.amount, 1250.5)
        self.assertEqual(len(letter.move_ids), 2)
        self.assertIn(move.name, letter.body)
        self.assertFalse(letter.printed)
        # the customer's chatter keeps the letter (message + PDF), nobody is notified by it
        self.assertIn(letter.attachment_id, letter.message_id.attachment_ids)
        self.assertEqual((letter.message_id.model, letter.message_id.res_id), ("res.partner", self.customer.id))
        self.assertFalse(letter.message_id.notification_ids)
        call = self._calls(self.customer)
        self.assertEqual(len(call), 1)
        self.assertEqual(call.user_id, self.collector)
        self.assertIn("Ask for a payment date.", call.note)
        self.assertIn("1,250.50", call.note, "the total due")
        self.assertIn(move.name, call.note)
        history = self._history(move)
        self.assertEqual((history.letter_id, history.call_activity_id), (letter, call))
        self.assertTrue(self.customer.credit_hold, "the stage's hold applies alongside the channels")

    # ------------------------------------------------------------------ fallback
    def test_no_email_letter_instead_and_never_retried(self):
        self.customer2.email = False
        move = self._due_invoice(1000.0, partner=self.customer2)
        self._run(day(30))
        self.assertEqual(move.collection_stage_id, self.stages["Formal warning"], "a data problem, not a failure")
        self.assertFalse(move.collection_error)
        self.assertTrue(self.customer2.credit_hold, "the hold applies the same day")
        letter = self._letters(self.customer2)
        self.assertEqual(len(letter), 1, "the stage's letter replaces the email too: one letter")
        history = self._history(move)
        self.assertTrue(history.no_email)
        self.assertIn("no email: letter instead", history.actions)
        # shown as a data problem to fix, on the worklist and the customer
        row = self._row(self.customer2)
        self.assertTrue(row.no_email)
        self.assertIn("no email", row.flags)
        self.assertTrue(self.customer2.with_user(self.collector).collection_no_email)
        # never retried daily: nothing left to do the next days
        for offset in (30, 31, 45):
            with freeze_time(day(offset)):
                plan = self.env["credit.collection.run"]._collection_plan(self.company, day(offset))
            self.assertEqual(plan, {}, f"day {offset}: nothing to retry")
        # fixed: the flag goes away
        self.customer2.email = "ap@beta.example"
        self.assertFalse(self._row(self.customer2).no_email)

    def test_no_email_fallback_per_stage_and_other_actions_still_applied(self):
        """Final notice (email, activity for the manager, 20.00 fee) for a customer without email:
        no fallback → not reached, but the activity and the fee happen the same day; a call
        fallback gives the collector a call instead."""
        self.customer2.email = False
        self.customer3.email = False
        self.customer3.credit_collector_id = self.collector
        move2 = self._due_invoice(1000.0, partner=self.customer2)
        self.stages["Final notice"].email_fallback = "none"
        self._run(day(65))
        history = self._history(move2)
        self.assertEqual(move2.collection_stage_id, self.stages["Final notice"])
        self.assertIn("no email: not reached", history.actions)
        self.assertTrue(history.activity_id, "the stage's activity")
        self.assertEqual(history.activity_id.user_id, self.manager)
        self.assertEqual(history.fee_move_id.amount_total, 20.0, "the stage's fee")
        self.assertTrue(self.customer2.credit_hold, "the skipped formal warning's hold")
        self.assertFalse(self._letters(self.customer2))
        # call instead
        self.stages["Final notice"].email_fallback = "call"
        move3 = self._due_invoice(500.0, partner=self.customer3)
        self._run(day(65))
        history3 = self._history(move3)
        self.assertIn("no email: call instead", history3.actions)
        call = history3.call_activity_id
        self.assertEqual(call.user_id, self.collector)
        self.assertIn("No email address", call.note)
        self.assertEqual(history3.fee_move_id.amount_total, 20.0)

    def test_no_mobile_call_instead(self):
        self.customer.write({"mobile": False, "phone": False})
        move = self._due_invoice(1000.0)
        with self.mockSMSGateway():
            self._run(day(1))
        self.assertFalse(self._new_sms, "no SMS without a number")
        history = self._history(move)
        self.assertTrue(history.no_mobile)
        self.assertEqual(history.actions, f"email, no mobile: call instead, call for {self.collector.name}")
        self.assertIn("No mobile number", history.call_activity_id.note)
        self.assertTrue(self._row(self.customer).no_mobile)
        self.assertIn("no mobile", self._row(self.customer).flags)
        with freeze_time(day(2)):
            self.assertEqual(self.env["credit.collection.run"]._collection_plan(self.company, day(2)), {})

    # ------------------------------------------------------------------ letters to print
    def test_batch_print_of_letters(self):
        self.customer2.email = False
        self._due_invoice(1000.0)
        self._due_invoice(400.0, partner=self.customer2)
        self._run(day(30))
        letters = self.env["credit.collection.letter"].with_user(self.collector).search([("printed", "=", False)])
        self.assertEqual(letters.partner_id, self.customer | self.customer2)
        with self.assertRaises(AccessError):
            letters.with_user(self.salesman_plain).action_print()
        action = letters.action_print()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertFalse(action.get("data"), "the client prints the ids of the action")
        # one document for the batch: render exactly what the action gives the client
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(action["report_name"], action["context"]["active_ids"])[0]
            .decode()
        )
        self.assertIn("Acme Trading", html)
        self.assertIn("Beta Stores", html)
        self.assertIn("1,000.00", html)
        self.assertIn("400.00", html)
        self.assertEqual(html.count('data-oe-model="credit.collection.letter"'), 2, "one letter per customer")
        self.assertTrue(all(letters.mapped("printed")))
        self.assertEqual(letters.printed_uid, self.collector)
        self.assertTrue(all(letters.mapped("printed_date")))

    # ------------------------------------------------------------------ replies
    def test_reply_pauses_escalation(self):
        self.company.collection_reply_pause_days = 20
        move = self._due_invoice(1000.0)
        self._run(day(1))
        reminder = self._history(move).mail_message_id
        self.assertTrue(reminder.message_id)
        with freeze_time(day(2)):
            self.format_and_process(
                REPLY,
                self.customer.email,
                self.company.email or "billing@company.example",
                subject="Re: Reminder",
                extra=f"In-Reply-To: {reminder.message_id}",
                target_model="res.partner",
            )
        reply = self.customer.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(len(reply), 1, "the reply is in the customer's chatter")
        todo = self.customer.activity_ids.filtered(lambda a: "replied" in (a.summary or ""))
        self.assertEqual(len(todo), 1)
        self.assertEqual(todo.user_id, self.collector)
        self.assertIn("the rest follows on Friday", todo.note)
        self.assertEqual(self.customer.with_company(self.company).collection_reply_pause_until, day(22))
        with freeze_time(day(2)):
            row = self._row(self.customer)
            self.assertTrue(row.replied)
            self.assertIn("replied", row.flags)
        self.assertEqual(move.collection_next_date, day(23), "the next stage waits for the pause")
        self._run(day(15))
        self.assertEqual(move.collection_stage_id, self.stages["Reminder"], "paused: no second notice")
        self._run(day(23))
        self.assertEqual(move.collection_stage_id, self.stages["Second notice"])

    def test_reply_pause_is_not_writable_directly(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.collector).write({"collection_reply_pause_until": day(10)})

    # ------------------------------------------------------------------ crash
    def test_crash_resume_without_duplicates_on_every_channel(self):
        self.customer2.email = False  # a letter instead of its email
        self.stages["Formal warning"].sms_template_id = self.sms_template
        moves = {p: self._due_invoice(1000.0, partner=p) for p in (self.customer, self.customer2, self.customer3)}
        with self.mockSMSGateway():
            self._run(day(30), batch_size=1, max_batches=1)
            self._run(day(30), batch_size=1)
            self._run(day(30))
            self._run(day(31))
        for partner, move in moves.items():
            self.assertEqual(move.collection_stage_id, self.stages["Formal warning"], partner.name)
            self.assertEqual(len(self._history(move)), 1, partner.name)
            self.assertEqual(len(self._letters(partner)), 1, f"{partner.name}: one letter")
            self.assertEqual(len(self._calls(partner)), 1 if partner.credit_collector_id else 0, partner.name)
            sms = self.env["sms.sms"].sudo().search([("partner_id", "=", partner.id)])
            self.assertEqual(len(sms), 1 if partner.mobile else 0, f"{partner.name}: SMS")
        self.assertEqual(len(self._mails(self.customer)), 1)
        self.assertEqual(len(self._mails(self.customer2)), 0)
