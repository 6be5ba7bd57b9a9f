import logging
import threading

from odoo import api, fields, models, modules
from odoo.exceptions import AccessError, UserError

from .credit_collection_run import Step

_logger = logging.getLogger(__name__)


def _testing(env):
    return (
        modules.module.current_test
        or getattr(threading.current_thread(), "testing", False)
        or env.registry.in_test_mode()
    )


class CreditCollectionReviewBatch(models.Model):
    """The messages one daily run prepared for a company's strategies in review mode, waiting for
    the collector: one line per customer and stage."""

    _name = "credit.collection.review.batch"
    _description = "Collection Review Batch"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    date = fields.Date(required=True, readonly=True)
    line_ids = fields.One2many("credit.collection.review.line", "batch_id", string="Lines", readonly=True)
    to_review_count = fields.Integer(compute="_compute_counts", string="To Review")
    sent_count = fields.Integer(compute="_compute_counts", string="Sent")
    excluded_count = fields.Integer(compute="_compute_counts", string="Excluded")
    postponed_count = fields.Integer(compute="_compute_counts", string="Postponed")

    @api.depends("line_ids.state")
    def _compute_counts(self):
        for batch in self:
            states = batch.line_ids.mapped("state")
            batch.to_review_count = states.count("pending")
            batch.sent_count = states.count("sent")
            batch.excluded_count = states.count("excluded")
            batch.postponed_count = states.count("postponed")

    def action_open_lines(self):
        """The batch's lines, to edit, exclude, postpone or send some of them."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_collection.credit_collection_review_line_action")
        action.update(domain=[("batch_id", "=", self.id)], context={"search_default_to_review": 1})
        return action

    def action_send(self):
        """Send every line of the batch still to review (not the postponed ones)."""
        lines = self.line_ids.filtered(lambda line: line.state == "pending")
        if not lines:
            raise UserError(self.env._("Nothing to send: every line of this batch is sent, excluded or postponed."))
        return lines.action_send()


class CreditCollectionReviewLine(models.Model):
    """One customer and stage prepared by the run in review mode: its invoices, the channels, the
    email and SMS as they will go out (editable). The stage is recorded only when the line is sent
    or excluded."""

    _name = "credit.collection.review.line"
    _description = "Collection Review Line"
    _order = "batch_id desc, partner_id, stage_id, id"
    _check_company_auto = True
    _rec_name = "partner_id"

    # written only by the run and the buttons (as superuser after their checks)
    _PROTECTED = {
        "batch_id",
        "company_id",
        "partner_id",
        "stage_id",
        "move_ids",
        "channels",
        "run_data",
        "state",
        "sent_date",
        "done_uid",
        "error",
    }
    _STATES = ("pending", "postponed")

    batch_id = fields.Many2one(
        "credit.collection.review.batch", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, index=True)
    stage_id = fields.Many2one("credit.collection.stage", required=True, readonly=True, ondelete="restrict")
    move_ids = fields.Many2many("account.move", string="Invoices", readonly=True)
    amount = fields.Monetary(compute="_compute_amount", string="Amount Due", currency_field="currency_id")
    channels = fields.Char(readonly=True, help="How the stage reaches the customer when the line is sent.")
    email_subject = fields.Char()
    email_body = fields.Html(string="Email", sanitize_style=True)
    sms_body = fields.Text(string="SMS")
    run_data = fields.Json(readonly=True)  # per invoice: trigger, skipped stages, promise, plan
    state = fields.Selection(
        [("pending", "To Review"), ("postponed", "Postponed"), ("sent", "Sent"), ("excluded", "Excluded")],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    postpone_date = fields.Date(string="Postponed Until", help="The line comes back in the run's batch of that day.")
    exclude_reason = fields.Char(help="Why this customer is not reached at this stage (required to exclude).")
    sent_date = fields.Datetime(string="Done On", readonly=True)
    done_uid = fields.Many2one("res.users", string="Done By", readonly=True)
    error = fields.Char(readonly=True)

    @api.depends("move_ids.amount_residual_signed")
    def _compute_amount(self):
        for line in self:
            line.amount = sum(line.move_ids.mapped("amount_residual_signed"))

    # ------------------------------------------------------------------ protection
    def write(self, vals):
        if self.env.su:
            return super().write(vals)
        protected = self._PROTECTED & set(vals)
        if protected:
            raise AccessError(
                self.env._(
                    "%(fields)s of a review line change only through its buttons and the daily collection run.",
                    fields=", ".join(sorted(self._fields[name].string for name in protected)),
                )
            )
        self._check_collector()
        done = self.filtered(lambda line: line.state not in self._STATES)
        if done:
            raise UserError(
                self.env._(
                    "%(count)s line(s) are already sent or excluded (%(customers)s): they cannot change.",
                    count=len(done),
                    customers=", ".join(done.partner_id.mapped("display_name")),
                )
            )
        return super().write(vals)

    def _check_collector(self):
        if not self.env.user.has_group("credit_collection.group_credit_collector"):
            raise AccessError(self.env._("Only collectors review, send or exclude prepared collection messages."))

    def _check_open(self):
        self._check_collector()
        self.check_access("write")
        if not self:
            raise UserError(self.env._("Select the lines first."))
        done = self.filtered(lambda line: line.state not in self._STATES)
        if done:
            raise UserError(
                self.env._(
                    "%(count)s line(s) are already sent or excluded (%(customers)s): unselect them and try again.",
                    count=len(done),
                    customers=", ".join(done.partner_id.mapped("display_name")),
                )
            )

    @api.model
    def _review_resume_postponed(self, company, today):
        """Postponed lines whose date has come join the day's batch, to review again."""
        lines = self.search(
            [("company_id", "=", company.id), ("state", "=", "postponed"), ("postpone_date", "<=", today)]
        )
        if lines:
            batch = self.env["credit.collection.run"].with_company(company)._collection_review_batch(company, today)
            lines.write({"state": "pending", "batch_id": batch.id})

    # ------------------------------------------------------------------ buttons
    def action_postpone(self):
        """Keep the line aside until its date: it comes back in that day's batch (no new line is
        prepared for its invoices meanwhile)."""
        self._check_open()
        today = fields.Date.context_today(self)
        missing = self.filtered(lambda line: not line.postpone_date or line.postpone_date <= today)
        if missing:
            raise UserError(
                self.env._(
                    "Set a Postponed Until date after today (%(today)s) on: %(customers)s.",
                    today=today,
                    customers=", ".join(missing.partner_id.mapped("display_name")),
                )
            )
        self.sudo().write({"state": "postponed", "done_uid": self.env.uid})
        return True

    def action_exclude(self):
        """Do not reach the customer at this stage: the stage is recorded on its invoices (history
        'excluded: reason'), without message, hold, activity, handover or fee."""
        self._check_open()
        missing = self.filtered(lambda line: not (line.exclude_reason or "").strip())
        if missing:
            raise UserError(
                self.env._(
                    "Write the reason for excluding %(customers)s, then exclude again.",
                    customers=", ".join(missing.partner_id.mapped("display_name")),
                )
            )
        for line in self.sudo():
            run = self.env["credit.collection.run"].sudo().with_company(line.company_id)
            today = fields.Date.context_today(self)
            moves = line._review_open_moves()
            data = line.run_data or {}
            self.env["credit.collection.history"].sudo().create(
                [
                    {
                        "move_id": move.id,
                        "stage_id": line.stage_id.id,
                        "date": today,
                        "trigger": (data.get(str(move.id)) or {}).get("trigger", "schedule"),
                        "actions": self.env._("excluded: %(reason)s", reason=line.exclude_reason)[:250],
                    }
                    for move in moves
                ]
            )
            line._review_record_stage(run, moves, today)
            line.write({"state": "excluded", "sent_date": fields.Datetime.now(), "done_uid": self.env.uid})
        return True

    def action_send(self, max_lines=None):
        """Send the selected lines: each line's message(s) and the stage's other actions in one
        transaction with the line marked sent (committed line by line outside tests), so a crash
        mid-send loses at most the line being sent and pressing Send again sends nothing twice.
        `max_lines` stops early (tests: a crash after that many lines)."""
        self._check_open()
        auto_commit = not _testing(self.env)
        uid = self.env.uid
        for index, line in enumerate(self.sudo()):
            if max_lines is not None and index >= max_lines:
                break
            if line.state not in self._STATES:  # sent by another click meanwhile
                continue
            line._review_send_one(uid)
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return True

    # ------------------------------------------------------------------ internals
    def _review_open_moves(self):
        """The line's invoices still chased and still below its stage (a payment, dispute, legal
        handover or manual stage since the run takes an invoice out)."""
        self.ensure_one()
        offset = self.stage_id.offset_days
        done = set(
            self.env["credit.collection.history"]
            .sudo()
            .search([("move_id", "in", self.move_ids.ids), ("stage_id", "=", self.stage_id.id)])
            .mapped("move_id")
            .ids
        )
        return self.move_ids.filtered(
            lambda m: (
                m.state == "posted"
                and m.amount_residual_signed > 0
                and not m.collection_dispute
                and not m.collection_legal
                and m.id not in done
                and (not m.collection_stage_id or m.collection_stage_id.offset_days < offset)
            )
        )

    def _review_record_stage(self, run, moves, today):
        if moves:
            vals = {"collection_stage_id": self.stage_id.id, "collection_stage_date": today}
            if any(moves.mapped("collection_error")):
                vals["collection_error"] = False
            moves.write(vals)
        # the next stage and its date, as the run would compute them now
        run._collection_refresh(self.partner_id, self.company_id)

    def _review_send_one(self, uid):
        self.ensure_one()
        run = self.env["credit.collection.run"].sudo().with_company(self.company_id)
        today = fields.Date.context_today(self)
        moves = self._review_open_moves()
        try:
            with self.env.cr.savepoint():
                if moves:
                    data = self.run_data or {}
                    Stage = self.env["credit.collection.stage"]
                    steps = []
                    for move in moves:
                        item = data.get(str(move.id)) or {}
                        steps.append(
                            Step(
                                move.id,
                                self.stage_id,
                                False,
                                False,
                                item.get("trigger", "schedule"),
                                item.get("promise_id"),
                                tuple(Stage.browse(item.get("skipped") or []).exists()),
                                item.get("plan_id"),
                            )
                        )
                    # the reviewed texts list the line's invoices: rendered again when some left
                    prepared = None
                    if moves == self.move_ids:
                        prepared = {"subject": self.email_subject, "body_html": self.email_body, "sms": self.sms_body}
                    run._collection_apply_stage(self.partner_id, self.stage_id, steps, today, prepared=prepared)
                self._review_record_stage(run, moves, today)
                self.write(
                    {
                        "state": "sent" if moves else "excluded",
                        "exclude_reason": self.exclude_reason
                        if moves
                        else self.env._("No invoice left to chase at this stage (paid, disputed or moved on)."),
                        "sent_date": fields.Datetime.now(),
                        "done_uid": uid,
                        "error": False,
                    }
                )
                self.env.flush_all()
        except Exception as error:
            # like the run: this line is rolled back and says why; the others go on
            self.env.invalidate_all()
            _logger.warning("Collection review: line %s failed: %s", self.id, error)
            self.write({"error": str(error)[:250]})
            return False
        return True
