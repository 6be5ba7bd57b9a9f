"""Mass actions over many customers, run in the background in batches.

Rendering and emailing a statement takes about a second per customer: a month-end send to a few
hundred customers inside one web request is killed by the server's time limit half-way, and a
retry by the user would mail the first half twice. So a mass action only records what to do (one
line per customer, "pending") and returns; the cron ``ir_cron_credit_collection_job`` does the
work in batches:

- each customer in its own savepoint, and its line marked "sent" (or "failed", with the reason)
  in the same transaction as the message it posts; the email itself leaves through Odoo's mail
  queue, after that transaction commits. A crash (worker killed, server restarted) loses at most
  the uncommitted customer, whose line is still pending: the next run sends it once, and never
  again the ones already marked;
- progress through Odoo's cron progress API (``ir.cron._notify_progress``): the runner calls the
  method again while work remains, and the job's form shows sent / failed / pending;
- when every line is done, the requester gets the summary (what was sent, what failed and why)
  in the job's chatter and as an activity.
"""

import logging
import threading

from odoo import api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

# Customers processed per call of the cron: each commit saves at most this much work, and the
# runner calls again while lines remain.
BATCH_SIZE = 20
# Up to this many customers a mass action runs in the request (the user sees the result at once);
# more go to the background.
IN_REQUEST_MAX = 5


class CreditCollectionJob(models.Model):
    _name = "credit.collection.job"
    _description = "Background Mass Action"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(required=True, readonly=True)
    job_type = fields.Selection(
        [
            ("statement", "Customer statements (period)"),
            ("collection_statement", "Customer statements (collection period)"),
            ("reminder", "Reminders (current collection stage)"),
        ],
        string="Action",
        required=True,
        readonly=True,
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, default=lambda self: self.env.company)
    user_id = fields.Many2one(
        "res.users", string="Requested By", required=True, readonly=True, default=lambda self: self.env.user
    )
    date_from = fields.Date(readonly=True)
    date_to = fields.Date(readonly=True)
    bucket_set_id = fields.Many2one("credit.aging.bucket.set", readonly=True)
    state = fields.Selection(
        [("running", "Running"), ("done", "Done")], default="running", required=True, readonly=True, tracking=True
    )
    line_ids = fields.One2many("credit.collection.job.line", "job_id", string="Customers", readonly=True)
    total_count = fields.Integer(string="Total", compute="_compute_counts")
    sent_count = fields.Integer(string="Sent", compute="_compute_counts")
    failed_count = fields.Integer(string="Failed", compute="_compute_counts")
    pending_count = fields.Integer(string="Pending", compute="_compute_counts")
    progress = fields.Float(string="Progress (%)", compute="_compute_counts", digits=(16, 0))
    summary = fields.Text(readonly=True)

    @api.depends("line_ids.state")
    def _compute_counts(self):
        counts = {
            (job.id, state): count
            for job, state, count in self.env["credit.collection.job.line"]._read_group(
                [("job_id", "in", self.ids)], ["job_id", "state"], ["__count"]
            )
        }
        for job in self:
            sent = counts.get((job.id, "sent"), 0)
            failed = counts.get((job.id, "failed"), 0)
            pending = counts.get((job.id, "pending"), 0)
            total = sent + failed + pending
            job.update(
                {
                    "total_count": total,
                    "sent_count": sent,
                    "failed_count": failed,
                    "pending_count": pending,
                    "progress": (sent + failed) * 100.0 / total if total else 100.0,
                }
            )

    # ------------------------------------------------------------------ queueing
    @api.model
    def _queue(self, job_type, partners, **vals):
        """Record a mass action over `partners` for the background and wake the cron up. The caller
        has checked the user's right to do it; the job runs as that user."""
        labels = dict(self._fields["job_type"]._description_selection(self.env))
        job = self.sudo().create(
            {
                "name": self.env._("%(action)s: %(count)s customers", action=labels[job_type], count=len(partners)),
                "job_type": job_type,
                "company_id": self.env.company.id,
                "user_id": self.env.user.id,
                "line_ids": [fields.Command.create({"partner_id": pid}) for pid in partners.ids],
                **vals,
            }
        )
        self.env.ref("credit_collection.ir_cron_credit_collection_job").sudo()._trigger()
        return job

    @api.model
    def _queued_notification(self, job):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "sticky": False,
                "message": self.env._(
                    "%(action)s for %(count)s customers: sent in the background; you will get an activity "
                    "with what was sent and what failed (Collections › Background Jobs).",
                    action=dict(job._fields["job_type"]._description_selection(self.env))[job.job_type],
                    count=job.total_count,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ------------------------------------------------------------------ processing
    @api.model
    def _cron_process(self, batch_size=BATCH_SIZE, commit=None):
        """Process one batch of pending lines (oldest job first); called again by the cron runner
        while lines remain (progress API). `commit`: commit after each customer (default: unless
        testing; the benchmark measures inside a transaction it rolls back)."""
        Line = self.env["credit.collection.job.line"].sudo()
        pending = Line.search([("state", "=", "pending"), ("job_id.state", "=", "running")], order="job_id, id")
        done_before = Line.search_count([("state", "!=", "pending"), ("job_id.state", "=", "running")])
        cron = self.env["ir.cron"]
        cron._notify_progress(done=done_before, remaining=len(pending))
        # a commit per customer makes its "sent" mark and its message durable together; not in tests
        auto_commit = not getattr(threading.current_thread(), "testing", False) if commit is None else commit
        done = done_before
        for line in pending[:batch_size]:
            line._process()
            done += 1
            if auto_commit:
                cron._notify_progress(done=done, remaining=len(pending) - (done - done_before))
                self.env.cr.commit()  # pylint: disable=invalid-commit
        self.sudo().search([("state", "=", "running")])._finish_if_done()
        remaining = len(pending) - (done - done_before)
        cron._notify_progress(done=done, remaining=remaining)
        return remaining

    def _run_line(self, partner):
        """The action of this job for one customer; returns the message posted. Extend for new types."""
        self.ensure_one()
        # sent through the mail queue: the email leaves only once the line's transaction commits
        partner = partner.with_context(mail_notify_force_send=False)
        if self.job_type == "statement":
            wizard = self.env["credit.statement.wizard"].create(
                {"date_from": self.date_from, "date_to": self.date_to, "bucket_set_id": self.bucket_set_id.id}
            )
            return wizard._send_one(partner)
        if self.job_type == "collection_statement":
            return partner._collection_send_statement()
        if self.job_type == "reminder":
            return self._send_reminder(partner)
        raise UserError(self.env._("Unknown background action %(type)s.", type=self.job_type))

    def _send_reminder(self, partner):
        """The email of the customer's current collection stage again, for its undisputed open
        invoices at that stage (what the daily run sent when they reached it)."""
        moves = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", partner.id),
                ("company_id", "=", self.company_id.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("amount_residual", ">", 0),
                ("collection_dispute", "=", False),
                ("collection_stage_id", "!=", False),
            ]
        )
        if not moves:
            raise UserError(
                self.env._(
                    "%(customer)s has no undisputed invoice at a collection stage: no reminder to send.",
                    customer=partner.display_name,
                )
            )
        stage = max(moves.collection_stage_id, key=lambda st: (st.offset_days, st.sequence))
        if not stage.mail_template_id:
            raise UserError(
                self.env._(
                    "Stage %(stage)s of %(customer)s sends no email: nothing to remind.",
                    stage=stage.name,
                    customer=partner.display_name,
                )
            )
        if not partner.email:
            # the run replaces the email by the stage's fallback (letter, call); a reminder sent
            # again by hand is an email only, so the collector learns the address is missing
            raise UserError(
                self.env._(
                    "%(customer)s has no email address: no reminder sent. Add the address on the customer, "
                    "or see the letters and calls its collection stage produced.",
                    customer=partner.display_name,
                )
            )
        moves = moves.filtered(lambda move: move.collection_stage_id == stage)
        # the daily run's own email (queued, in the chatter); collectors may not edit customers,
        # which posting on one requires: the worklist that queued this is collectors-only
        return self.env["credit.collection.run"].sudo()._collection_send_email(partner.sudo(), stage, moves.sudo())

    def _finish_if_done(self):
        for job in self:
            if job.pending_count:
                continue
            failed = job.line_ids.filtered(lambda line: line.state == "failed")
            lines = [
                self.env._(
                    "%(sent)s of %(total)s customers sent, %(failed)s failed.",
                    sent=job.sent_count,
                    total=job.total_count,
                    failed=job.failed_count,
                )
            ]
            lines += [f"- {line.partner_id.display_name}: {line.error}" for line in failed]
            summary = "\n".join(lines)
            job.write({"state": "done", "summary": summary})
            job.message_post(body=summary, subtype_xmlid="mail.mt_note")
            job.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=job.user_id.id,
                summary=self.env._("%(job)s: done", job=job.name),
                note=summary.replace("\n", "<br/>"),
            )


