import copy
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from odoo import api, fields, models, modules
from odoo.tools import SQL

from ..render_cache import render_cache

_logger = logging.getLogger(__name__)


@dataclass
class Step:
    """What the run does to one invoice: the stage to apply now (or None) and the next one."""

    move_id: int
    target: object  # credit.collection.stage or None
    next_stage_id: int | bool
    next_date: object  # date or False
    trigger: str = "schedule"
    promise_id: int | None = None
    skipped: tuple = ()  # stages due but passed over by the catch-up (their hold and handover still apply)
    plan_id: int | None = None  # the broken payment plan this escalation settles


class CreditCollectionRun(models.AbstractModel):
    """The daily collection run: moves every open customer invoice to the stage now due."""

    _name = "credit.collection.run"
    _description = "Collection Run"

    # ------------------------------------------------------------------ entry point
    @api.model
    def _cron_collection_run(self, batch_size=200, max_batches=None, commit=True):
        """Process every company; per company, customers in batches of `batch_size`.

        Safe to stop at any point: a batch is one transaction, and what is done is recorded (the
        invoice's stage and a unique history row per invoice and stage), so a new run after a crash
        redoes only the customers of the batch that did not commit. `max_batches` stops early (tests);
        `commit=False` when called inside another transaction (demo data, a button)."""
        # Commit per batch (not in tests): a crash loses one batch only, and mails queued by a
        # committed batch are never queued again.
        testing = (
            modules.module.current_test
            or getattr(threading.current_thread(), "testing", False)
            or self.env.registry.in_test_mode()
        )
        auto_commit = commit and not testing
        today = fields.Date.context_today(self)
        companies = self.env["res.company"].sudo().search([])
        plans = []
        for company in companies:
            run = self.sudo().with_company(company)
            self.env["credit.collection.promise"].sudo()._collection_update_states(company, today)
            self.env["credit.payment.plan"].sudo()._collection_update_states(company, today)
            self.env["credit.collection.review.line"].sudo()._review_resume_postponed(company, today)
            plans.append((run, run._collection_plan(company, today)))
        remaining = sum(len(plan) for _run, plan in plans)
        done = batches = 0
        self.env["ir.cron"]._notify_progress(done=0, remaining=remaining)
        if auto_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        for run, plan in plans:
            partner_ids = list(plan)
            for start in range(0, len(partner_ids), batch_size):
                if max_batches is not None and batches >= max_batches:
                    return done
                chunk = partner_ids[start : start + batch_size]
                run._collection_process_batch({partner_id: plan[partner_id] for partner_id in chunk}, today)
                run._collection_render_letters(chunk, today)
                # memory flat in the number of customers: nothing of a finished batch stays cached
                self.env.flush_all()
                self.env.invalidate_all()
                done += len(chunk)
                remaining -= len(chunk)
                batches += 1
                self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
                if auto_commit:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
        return done

    # ------------------------------------------------------------------ planning
    def _collection_candidates_query(self, company, today, partner_ids=None):
        # Open posted customer invoices still chased (not disputed, not with legal, no failure today).
        return SQL(
            """
            SELECT m.id, m.commercial_partner_id, m.invoice_date_due, m.amount_residual_signed,
                   m.collection_stage_id, m.collection_next_stage_id, m.collection_next_date
              FROM account_move m
             WHERE m.company_id = %(company)s
               AND m.move_type = 'out_invoice'
               AND m.state = 'posted'
               AND m.amount_residual_signed > 0
               AND m.invoice_date_due IS NOT NULL
               AND NOT COALESCE(m.collection_dispute, FALSE)
               AND NOT COALESCE(m.collection_legal, FALSE)
               AND NOT COALESCE(m.collection_is_fee, FALSE)
               AND (m.collection_error_date IS NULL OR m.collection_error_date < %(today)s)
               AND %(partners)s
          ORDER BY m.commercial_partner_id, m.invoice_date_due, m.id
            """,
            company=company.id,
            today=today,
            partners=SQL("TRUE") if partner_ids is None else SQL("m.commercial_partner_id = ANY(%s)", partner_ids),
        )

    def _collection_plan(self, company, today, partner_ids=None):
        """{partner id: [Step]} for the customers with something to do (a stage to apply, or the
        next stage/date to update). A re-run with nothing to do reads and writes nothing else."""
        self.env.flush_all()
        self.env.cr.execute(self._collection_candidates_query(company, today, partner_ids))
        rows = self.env.cr.fetchall()
        if not rows:
            return {}
        Stage = self.env["credit.collection.stage"]
        all_stages = Stage.search([("company_id", "=", company.id)])
        offsets = {stage.id: stage.offset_days for stage in all_stages}
        partners = self.env["res.partner"].browse({row[1] for row in rows})
        strategies = {partner.id: partner._collection_strategy() for partner in partners}
        stage_lists = {
            strategy.id: [
                (s.offset_days, s.min_amount, s) for s in strategy.stage_ids.sorted(lambda s: (s.sequence, s.id))
            ]
            for strategy in set(strategies.values())
            if strategy
        }
        Promise = self.env["credit.collection.promise"]
        paused = dict(
            Promise.search_fetch(
                [("company_id", "=", company.id), ("state", "=", "open")], ["move_id", "deadline"]
            ).mapped(lambda p: (p.move_id.id, p.deadline))
        )
        escalate = dict(
            Promise.search_fetch(
                [("company_id", "=", company.id), ("state", "=", "broken"), ("escalated", "=", False)], ["move_id"]
            ).mapped(lambda p: (p.move_id.id, p.id))
        )
        # payment plans: a running plan pauses its invoices like an open promise, a broken one escalates them
        plan_paused, plan_escalate = self.env["credit.payment.plan"]._collection_run_moves(company)
        for move_id, until in plan_paused.items():
            paused[move_id] = max(until, paused.get(move_id) or until)
        replied = {
            partner.id: partner.collection_reply_pause_until
            for partner in partners.with_company(company)
            if partner.collection_reply_pause_until and partner.collection_reply_pause_until >= today
        }
        plan = defaultdict(list)
        for move_id, partner_id, due, residual, stage_id, next_stage_id, next_date in rows:
            strategy = strategies[partner_id]
            stages = stage_lists.get(strategy.id, [])
            current = offsets.get(stage_id)
            later = [item for item in stages if current is None or item[0] > current]
            days = (today - due).days
            target, trigger, skipped = None, "schedule", ()
            # a promise pauses its invoice, a reply to a reminder the whole customer
            pause = max(filter(None, (paused.get(move_id), replied.get(partner_id))), default=None)
            if pause and pause >= today:
                pass
            else:
                due_now = [item for item in later if item[0] <= days and residual >= item[1]]
                if due_now:
                    target = due_now[-1][2]
                    skipped = tuple(item[2] for item in due_now[:-1])
                if (move_id in escalate or move_id in plan_escalate) and later:
                    # a broken promise or plan: at least the next stage, now
                    trigger = "broken_promise" if move_id in escalate else "broken_plan"
                    if not target or target.offset_days < later[0][0]:
                        target, skipped = later[0][2], ()
            reached = target.offset_days if target else current
            after = [item for item in stages if reached is None or item[0] > reached]
            new_next, new_date = False, False
            if pause and pause >= today and after:
                # paused: the chase resumes the day after the deadline with the highest stage due then
                resume = pause + timedelta(days=1)
                due_then = [item for item in after if item[0] <= (resume - due).days and residual >= item[1]]
                item = due_then[-1] if due_then else after[0]
                new_next, new_date = item[2].id, max(resume, due + timedelta(days=item[0]))
            elif after:
                new_next, new_date = after[0][2].id, due + timedelta(days=after[0][0])
            if target or new_next != (next_stage_id or False) or new_date != (next_date or False):
                plan[partner_id].append(
                    Step(
                        move_id,
                        target,
                        new_next,
                        new_date,
                        trigger,
                        escalate.get(move_id) if target else None,
                        skipped,
                        plan_escalate.get(move_id) if target else None,
                    )
                )
        return dict(plan)

    @api.model
    def _collection_refresh(self, partners, company=None):
        """Recompute the next stage and date of these customers' invoices now (a promise, a dispute,
        a call or a snooze changes them), without applying any stage: a stage already due shows as
        the next action for today, and the nightly run applies it."""
        company = company or self.env.company
        partner_ids = partners.commercial_partner_id.ids
        if not partner_ids:
            return
        today = fields.Date.context_today(self)
        run = self.sudo().with_company(company)
        plan = run._collection_plan(company, today, partner_ids)
        steps = []
        for partner_steps in plan.values():
            for step in partner_steps:
                if step.target:
                    step.next_stage_id, step.next_date = step.target.id, today
                    step.target, step.skipped = None, ()
                steps.append(step)
        run._collection_write_steps(steps, today)

    # ------------------------------------------------------------------ applying
    def _collection_process_batch(self, plan, today):
        """Apply the steps of a batch of customers ({partner id: [Step]}) stage by stage, for all
        of them at once: one history create, batched emails, SMS and activities per stage, one
        write per distinct value of the invoices, one flush. A failure anywhere rolls the batch
        back and its customers are redone one by one (`_collection_process_partner`), so that one
        customer's failure (a template that cannot be rendered for it...) does not stop the others."""
        try:
            with self.env.cr.savepoint():
                # the steps are changed in place (review mode): the fallback needs them untouched
                self._collection_apply_batch({pid: [copy.copy(s) for s in steps] for pid, steps in plan.items()}, today)
                self.env.flush_all()
            return
        except Exception as error:
            self.env.invalidate_all()
            _logger.info("Collection run: batch of %s customers redone one by one: %s", len(plan), error)
        for partner_id, steps in plan.items():
            self._collection_process_partner(partner_id, steps, today)

    def _collection_apply_batch(self, plan, today):
        """The steps of these customers, each stage for all its customers at once, in the order of
        the stages (a customer reaching two stages the same day gets the lower one first)."""
        partners = self.env["res.partner"].browse(plan)
        by_stage, review = defaultdict(list), []
        for partner in partners:
            steps_by_stage = defaultdict(list)
            for step in plan[partner.id]:
                if step.target:
                    steps_by_stage[step.target].append(step)
            for stage, stage_steps in steps_by_stage.items():
                if stage.strategy_id.send_mode == "review":
                    review.append((stage, partner, stage_steps))
                else:
                    by_stage[stage].append((partner, stage_steps, None))
        # each stage's templates compiled once for the batch, not once per customer
        with render_cache():
            for stage, partner, stage_steps in sorted(review, key=lambda item: item[0].offset_days):
                self._collection_prepare_review(partner, stage, stage_steps, today)
            for stage in sorted(by_stage, key=lambda stage: (stage.offset_days, stage.id)):
                self._collection_apply_stage_batch(stage, by_stage[stage], today)
        self._collection_write_steps([step for steps in plan.values() for step in steps], today)

    def _collection_process_partner(self, partner_id, steps, today):
        """Apply the steps of one customer in a savepoint: one customer's failure (an email that
        cannot be rendered or has no address, a fee without product...) does not stop the others;
        it is logged on its invoices and shown on the collector's worklist, and retried tomorrow."""
        partner = self.env["res.partner"].browse(partner_id)
        Move = self.env["account.move"]
        try:
            with self.env.cr.savepoint():
                self._collection_apply_batch({partner.id: steps}, today)
                self.env.flush_all()
        except Exception as error:
            self.env.invalidate_all()
            _logger.warning("Collection run: customer %s failed: %s", partner_id, error)
            moves = Move.browse([step.move_id for step in steps if step.target])
            if moves:
                with self.env.cr.savepoint():
                    message = self.env._("Collection run failed: %(error)s", error=str(error))
                    moves.write({"collection_error": message[:250], "collection_error_date": today})
                    for move in moves:
                        move.message_post(body=message)
            return False
        return True

    def _collection_render_letters(self, partner_ids, today):
        """The PDFs of the letters this batch produced, in one report call; a rendering problem
        leaves the letters without PDF (printing renders them again), it does not undo the batch."""
        letters = self.env["credit.collection.letter"].search(
            [
                ("partner_id", "in", partner_ids),
                ("company_id", "=", self.env.company.id),
                ("date", "=", today),
                ("attachment_id", "=", False),
            ]
        )
        if not letters:
            return
        try:
            with self.env.cr.savepoint():
                letters._collection_attach_pdfs()
        except Exception as error:  # the letters stay printable without their stored PDF
            self.env.invalidate_all()
            _logger.warning("Collection run: letter PDFs not rendered: %s", error)

    def _collection_write_steps(self, steps, today):
        """Record where the invoices stand, one write per distinct value (account.move.write is
        costly: it re-checks the accounting of the moves it touches)."""
        groups = defaultdict(list)
        for step in steps:
            groups[(step.target.id if step.target else None, step.next_stage_id, step.next_date)].append(step.move_id)
        Move = self.env["account.move"]
        for (stage_id, next_stage_id, next_date), move_ids in groups.items():
            # collection fields only: no accounting to synchronise nor balance to re-check; none of
            # them is tracked nor changes a tracked field, so Odoo's tracking (which reads every
            # tracked field of every invoice before the write and compares them at commit) is skipped
            moves = Move.browse(move_ids).with_context(
                check_move_validity=False, skip_invoice_sync=True, mail_notrack=True
            )
            vals = {"collection_next_stage_id": next_stage_id, "collection_next_date": next_date}
            if stage_id:
                vals.update(collection_stage_id=stage_id, collection_stage_date=today)
            if any(moves.mapped("collection_error")):
                vals["collection_error"] = False
            moves.write(vals)
