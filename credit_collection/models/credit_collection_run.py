import base64
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models, modules
from odoo.tools import SQL, format_date

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
                for partner_id in chunk:
                    run._collection_process_partner(partner_id, plan[partner_id], today)
                run._collection_render_letters(chunk, today)
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
    def _collection_process_partner(self, partner_id, steps, today):
        """Apply the steps of one customer in a savepoint: one customer's failure (an email that
        cannot be rendered or has no address, a fee without product...) does not stop the others;
        it is logged on its invoices and shown on the collector's worklist, and retried tomorrow."""
        partner = self.env["res.partner"].browse(partner_id)
        Move = self.env["account.move"]
        try:
            with self.env.cr.savepoint():
                by_stage = defaultdict(list)
                for step in steps:
                    if step.target:
                        by_stage[step.target].append(step)
                for stage, stage_steps in sorted(by_stage.items(), key=lambda item: item[0].offset_days):
                    if stage.strategy_id.send_mode == "review":
                        self._collection_prepare_review(partner, stage, stage_steps, today)
                    else:
                        self._collection_apply_stage(partner, stage, stage_steps, today)
                self._collection_write_steps(steps, today)
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
            moves = Move.browse(move_ids)
            vals = {"collection_next_stage_id": next_stage_id, "collection_next_date": next_date}
            if stage_id:
                vals.update(collection_stage_id=stage_id, collection_stage_date=today)
            if any(moves.mapped("collection_error")):
                vals["collection_error"] = False
            moves.write(vals)

    # ------------------------------------------------------------------ review before sending
    def _collection_review_batch(self, company, today):
        """The company's review batch of the day (one per run and company)."""
        Batch = self.env["credit.collection.review.batch"].sudo()
        batch = Batch.search([("company_id", "=", company.id), ("date", "=", today)], limit=1)
        return batch or Batch.create(
            {
                "name": self.env._("Collection review %(date)s", date=format_date(self.env, today)),
                "company_id": company.id,
                "date": today,
            }
        )

    def _collection_prepare_review(self, partner, stage, steps, today):
        """Review mode: instead of reaching the customer, prepare one line (its invoices, the
        channels, the email and SMS as they would go out) for the collector. Nothing of the stage is
        recorded yet: the stage shows as due today until the line is sent or excluded. An invoice
        already on a line waiting for review (or postponed) gets no second line."""
        Line = self.env["credit.collection.review.line"].sudo()
        company = self.env["account.move"].browse(steps[0].move_id).company_id
        waiting = set(
            Line.search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("state", "in", ("pending", "postponed")),
                ]
            ).move_ids.ids
        )
        new_steps = [step for step in steps if step.move_id not in waiting]
        for step in steps:
            # what the worklist shows meanwhile: this stage, due today
            step.next_stage_id, step.next_date, step.target = stage.id, today, None
        if not new_steps:
            return
        moves = (
            self.env["account.move"]
            .browse([step.move_id for step in new_steps])
            .sorted(lambda m: (m.invoice_date_due, m.id))
        )
        sends = company._collection_sends_reminders()
        channels, vals = [], {}
        if sends and stage.mail_template_id:
            if partner.email:
                rendered = self._collection_render(
                    stage.mail_template_id, partner, stage, moves, ("subject", "body_html")
                )
                vals.update(email_subject=rendered["subject"], email_body=rendered["body_html"])
                channels.append(self.env._("email"))
            else:
                channels.append(self._collection_fallback_label("email", stage.email_fallback))
        if sends and stage.sms_template_id:
            if partner.mobile or partner.phone:
                extra = {"payment_url": self._collection_payment_url(moves)}
                vals["sms_body"] = self._collection_render(
                    stage.sms_template_id, partner, stage, moves, ("body",), extra
                )["body"]
                channels.append(self.env._("SMS"))
            else:
                channels.append(self._collection_fallback_label("sms", stage.sms_fallback))
        if sends and stage.letter_template_id:
            channels.append(self.env._("letter"))
        if stage.phone_call:
            channels.append(self.env._("call"))
        Line.create(
            {
                "batch_id": self._collection_review_batch(company, today).id,
                "company_id": company.id,
                "partner_id": partner.id,
                "stage_id": stage.id,
                "move_ids": moves.ids,
                "channels": ", ".join(channels),
                "run_data": {
                    str(step.move_id): {
                        "trigger": step.trigger,
                        "skipped": [s.id for s in step.skipped],
                        "promise_id": step.promise_id,
                        "plan_id": step.plan_id,
                    }
                    for step in new_steps
                },
                **vals,
            }
        )

    def _collection_apply_stage(self, partner, stage, steps, today, prepared=None):
        moves = (
            self.env["account.move"]
            .browse([step.move_id for step in steps])
            .sorted(lambda m: (m.invoice_date_due, m.id))
        )
        triggers = {step.move_id: step.trigger for step in steps}
        History = self.env["credit.collection.history"]
        # The guard first: a unique row per invoice and stage (an IntegrityError here means the stage
        # was applied by a concurrent run: the savepoint drops this customer's work).
        histories = History.create(
            [{"move_id": move.id, "stage_id": stage.id, "date": today, "trigger": triggers[move.id]} for move in moves]
        )
        actions, vals = [], {}
        self._collection_reach(partner, stage, moves, today, actions, vals, prepared)
        if stage.activity_type_id:
            activity = self._collection_schedule_activity(partner, stage, moves, today)
            if activity:
                vals["activity_id"] = activity.id
                actions.append(self.env._("activity for %(user)s", user=activity.user_id.name))
        # catch-up: the stages passed over send no email, but their stop supply and handover hold
        skipped = {stage_ for step in steps for stage_ in step.skipped}
        hold_stage = stage if stage.credit_hold else next((s for s in skipped if s.credit_hold), None)
        if hold_stage and not partner.credit_hold:
            company = moves.company_id
            # the hold reason is read by the company's staff: in the company's language
            env_company_lang = self.with_context(lang=company.partner_id.lang or self.env.lang).env
            partner.write(
                {
                    "credit_hold": True,
                    "credit_hold_reason": env_company_lang._(
                        "Collection stage %(stage)s: %(moves)s overdue",
                        stage=hold_stage.with_env(env_company_lang).name,
                        moves=", ".join(moves.mapped("name")),
                    )[:250],
                }
            )
            actions.append(self.env._("credit hold"))
        legal_stages = {
            step.move_id: (stage if stage.legal_handover else next((s for s in step.skipped if s.legal_handover), None))
            for step in steps
        }
        for legal_stage in {s for s in legal_stages.values() if s}:
            moves.filtered(lambda m, ls=legal_stage: legal_stages[m.id] == ls).write(
                {
                    "collection_legal": True,
                    "collection_legal_date": today,
                    "collection_legal_partner_id": legal_stage.legal_partner_id.id,
                }
            )
        if any(legal_stages.values()):
            actions.append(self.env._("legal handover"))
        histories.write({"actions": ", ".join(actions), **vals})
        if stage.fee_type != "none":
            moves._collection_charge_late_fee(stage, today)
            for history in histories:
                history.actions = ", ".join(filter(None, [history.actions, self.env._("late fee")]))
        promise_ids = [step.promise_id for step in steps if step.promise_id]
        if promise_ids:
            self.env["credit.collection.promise"].browse(promise_ids).write({"escalated": True})
        plan_ids = {step.plan_id for step in steps if step.plan_id}
        if plan_ids:
            self.env["credit.payment.plan"].browse(plan_ids).write({"escalated": True})

    # ------------------------------------------------------------------ channels
    def _collection_reach(self, partner, stage, moves, today, actions, vals, prepared=None):
        """Reach the customer through each channel of the stage. A channel the customer cannot
        receive (no email address, no mobile or phone number) is a data problem, not a transient
        failure: the stage's fallback replaces it, the history row says so (the worklist shows it)
        and the stage goes on (its activity, hold, handover and fee apply the same day).
        `prepared`: the email subject/body and SMS text a collector reviewed (review mode)."""
        prepared = prepared or {}
        letter_reason = call_reason = None
        # beside Odoo Enterprise's follow-ups the company may leave its reminders (email, SMS,
        # letter) to them; the collector's call, like the stage's other actions, happens either way
        sends = moves.company_id._collection_sends_reminders()
        if sends and stage.mail_template_id:
            if partner.email:
                vals["mail_message_id"] = self._collection_send_email(partner, stage, moves, prepared).id
                actions.append(self.env._("email"))
            else:
                vals["no_email"] = True
                if stage.email_fallback == "letter":
                    letter_reason = "no_email"
                elif stage.email_fallback == "call":
                    call_reason = "no_email"
                actions.append(self._collection_fallback_label("email", stage.email_fallback))
        if sends and stage.sms_template_id:
            if partner.mobile or partner.phone:
                vals["sms_message_id"] = self._collection_send_sms(partner, stage, moves, prepared.get("sms")).id
                actions.append(self.env._("SMS"))
            else:
                vals["no_mobile"] = True
                if stage.sms_fallback == "letter":
                    letter_reason = letter_reason or "no_mobile"
                elif stage.sms_fallback == "call":
                    call_reason = call_reason or "no_mobile"
                actions.append(self._collection_fallback_label("sms", stage.sms_fallback))
        if (sends and stage.letter_template_id) or letter_reason:
            reason = "letter" if stage.letter_template_id else letter_reason
            letter = self._collection_make_letter(partner, stage, moves, today, reason)
            vals["letter_id"] = letter.id
            actions.append(self.env._("letter"))
        if stage.phone_call or call_reason:
            call = self._collection_schedule_call(partner, stage, moves, today, call_reason)
            if call:
                vals["call_activity_id"] = call.id
                actions.append(self.env._("call for %(user)s", user=call.user_id.name))

    def _collection_fallback_label(self, channel, fallback):
        if channel == "email":
            labels = {
                "letter": self.env._("no email: letter instead"),
                "call": self.env._("no email: call instead"),
                "none": self.env._("no email: not reached"),
            }
        else:
            labels = {
                "letter": self.env._("no mobile: letter instead"),
                "call": self.env._("no mobile: call instead"),
                "none": self.env._("no mobile: not reached"),
            }
        return labels[fallback]

    def _collection_render(self, template, partner, stage, moves, fnames, extra=None):
        """Render `fnames` of a res.partner template for this customer, in its language, with the
        invoices reaching the stage, the stage, the company and the total due (+ `extra`)."""
        company = moves.company_id
        total = sum(moves.mapped("amount_residual_signed"))
        context = {
            "invoices": moves,
            "stage": stage,
            "company": company,
            "total": company.currency_id.format(total),
            "total_amount": total,
            **(extra or {}),
        }
        lang = template._render_lang([partner.id])[partner.id]
        template = template.with_context(lang=lang)
        return {
            fname: template._render_field(
                fname, [partner.id], add_context=context, engine="qweb" if fname == "body_html" else "inline_template"
            )[partner.id]
            for fname in fnames
        }

    def _collection_payment_url(self, moves):
        """The customer's link to its oldest invoice online (Odoo's invoice portal, where it can pay
        when a payment provider is set up)."""
        move = moves[:1]
        if not move:
            return ""
        return move.get_base_url() + move.get_portal_url()

    def _collection_send_email(self, partner, stage, moves, prepared=None):
        """One email to the customer for all its invoices reaching `stage`, queued in Odoo's mail
        queue (never sent inside the run) and kept in the customer's chatter."""
        if prepared and prepared.get("body_html"):
            rendered = {"subject": prepared.get("subject") or "", "body_html": prepared["body_html"]}
        else:
            rendered = self._collection_render(stage.mail_template_id, partner, stage, moves, ("subject", "body_html"))
        attachment_ids = []
        if stage.attach_invoices:
            attachment_ids = self._collection_invoice_attachments(moves).ids
        company = moves.company_id
        return partner.with_context(mail_notify_force_send=False, mail_post_autofollow=False).message_post(
            body=rendered["body_html"],
            subject=rendered["subject"],
            author_id=company.partner_id.id,
            email_from=company.email_formatted or None,
            partner_ids=partner.ids,
            attachment_ids=attachment_ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            email_layout_xmlid="mail.mail_notification_light",
        )

    def _collection_send_sms(self, partner, stage, moves, body=None):
        """One SMS to the customer (its mobile, else its phone), queued in Odoo's SMS queue (sent by
        Odoo's SMS cron, never inside the run) and kept in the customer's chatter."""
        if not body:
            extra = {"payment_url": self._collection_payment_url(moves)}
            body = self._collection_render(stage.sms_template_id, partner, stage, moves, ("body",), extra)["body"]
        return partner.with_context(mail_post_autofollow=False)._message_sms(
            body,
            partner_ids=partner.ids,
            author_id=moves.company_id.partner_id.id,
            put_in_queue=True,
        )

    def _collection_make_letter(self, partner, stage, moves, today, reason):
        """A letter to print (its PDF is rendered for the whole batch at its end), logged in the
        customer's chatter without notifying anyone."""
        template = stage.letter_template_id or stage.mail_template_id
        body = self._collection_render(template, partner, stage, moves, ("body_html",))["body_html"]
        letter_name = self.env._(
            "%(stage)s - %(customer)s - %(date)s",
            stage=stage.name,
            customer=partner.name,
            date=format_date(self.env, today),
        )
        message = partner._message_log(
            body=Markup("<p><b>%s</b></p>") % self.env._("Letter to print: %(name)s", name=letter_name) + body,
            author_id=moves.company_id.partner_id.id,
        )
        return self.env["credit.collection.letter"].create(
            {
                "name": letter_name,
                "partner_id": partner.id,
                "company_id": moves.company_id.id,
                "stage_id": stage.id,
                "move_ids": moves.ids,
                "date": today,
                "amount": sum(moves.mapped("amount_residual_signed")),
                "body": body,
                "reason": reason,
                "message_id": message.id,
            }
        )

    def _collection_schedule_call(self, partner, stage, moves, today, reason=None):
        """A call activity for the customer's collector (else the stage's person): the call script,
        the number to call and the figures (each invoice and the total due)."""
        # the collector calls; without one, the stage's person (Assign to)
        user = partner.credit_collector_id or self._collection_activity_user(partner, stage)
        if not user:
            return self.env["mail.activity"]
        currency = moves.company_id.currency_id
        items = Markup("").join(
            Markup("<li>%s: %s, due %s</li>")
            % (move.name, currency.format(move.amount_residual_signed), format_date(self.env, move.invoice_date_due))
            for move in moves
        )
        lines = Markup("")
        if reason == "no_email":
            lines += Markup("<p>%s</p>") % self.env._("No email address: call instead of the email, and ask for one.")
        elif reason == "no_mobile":
            lines += Markup("<p>%s</p>") % self.env._("No mobile number: call instead of the SMS, and ask for one.")
        lines += Markup("<p>%s</p>") % self.env._(
            "Number: %(number)s. Total due: %(total)s.",
            number=partner.mobile or partner.phone or self.env._("none on file"),
            total=currency.format(sum(moves.mapped("amount_residual_signed"))),
        )
        note = (stage.call_script or Markup("")) + lines + Markup("<ul>%s</ul>") % items
        return partner.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=today + timedelta(days=stage.activity_deadline_days),
            summary=self.env._("Call: %(stage)s", stage=stage.name),
            note=note,
            user_id=user.id,
        )

    def _collection_invoice_attachments(self, moves):
        Attachment = self.env["ir.attachment"]
        attachments = Attachment
        for move in moves:
            if move.invoice_pdf_report_id:
                attachments |= move.invoice_pdf_report_id
                continue
            content, _type = self.env["ir.actions.report"]._render_qweb_pdf("account.account_invoices", move.ids)
            attachments |= Attachment.create(
                {
                    "name": f"{(move.name or 'invoice').replace('/', '_')}.pdf",
                    "datas": base64.b64encode(content),
                    "res_model": "res.partner",
                    "res_id": move.commercial_partner_id.id,
                    "mimetype": "application/pdf",
                }
            )
        return attachments

    def _collection_activity_user(self, partner, stage):
        if stage.activity_user_type == "collector":
            user = partner.credit_collector_id
        elif stage.activity_user_type == "salesperson":
            user = partner.user_id
        else:
            user = stage.activity_user_id
        return user or stage.activity_user_id or partner.credit_collector_id or partner.user_id

    def _collection_schedule_activity(self, partner, stage, moves, today):
        user = self._collection_activity_user(partner, stage)
        if not user:
            return self.env["mail.activity"]
        items = Markup("").join(
            Markup("<li>%s: %s, due %s</li>")
            % (
                move.name,
                move.company_id.currency_id.format(move.amount_residual_signed),
                format_date(self.env, move.invoice_date_due),
            )
            for move in moves
        )
        note = (stage.activity_note or Markup("")) + Markup("<ul>%s</ul>") % items
        return partner.activity_schedule(
            activity_type_id=stage.activity_type_id.id,
            date_deadline=today + timedelta(days=stage.activity_deadline_days),
            summary=stage.activity_summary or stage.name,
            note=note,
            user_id=user.id,
        )
