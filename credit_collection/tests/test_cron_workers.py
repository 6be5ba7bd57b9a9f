"""The daily runs with several cron workers (or several Odoo servers on one database).

Odoo 18 gives a ready job to one worker only: ``ir.cron._acquire_one_job`` locks the job's row
(``FOR NO KEY UPDATE SKIP LOCKED``) for as long as the worker runs it, and another worker skips a
locked row. A worker killed mid-run loses its connection, hence the lock; the job, still due (its
next call is only moved when a run ends), is taken by the next worker, which resumes where the
committed batches stopped.
"""

from freezegun import freeze_time

from odoo.tests import TransactionCase, tagged

from .collection_common import CollectionCommon, day
from .common import RealTransactions

DAILY_RUNS = ("credit_collection.ir_cron_credit_collection_run", "credit_collection.ir_cron_credit_warnings")


@tagged("post_install", "-at_install")
class TestCronLockAcrossWorkers(RealTransactions, TransactionCase):
    """Real connections, as two cron workers have: the test commits the jobs' schedule and puts it back."""

    def setUp(self):
        super().setUp()
        with self._committed_env() as env:
            # every cron of the addon (those added later included), at least the two daily runs
            data = env["ir.model.data"].search([("module", "=", "credit_collection"), ("model", "=", "ir.cron")])
            self.jobs = env["ir.cron"].browse(data.mapped("res_id"))
            self.assertLessEqual({env.ref(xmlid).id for xmlid in DAILY_RUNS}, set(self.jobs.ids))
            self.saved = {job.id: (job.active, job.nextcall) for job in self.jobs}
            self.job_ids = [job.id for job in self.jobs]
            # due now, on every worker
            env.cr.execute(
                "UPDATE ir_cron SET active = true, nextcall = (now() at time zone 'UTC') - interval '1 minute'"
                " WHERE id = ANY(%s)",
                [self.job_ids],
            )

    def tearDown(self):
        with self._cursor() as cr:
            for job_id, (active, nextcall) in self.saved.items():
                cr.execute("UPDATE ir_cron SET active = %s, nextcall = %s WHERE id = %s", [active, nextcall, job_id])
            cr.commit()  # pylint: disable=invalid-commit
        super().tearDown()

    def test_one_worker_per_job_and_a_killed_worker_is_taken_over(self):
        IrCron = self.registry["ir.cron"]
        for job_id in self.job_ids:
            worker1, worker2 = self._cursor(), self._cursor()
            try:
                job = IrCron._acquire_one_job(worker1, job_id)
                self.assertEqual(job and job["id"], job_id, "the first worker takes the job")
                self.assertIsNone(IrCron._acquire_one_job(worker2, job_id), "the second worker skips it")
                worker2.rollback()
                # the first worker is killed mid-run: its connection, and the lock, are gone
                worker1.close()
                job = IrCron._acquire_one_job(worker2, job_id)
                self.assertEqual(job and job["id"], job_id, "another worker takes the run over")
                worker3 = self._cursor()
                try:
                    self.assertIsNone(IrCron._acquire_one_job(worker3, job_id), "and only one")
                finally:
                    worker3.close()
            finally:
                worker1.close()
                worker2.close()


@tagged("post_install", "-at_install")
class TestRunResumedByAnotherWorker(CollectionCommon):
    """The collection run killed after its first committed batch (the crash-resume approach of
    test_collection_run.py), resumed by another worker through Odoo's cron progress."""

    def test_killed_run_resumes_without_doing_anything_twice(self):
        moves = [self._due_invoice(1000.0, partner=p) for p in (self.customer, self.customer2, self.customer3)]
        cron = self.env.ref("credit_collection.ir_cron_credit_collection_run")
        # worker A: one batch of one customer committed, then killed
        cron_a, progress_a = cron._add_progress()
        with freeze_time(day(65)):
            cron_a.env["credit.collection.run"]._cron_collection_run(batch_size=1, max_batches=1)
        # (the demo's customers of other companies are due too: only the counts' sum is known)
        self.assertEqual(progress_a.done, 1)
        self.assertGreaterEqual(progress_a.remaining, 2)
        # done and remaining both set: Odoo counts it "partially done" and leaves the job due
        # (_reschedule_asap), so the next free worker takes it
        staged = [m for m in moves if m.collection_stage_id]
        history_before = self._history(self.env["account.move"].concat(*staged))
        # worker B
        cron_b, progress_b = cron._add_progress()
        with freeze_time(day(65)):
            cron_b.env["credit.collection.run"]._cron_collection_run(batch_size=1)
        self.assertEqual(
            (progress_b.done, progress_b.remaining), (progress_a.remaining, 0), "the customers left, not the first"
        )
        for move in moves:
            self.assertEqual(move.collection_stage_id, self.stages["Final notice"], move.partner_id.name)
            self.assertEqual(len(self._history(move)), 1, f"{move.partner_id.name}: one history row")
            self.assertEqual(len(self._mails(move.partner_id)), 1, f"{move.partner_id.name}: one email")
        self.assertEqual(
            self._history(self.env["account.move"].concat(*staged)), history_before, "worker A's customers not redone"
        )
