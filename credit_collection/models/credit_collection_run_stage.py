from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import models
from odoo.tools import format_date

from ..mail_log import log_tracking_batch


class CreditCollectionRun(models.AbstractModel):
    """The collection run, per stage: review before sending, applying a stage to one customer's
    invoices (history guard, channels, activity, hold, handover, fee) and the stage's activity."""

    _inherit = "credit.collection.run"

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
        """Apply `stage` to one customer's invoices (review mode's Send: `prepared` = the texts the
        collector reviewed)."""
        self._collection_apply_stage_batch(stage, [(partner, steps, prepared)], today)

    def _collection_apply_stage_batch(self, stage, items, today):
        """Apply `stage` to the invoices of many customers at once: `items` = [(partner, steps,
        prepared texts or None)]. The channels and the activities in batches, the history rows (the
        guard) in one create with what was done, the holds, handovers and escalations in as few
        writes as there are distinct values."""
        Move = self.env["account.move"]
        History = self.env["credit.collection.history"]
        # one prefetch set for the whole batch: reading an invoice reads all of them
        all_moves = Move.browse([step.move_id for _partner, steps, _prepared in items for step in steps])
        order = {move.id: (move.invoice_date_due, move.id) for move in all_moves}
        groups = []
        for partner, steps, prepared in items:
            ids = sorted((step.move_id for step in steps), key=order.__getitem__)
            groups.append((partner, steps, prepared, Move.browse(ids).with_prefetch(all_moves._prefetch_ids)))
        triggers = {step.move_id: step.trigger for _partner, steps, _prepared in items for step in steps}
        results = self._collection_reach_batch(stage, [(p, m, pr) for p, _s, pr, m in groups], today)
        activities = {}
        if stage.activity_type_id:
            activities = self._collection_schedule_activities(stage, [(p, m) for p, _s, _pr, m in groups], today)
        legal_moves = defaultdict(list)
        history_vals, holds = [], []
        for partner, steps, _prepared, moves in groups:
            actions, vals = results[partner.id]
            activity = activities.get(partner.id)
            if activity:
                vals["activity_id"] = activity.id
                actions.append(self.env._("activity for %(user)s", user=activity.user_id.name))
            # catch-up: the stages passed over send no email, but their stop supply and handover hold
            skipped = {stage_ for step in steps for stage_ in step.skipped}
            hold_stage = stage if stage.credit_hold else next((s for s in skipped if s.credit_hold), None)
            if hold_stage and not partner.credit_hold:
                holds.append((partner, hold_stage, moves))
                actions.append(self.env._("credit hold"))
            legal_stages = {
                step.move_id: (
                    stage if stage.legal_handover else next((s for s in step.skipped if s.legal_handover), None)
                )
                for step in steps
            }
            for move_id, legal_stage in legal_stages.items():
                if legal_stage:
                    legal_moves[legal_stage].append(move_id)
            if any(legal_stages.values()):
                actions.append(self.env._("legal handover"))
            # the stored related fields given as the ORM would compute them: a value given at create
            # is kept, which spares an UPDATE of every row after its INSERT
            history_vals += [
                {
                    "move_id": move.id,
                    "partner_id": move.commercial_partner_id.id,
                    "company_id": move.company_id.id,
                    "stage_id": stage.id,
                    "strategy_id": stage.strategy_id.id,
                    "date": today,
                    "trigger": triggers[move.id],
                    "actions": ", ".join(actions),
                    **vals,
                }
                for move in moves
            ]
        # The guard: a unique row per invoice and stage, created with what was done (no second write
        # of every row). An IntegrityError here means the stage was applied by a concurrent run: the
        # batch (or in the fallback the customer) is rolled back with all it queued above, which
        # never leaves the database before the batch commits (mails and SMS are only queued).
        histories = History.create(history_vals)
        if holds:
            self._collection_holds(holds)
        for legal_stage, move_ids in legal_moves.items():
            self._collection_hand_over(Move.browse(move_ids), legal_stage, today)
        if stage.fee_type != "none":
            for _partner, _steps, _prepared, moves in groups:
                moves._collection_charge_late_fee(stage, today)
            for history in histories:
                history.actions = ", ".join(filter(None, [history.actions, self.env._("late fee")]))
        promise_ids = [step.promise_id for _p, steps, _pr in items for step in steps if step.promise_id]
        if promise_ids:
            self.env["credit.collection.promise"].browse(promise_ids).write({"escalated": True})
        plan_ids = {step.plan_id for _p, steps, _pr in items for step in steps if step.plan_id}
        if plan_ids:
            self.env["credit.payment.plan"].browse(plan_ids).write({"escalated": True})

    def _collection_hand_over(self, moves, legal_stage, today):
        """Hand `moves` over to the stage's legal party. Odoo's tracking would log, at commit, one
        message per invoice with the change of Legal / Agency (one message create each): the write
        skips Odoo's tracking and the same messages and tracking values are logged here in batch
        (Odoo writes the first, the others are its copies). A caller that
        disables tracking (Odoo's context keys) gets no tracking message, as with Odoo's own."""
        tracked = self._tracked()
        initial = {move.id: {"collection_legal": move.collection_legal} for move in moves} if tracked else {}
        # collection fields only: no accounting to synchronise nor balance to re-check
        moves.with_context(check_move_validity=False, skip_invoice_sync=True, mail_notrack=True).write(
            {
                "collection_legal": True,
                "collection_legal_date": today,
                "collection_legal_partner_id": legal_stage.legal_partner_id.id,
            }
        )
        if tracked:
            log_tracking_batch(moves, initial)

    def _tracked(self):
        """Whether Odoo's tracking is on for the caller (its own context keys, as Odoo reads them)."""
        return not (self.env.context.get("tracking_disable") or self.env.context.get("mail_notrack"))

    def _collection_holds(self, holds):
        """Put the customers of `holds` = [(partner, stage, moves)] on credit hold. Odoo's tracking
        would log one message per customer at commit (hold and reason): the writes skip it and the
        same messages and tracking values are logged here in batch."""
        partners = self.env["res.partner"].browse([partner.id for partner, _stage, _moves in holds])
        tracked = self._tracked()
        initial = (
            {p.id: {"credit_hold": p.credit_hold, "credit_hold_reason": p.credit_hold_reason} for p in partners}
            if tracked
            else {}
        )
        run = self.with_context(mail_notrack=True)
        for partner, hold_stage, moves in holds:
            run._collection_hold(partner.with_env(run.env), hold_stage, moves)
        if tracked:
            log_tracking_batch(partners, initial)

    def _collection_hold(self, partner, hold_stage, moves):
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

    def _collection_activity_user(self, partner, stage):
        if stage.activity_user_type == "collector":
            user = partner.credit_collector_id
        elif stage.activity_user_type == "salesperson":
            user = partner.user_id
        else:
            user = stage.activity_user_id
        return user or stage.activity_user_id or partner.credit_collector_id or partner.user_id

    def _collection_schedule_activities(self, stage, items, today):
        """The stage's activity for each customer of `items` = [(partner, moves)], in one create
        ({partner id: activity}; none for a customer without anyone to assign it to)."""
        vals_list, partner_ids = [], []
        model_id = self.env["ir.model"]._get_id("res.partner")
        for partner, moves in items:
            user = self._collection_activity_user(partner, stage)
            if not user:
                continue
            items_html = Markup("").join(
                Markup("<li>%s: %s, due %s</li>")
                % (
                    move.name,
                    move.company_id.currency_id.format(move.amount_residual_signed),
                    format_date(self.env, move.invoice_date_due),
                )
                for move in moves
            )
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": partner.id,
                    "automated": True,
                    "activity_type_id": stage.activity_type_id.id,
                    "date_deadline": today + timedelta(days=stage.activity_deadline_days),
                    "summary": stage.activity_summary or stage.name,
                    "note": (stage.activity_note or Markup("")) + Markup("<ul>%s</ul>") % items_html,
                    "user_id": user.id,
                }
            )
            partner_ids.append(partner.id)
        activities = self.env["mail.activity"].create(vals_list)
        return dict(zip(partner_ids, activities, strict=True))
