from datetime import timedelta

from odoo import api, models
from odoo.tools import format_date


class CreditPaymentPlanDaily(models.Model):
    """The plans' part of the daily collection run: instalments kept, late or broken, broken plans
    escalated, and the invoices whose chase waits for a running plan."""

    _inherit = "credit.payment.plan"

    def _paid_date(self, today):
        """The date of the last reconciliation on the covered invoices (up to today): the day the
        money that completed an instalment arrived."""
        lines = self.move_ids.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        dates = [d for d in (lines.matched_credit_ids.mapped("max_date")) if d and d <= today]
        return max(dates) if dates else today

    @api.model
    def _collection_update_states(self, company, today):
        """Mark each instalment of the running plans kept (paid by its date), late (paid or still
        unpaid within the grace days) or broken (unpaid past them). A broken instalment breaks the
        plan: the run escalates its invoices, the broken-promise count goes up, the collector is told,
        and the customer is put on credit hold when the company says so. Returns (kept, broken)."""
        plans = self.search([("company_id", "=", company.id), ("state", "=", "active")])
        kept, broken = self.browse(), self.browse()
        for plan in plans:
            currency = plan.currency_id
            allocation = plan._allocation()
            paid_date = None
            plan_broken = False
            for line, paid in allocation.items():
                if line.state in ("kept", "paid_late"):
                    continue
                if currency.compare_amounts(paid, line.amount) >= 0:
                    paid_date = paid_date or plan._paid_date(today)
                    line.write({"state": "kept" if paid_date <= line.date else "paid_late", "paid_date": paid_date})
                else:
                    if today > line.date + timedelta(days=plan.grace_days):
                        state = "broken"
                    elif today > line.date:
                        state = "late"
                    else:
                        state = "pending"
                    plan_broken = plan_broken or state == "broken"
                    if line.state != state:  # most nights nothing changes: no write
                        line.write({"state": state})
            if plan_broken:
                broken |= plan
            elif all(line.state in ("kept", "paid_late") for line in plan.line_ids):
                kept |= plan
        kept.write({"state": "kept"})
        for plan in kept:
            plan.message_post(body=self.env._("Plan kept: every instalment is paid."))
        if broken:
            broken.write({"state": "broken", "broken_date": today})
            broken._on_broken(company)
        return kept, broken

    def _on_broken(self, company):
        for partner in self.partner_id:
            partner = partner.commercial_partner_id
            count = len(self.filtered(lambda p, partner=partner: p.partner_id.commercial_partner_id == partner))
            partner._collection_add_broken_promises(count, company)
        for plan in self:
            late = plan.line_ids.filtered(lambda line: line.state == "broken")
            message = self.env._(
                "Payment plan %(plan)s broken: %(lines)s unpaid after the grace days; its invoices escalate.",
                plan=plan.name,
                lines=", ".join(
                    f"{line.name} ({format_date(self.env, line.date)}, {plan.currency_id.format(line.amount)})"
                    for line in late
                ),
            )
            plan.message_post(body=message)
            partner = plan.partner_id.commercial_partner_id.with_company(company)
            collector = partner.credit_collector_id or plan.user_id
            if collector:
                plan.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Payment plan %(plan)s broken", plan=plan.name),
                    note=message,
                    user_id=collector.id,
                )
            if company.payment_plan_broken_hold and not partner.credit_hold:
                env_company_lang = self.with_context(lang=company.partner_id.lang or self.env.lang).env
                partner.write(
                    {
                        "credit_hold": True,
                        "credit_hold_reason": env_company_lang._("Payment plan %(plan)s broken", plan=plan.name)[:250],
                    }
                )

    @api.model
    def _collection_run_moves(self, company):
        """For the collection run: {invoice id: pause-until date} of the running plans (their last
        instalment + grace days) and {invoice id: plan id} of the broken plans not escalated yet."""
        plans = self.search(
            [
                ("company_id", "=", company.id),
                "|",
                ("state", "=", "active"),
                "&",
                ("state", "=", "broken"),
                ("escalated", "=", False),
            ]
        )
        paused, escalate = {}, {}
        for plan in plans:
            if plan.state == "active":
                until = max(plan.line_ids.mapped("date")) + timedelta(days=plan.grace_days)
                for move in plan.move_ids:
                    paused[move.id] = max(until, paused.get(move.id, until))
            else:
                for move in plan.move_ids:
                    escalate[move.id] = plan.id
        return paused, escalate