class CreditCollectionJobLine(models.Model):
    _name = "credit.collection.job.line"
    _description = "Background Mass Action: Customer"
    _order = "job_id, id"

    job_id = fields.Many2one("credit.collection.job", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="job_id.company_id", store=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True)
    state = fields.Selection(
        [("pending", "Pending"), ("sent", "Sent"), ("failed", "Failed")],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    error = fields.Char(readonly=True)
    message_id = fields.Many2one("mail.message", readonly=True)
    processed_at = fields.Datetime(readonly=True)

    def _process(self):
        """Do this line's action as the requester, in the job's company, in its own savepoint."""
        self.ensure_one()
        job = self.job_id
        env = self.env(user=job.user_id.id, context={**self.env.context, "allowed_company_ids": job.company_id.ids})
        try:
            with self.env.cr.savepoint():
                message = job.with_env(env)._run_line(self.partner_id.with_env(env))
                self.write({"state": "sent", "message_id": message.id, "processed_at": fields.Datetime.now()})
        except (UserError, ValueError) as error:  # refused with a reason (no email address, ...)
            self.write({"state": "failed", "error": str(error), "processed_at": fields.Datetime.now()})
        except Exception as error:  # one customer's failure must not stop the others
            _logger.exception("Background job %s: customer %s failed", job.id, self.partner_id.id)
            self.write(
                {
                    "state": "failed",
                    "error": self.env._("Unexpected error: %(error)s", error=error),
                    "processed_at": fields.Datetime.now(),
                }
            )
