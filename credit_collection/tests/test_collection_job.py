from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .aging_common import AgingCommon
from .collection_common import CollectionCommon, day


class WorkerKilled(Exception):
    """The cron worker dies (time limit, restart) before its transaction commits."""


@tagged("post_install", "-at_install")
class TestCollectionJob(AgingCommon):
    """Statements to many customers run as a background job: batches, progress, each customer once
    even across a crash, and a summary of what was sent and what failed for the requester."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = "ap@acme.example"
        cls.many = cls.env["res.partner"].create(
            [
                {"name": f"cct Job {n}", "is_company": True, "email": f"job{n}@example.com" if n != 5 else False}
                for n in range(1, 9)
            ]
        )
        for n, partner in enumerate(cls.many, start=1):
            cls._inv(100.0 * n, date(2024, 6, 5), date(2024, 7, 5), partner=partner)
        cls._inv(1000.0, date(2024, 6, 10), date(2024, 7, 10))
        cls.no_email = cls.many[4]
        cls.wizard_vals = {"date_from": date(2024, 6, 1), "date_to": date(2024, 6, 30)}
        cls.Job = cls.env["credit.collection.job"]

    def _statements(self, partner):
        """The statement messages posted on a customer (one PDF each)."""
        return partner.message_ids.filtered(lambda m: m.attachment_ids.mimetype == "application/pdf")

    def _queue(self):
        wizard = self.env["credit.statement.wizard"].with_user(self.collector).create(self.wizard_vals)
        action = wizard.action_send()
        self.assertEqual(action["tag"], "display_notification")
        job = self.Job.with_user(self.collector).search([], limit=1)
        self.assertEqual(job.total_count, 9, "Acme and the 8 customers with an open balance")
        return job

    def test_background_in_batches_with_progress_and_summary(self):
        job = self._queue()
        recipients = self.customer | self.many
        self.assertFalse(any(self._statements(p) for p in recipients), "nothing rendered in the request")
        cron = self.env.ref("credit_collection.ir_cron_credit_collection_job")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        runner = self.Job.with_context(ir_cron_progress_id=progress.id)
        self.assertEqual(runner._cron_process(batch_size=4), 5, "4 done, 5 remaining")
        self.assertEqual((progress.done, progress.remaining), (4, 5), "the cron runner sees the progress")
        job.invalidate_recordset()
        self.assertEqual((job.state, job.sent_count + job.failed_count, job.pending_count), ("running", 4, 5))
        self.assertEqual(job.progress, 44.0, "4 of 9, in whole percents")
        self.assertEqual(runner._cron_process(batch_size=4), 1)
        self.assertEqual(runner._cron_process(batch_size=4), 0)
        self.assertEqual((progress.done, progress.remaining), (9, 0))
        job.invalidate_recordset()
        self.assertEqual((job.state, job.sent_count, job.failed_count), ("done", 8, 1))
        for partner in recipients - self.no_email:
            statements = self._statements(partner)
            self.assertEqual(len(statements), 1, f"{partner.name}: one statement")
            self.assertEqual(statements.author_id, self.collector.partner_id, "sent in the requester's name")
            mails = self.env["mail.mail"].sudo().search([("mail_message_id", "=", statements.id)])
            self.assertEqual(mails.mapped("state"), ["outgoing"], "left to the mail queue, after the commit")
        self.assertFalse(self._statements(self.no_email))
        failed = job.line_ids.filtered(lambda line: line.state == "failed")
        self.assertEqual(failed.partner_id, self.no_email)
        self.assertIn("no email address", failed.error)
        # the requester's summary: what was sent, what failed and why
        self.assertIn("8 of 9 customers sent, 1 failed.", job.summary)
        self.assertIn("cct Job 5", job.summary)
        activity = job.activity_ids
        self.assertEqual(activity.user_id, self.collector)
        self.assertIn("no email address", str(activity.note))
        self.assertEqual(self.Job._cron_process(), 0, "nothing left: a later run sends nothing")
        self.assertEqual(len(self._statements(self.customer)), 1)

    def test_crash_then_resume_sends_each_customer_once(self):
        job = self._queue()
        self.Job._cron_process(batch_size=3)  # committed in production: one commit per customer
        first = job.line_ids.filtered(lambda line: line.state != "pending").partner_id
        self.assertEqual(len(first), 3)
        with self.assertRaises(WorkerKilled), self.env.cr.savepoint():
            self.Job._cron_process(batch_size=3)
            raise WorkerKilled  # killed before the commit: its messages and "sent" marks are lost together
        self.env.invalidate_all()
        job.invalidate_recordset()
        self.assertEqual(job.pending_count, 6, "the lost batch is pending again")
        while self.Job._cron_process(batch_size=3):
            pass
        job.invalidate_recordset()
        self.assertEqual((job.state, job.sent_count, job.failed_count), ("done", 8, 1))
        for partner in self.customer | self.many - self.no_email:
            self.assertEqual(len(self._statements(partner)), 1, f"{partner.name}: sent once, not twice")

    def test_few_customers_sent_at_once(self):
        """Up to five customers: sent in the request, as before (the user sees it at once)."""
        wizard = self.env["credit.statement.wizard"].with_user(self.collector)
        wizard.create(dict(self.wizard_vals, partner_ids=[(6, 0, self.many[:2].ids)])).action_send()
        self.assertFalse(self.Job.search([]))
        self.assertEqual(len(self._statements(self.many[0])), 1)

    def test_worklist_mass_statement(self):
        rows = self.env["credit.collection.worklist"].with_user(self.collector).search([])
        rows = rows.filtered(lambda r: r.partner_id in self.many | self.customer)
        self.assertEqual(len(rows), 9)
        rows.action_send_statements()
        job = self.Job.with_user(self.collector).search([], limit=1)
        self.assertEqual((job.job_type, job.total_count), ("collection_statement", 9))
        while self.Job._cron_process(batch_size=4):
            pass
        job.invalidate_recordset()
        self.assertEqual((job.state, job.sent_count, job.failed_count), ("done", 8, 1))
        self.assertEqual(len(self._statements(self.many[0])), 1)


@tagged("post_install", "-at_install")
class TestWorklistMassReminder(CollectionCommon):
    """Reminders again to many customers from the worklist: a background job, each customer once."""

    def test_mass_reminder_from_the_worklist(self):
        partners = self.env["res.partner"].create(
            [
                {"name": f"cct Remind {n}", "is_company": True, "email": f"remind{n}@example.com" if n != 3 else False}
                for n in range(1, 8)
            ]
        )
        for partner in partners:
            self._due_invoice(100.0, partner=partner)
        self._run(day(2))  # everyone reaches "Reminder" (the one without an email by the stage's fallback)
        before = {p.id: len(self._mails(p)) for p in partners}
        with freeze_time(day(3)):
            rows = self.env["credit.collection.worklist"].with_user(self.collector).search([])
            rows = rows.filtered(lambda r: r.partner_id in partners)
            self.assertEqual(len(rows), 7)
            action = rows.action_send_reminders()
            self.assertIn("7 customers", action["params"]["message"])
            Job = self.env["credit.collection.job"]
            while Job._cron_process(batch_size=3):
                pass
        job = Job.with_user(self.collector).search([], limit=1)
        self.assertEqual((job.job_type, job.state, job.sent_count, job.failed_count), ("reminder", "done", 6, 1))
        for partner in partners.filtered("email"):
            self.assertEqual(len(self._mails(partner)), before[partner.id] + 1, f"{partner.name}: one reminder more")
        failed = job.line_ids.filtered(lambda line: line.state == "failed")
        self.assertEqual(failed.partner_id.name, "cct Remind 3")
        # a reminder sent again by hand is an email: without an address the reason says so
        self.assertIn("cct Remind 3 has no", failed.error)
        self.assertIn("cct Remind 3", job.summary)
