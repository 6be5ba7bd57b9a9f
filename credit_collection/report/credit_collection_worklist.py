from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.tools import SQL, format_date

from ..models.credit_collection_job import IN_REQUEST_MAX


class CreditCollectionWorklist(models.Model):
    """The collector's worklist: one row per customer and company with open receivables, computed
    by one SQL statement at read time (always current, nothing to keep in sync)."""

    _name = "credit.collection.worklist"
    # The list is reloaded right after each promise, dispute, call or snooze: read on a replica it
    # could still show the row as it was (replication lag, which month-end reports running on the
    # replica can stretch to max_standby_streaming_delay, 30 s by default) and invite the collector
    # to record the promise twice. Its reads stay on the primary.
    _inherit = ["credit.primary.reads.mixin"]
    _description = "Collection Worklist"
    _auto = False
    _order = "priority desc, overdue_amount desc"
    _rec_name = "partner_id"
    # the ORM flushes these before reading the view
    _depends = {
        "account.move": [
            "move_type",
            "state",
            "amount_residual_signed",
            "invoice_date_due",
            "commercial_partner_id",
            "company_id",
            "collection_stage_id",
            "collection_next_stage_id",
            "collection_next_date",
            "collection_dispute",
            "collection_legal",
            "collection_error",
        ],
        "account.move.line": [
            "amount_residual",
            "balance",
            "date",
            "date_maturity",
            "reconciled",
            "parent_state",
            "partner_id",
            "account_id",
            "company_id",
        ],
        "account.partial.reconcile": ["max_date", "amount"],
        "credit.collection.promise": ["move_id", "state", "amount"],
        "credit.collection.stage": ["offset_days", "sequence"],
        "credit.payment.plan": ["partner_id", "company_id", "state"],
        "res.partner": [
            "commercial_partner_id",
            "credit_collector_id",
            "user_id",
            "collection_snooze_until",
            "collection_broken_promise_count",
            "collection_reply_pause_until",
            "email",
            "mobile",
            "phone",
        ],
        "res.company": ["currency_id"],
        "credit.collection.history": ["partner_id", "company_id", "no_email", "no_mobile"],
    }

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    open_amount = fields.Monetary(readonly=True, currency_field="currency_id")
    overdue_amount = fields.Monetary(
        string="Overdue",
        readonly=True,
        currency_field="currency_id",
        help="Open receivables due before today (credit notes and unapplied payments net it), "
        "disputed invoices excluded.",
    )
    overdue_count = fields.Integer(string="Overdue Invoices", readonly=True, help="Disputed invoices excluded.")
    oldest_overdue_days = fields.Integer(string="Oldest Overdue (days)", readonly=True)
    stage_id = fields.Many2one(
        "credit.collection.stage",
        string="Current Stage",
        readonly=True,
        help="The most advanced stage reached by the customer's undisputed invoices.",
    )
    next_move_id = fields.Many2one("account.move", string="Next Action For", readonly=True)
    next_stage_id = fields.Many2one("credit.collection.stage", readonly=True)
    next_date = fields.Date(string="Next Action On", readonly=True)
    next_action = fields.Char(
        compute="_compute_next_action",
        help="The customer's next scheduled stage, the invoice it is for and its date.",
    )
    promise_count = fields.Integer(string="Open Promises", readonly=True)
    promise_amount = fields.Monetary(string="Promised", readonly=True, currency_field="currency_id")
    dispute_count = fields.Integer(string="Disputes", readonly=True)
    dispute_amount = fields.Monetary(string="Disputed", readonly=True, currency_field="currency_id")
    legal_count = fields.Integer(string="With Legal", readonly=True)
    failure_count = fields.Integer(string="Failures", readonly=True)
    snooze_until = fields.Date(string="Snoozed Until", readonly=True)
    broken_promise_count = fields.Integer(string="Broken Promises", readonly=True)
    no_email = fields.Boolean(
        readonly=True,
        help="A collection email could not reach the customer (no email address): a data problem to fix.",
    )
    no_mobile = fields.Boolean(
        readonly=True,
        help="A collection SMS could not reach the customer (no mobile or phone number): a data problem to fix.",
    )
    replied_until = fields.Date(string="Replied: Paused Until", readonly=True)
    replied = fields.Boolean(
        readonly=True, help="The customer replied to a collection email: its escalation waits (see the activity)."
    )
    flags = fields.Char(
        compute="_compute_flags",
        help="replied: escalation paused after the customer's reply; no email / no mobile: a reminder "
        "could not reach the customer, fix its address.",
    )
    grade_risk = fields.Float(readonly=True)
    priority = fields.Float(
        readonly=True,
        digits=(16, 0),
        help="Overdue amount × oldest days overdue × grade risk (1 without a grade); disputed invoices excluded.",
    )
    payment_plan_id = fields.Many2one("credit.payment.plan", readonly=True)
    on_plan = fields.Boolean(readonly=True, help="The customer has a running payment plan.")
    next_instalment = fields.Char(
        compute="_compute_next_instalment", help="The next instalment of the running payment plan: date and amount due."
    )
    predicted_days_late = fields.Float(string="Avg Days Late", compute="_compute_predicted_days_late", digits=(16, 1))

    @property
    def _table_query(self):
        return self._worklist_query(fields.Date.context_today(self))

    def _worklist_grade_risk_sql(self):
        """The risk factor of the customer's grade in the row's company (alias `p`: res_partner,
        `f`: the overdue figures), 1 for customers without a grade."""
        return SQL(
            """COALESCE((SELECT g.collection_risk_factor FROM credit_grade g
                          WHERE g.id = (p.credit_grade_id ->> f.company_id::text)::int), 1.0)"""
        )

    def _worklist_query(self, today):
        # The amounts come from the aging engine's overdue figures (one definition for every screen);
        # where the chase stands comes from the invoices. Current stage: the most advanced one of the
        # undisputed invoices; next action: the earliest one scheduled, with the invoice it is for
        # (it may be a lower stage on a younger invoice: the row names that invoice).
        # the companies the user works in (as the list's multi-company rule would keep anyway)
        figures = self.env["credit.aging.engine"]._overdue_figures_query(today, self.env.companies)
        return SQL(
            """
            WITH fig AS (%(figures)s),
            unreached AS (
                SELECT h.partner_id, h.company_id, BOOL_OR(h.no_email) AS no_email, BOOL_OR(h.no_mobile) AS no_mobile
                  FROM credit_collection_history h
                 WHERE h.no_email OR h.no_mobile
              GROUP BY h.partner_id, h.company_id
            ),
            mv AS (
                SELECT m.commercial_partner_id AS partner_id,
                       m.company_id,
                       (ARRAY_AGG(m.collection_stage_id ORDER BY st.offset_days DESC, st.sequence DESC, m.id)
                           FILTER (WHERE m.collection_stage_id IS NOT NULL
                                     AND NOT COALESCE(m.collection_dispute, FALSE)))[1] AS stage_id,
                       (ARRAY_AGG(m.id ORDER BY m.collection_next_date, m.invoice_date_due, m.id)
                           FILTER (WHERE m.collection_next_date IS NOT NULL
                                     AND NOT COALESCE(m.collection_dispute, FALSE)
                                     AND NOT COALESCE(m.collection_legal, FALSE)))[1] AS next_move_id,
                       COALESCE(SUM(pr.count), 0) AS promise_count,
                       COALESCE(SUM(pr.amount), 0) AS promise_amount,
                       COUNT(*) FILTER (WHERE m.collection_legal) AS legal_count,
                       COUNT(*) FILTER (WHERE m.collection_error IS NOT NULL) AS failure_count
                  FROM account_move m
             LEFT JOIN credit_collection_stage st ON st.id = m.collection_stage_id
             LEFT JOIN (SELECT move_id, COUNT(*) AS count, SUM(amount) AS amount
                          FROM credit_collection_promise WHERE state = 'open' GROUP BY move_id) pr
                    ON pr.move_id = m.id
                 WHERE m.move_type = 'out_invoice'
                   AND m.state = 'posted'
                   AND m.amount_residual_signed > 0
              GROUP BY m.commercial_partner_id, m.company_id
            )
            SELECT f.partner_id::bigint * 100000 + f.company_id AS id,
                   f.partner_id,
                   f.company_id,
                   c.currency_id,
                   (p.credit_collector_id ->> f.company_id::text)::int AS collector_id,
                   p.user_id,
                   (p.collection_snooze_until ->> f.company_id::text)::date AS snooze_until,
                   COALESCE((p.collection_broken_promise_count ->> f.company_id::text)::int, 0)
                       AS broken_promise_count,
                   COALESCE(un.no_email, FALSE) AND COALESCE(p.email, '') = '' AS no_email,
                   COALESCE(un.no_mobile, FALSE) AND COALESCE(p.mobile, '') = '' AND COALESCE(p.phone, '') = ''
                       AS no_mobile,
                   (p.collection_reply_pause_until ->> f.company_id::text)::date AS replied_until,
                   COALESCE((p.collection_reply_pause_until ->> f.company_id::text)::date >= %(today)s, FALSE)
                       AS replied,
                   f.open_amount,
                   f.overdue_amount,
                   f.overdue_count,
                   f.oldest_overdue_days,
                   mv.stage_id,
                   mv.next_move_id,
                   nm.collection_next_stage_id AS next_stage_id,
                   nm.collection_next_date AS next_date,
                   COALESCE(mv.promise_count, 0) AS promise_count,
                   COALESCE(mv.promise_amount, 0) AS promise_amount,
                   f.dispute_count,
                   f.dispute_amount,
                   COALESCE(mv.legal_count, 0) AS legal_count,
                   COALESCE(mv.failure_count, 0) AS failure_count,
                   pl.id AS payment_plan_id,
                   pl.id IS NOT NULL AS on_plan,
                   %(risk)s AS grade_risk,
                   GREATEST(f.overdue_amount, 0) * f.oldest_overdue_days * %(risk)s AS priority
              FROM fig f
              JOIN res_company c ON c.id = f.company_id
              JOIN res_partner p ON p.id = f.partner_id
         LEFT JOIN mv ON mv.partner_id = f.partner_id AND mv.company_id = f.company_id
         LEFT JOIN account_move nm ON nm.id = mv.next_move_id
         LEFT JOIN LATERAL (SELECT pp.id FROM credit_payment_plan pp
                             WHERE pp.partner_id = f.partner_id AND pp.company_id = f.company_id
                               AND pp.state = 'active'
                          ORDER BY pp.id LIMIT 1) pl ON TRUE
         LEFT JOIN unreached un ON un.partner_id = f.partner_id AND un.company_id = f.company_id
             WHERE f.has_debit
            """,
            figures=figures,
            today=today,
            risk=self._worklist_grade_risk_sql(),
        )

    @api.depends("next_move_id", "next_stage_id", "next_date")
    def _compute_next_action(self):
        for row in self:
            if not row.next_stage_id or not row.next_move_id:
                row.next_action = False
                continue
            row.next_action = self.env._(
                "%(stage)s for %(invoice)s on %(date)s",
                stage=row.next_stage_id.name,
                invoice=row.next_move_id.name,
                date=format_date(self.env, row.next_date),
            )

    @api.depends("payment_plan_id")
    def _compute_next_instalment(self):
        for row in self:
            plan = row.payment_plan_id
            row.next_instalment = plan.next_date and self.env._(
                "%(amount)s on %(date)s",
                amount=plan.currency_id.format(plan.next_amount),
                date=format_date(self.env, plan.next_date),
            )

    @api.depends("replied", "no_email", "no_mobile")
    def _compute_flags(self):
        for row in self:
            flags = []
            if row.replied:
                flags.append(self.env._("replied"))
            if row.no_email:
                flags.append(self.env._("no email"))
            if row.no_mobile:
                flags.append(self.env._("no mobile"))
            row.flags = ", ".join(flags)

    @api.depends("partner_id", "company_id")
    def _compute_predicted_days_late(self):
        for company in self.company_id:
            rows = self.filtered(lambda r, company=company: r.company_id == company)
            days = self.env["credit.payment.behaviour"]._days_late(rows.partner_id, company)
            for row in rows:
                row.predicted_days_late = days.get(row.partner_id.id, company.collection_default_days_late)
        (self - self.filtered("company_id")).predicted_days_late = 0.0

    # ------------------------------------------------------------------ actions
    def _open_invoices(self):
        self.ensure_one()
        return self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("amount_residual", ">", 0),
            ],
            order="invoice_date_due, id",
        )

    def action_record_promise(self):
        invoices = self._open_invoices().filtered(lambda m: not m.collection_dispute)
        if not invoices:
            return False
        action = invoices[0].action_collection_open_promise()
        action["context"]["collection_partner_id"] = self.partner_id.id
        action["name"] = self.env._("Promise to Pay: %(customer)s", customer=self.partner_id.name)
        return action

    def action_payment_plan(self):
        """Propose a payment plan to this customer: its overdue undisputed invoices not on a plan yet."""
        self.ensure_one()
        Plan = self.env["credit.payment.plan"]
        moves = Plan._default_moves(self.partner_id, self.company_id)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Payment Plan: %(customer)s", customer=self.partner_id.name),
            "res_model": "credit.payment.plan",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_partner_id": self.partner_id.id,
                "default_company_id": self.company_id.id,
                "default_move_ids": [Command.set(moves.ids)],
            },
        }

    def action_mark_dispute(self):
        self.ensure_one()
        invoices = self._open_invoices().filtered(lambda m: not m.collection_dispute)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Mark Disputed: %(customer)s", customer=self.partner_id.name),
            "res_model": "credit.collection.dispute.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.partner_id.id, "default_move_ids": invoices[:1].ids},
        }

    def _open_call_wizard(self, mode):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": (
                self.env._("Snooze: %(customer)s", customer=self.partner_id.name)
                if mode == "snooze"
                else self.env._("Log a Call: %(customer)s", customer=self.partner_id.name)
            ),
            "res_model": "credit.collection.call.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": self.partner_id.id,
                "default_company_id": self.company_id.id,
                "default_mode": mode,
                "default_snooze_until": fields.Date.context_today(self) + timedelta(days=7)
                if mode == "snooze"
                else False,
            },
        }

    def action_log_call(self):
        return self._open_call_wizard("call")

    def action_snooze(self):
        return self._open_call_wizard("snooze")

    def action_send_statement(self):
        self.ensure_one()
        self.partner_id.with_company(self.company_id)._collection_send_statement()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Statement queued for %(customer)s.", customer=self.partner_id.name),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.readonly
    def action_open_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        list_view = self.env.ref("credit_collection.account_move_view_list_collection_open")
        action.update(
            name=self.env._("Open Invoices: %(customer)s", customer=self.partner_id.name),
            domain=[("id", "in", self._open_invoices().ids)],
            context={"create": False},
            views=[(list_view.id, "list"), (False, "form")],
            view_mode="list,form",
        )
        return action

    def action_send_statements(self):
        """The worklist's mass statement: the selected customers' statements over the company's
        statement period. A few are sent at once; more go to a background job (batches, each
        customer once, a summary for the collector when done)."""
        return self._mass_action("collection_statement")

    def action_send_reminders(self):
        """The selected customers' current-stage reminder again, as a background job."""
        return self._mass_action("reminder")

    def _mass_action(self, job_type):
        if job_type == "collection_statement" and len(self) <= IN_REQUEST_MAX:
            for row in self:
                row.partner_id.with_company(row.company_id)._collection_send_statement()
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "success",
                    "message": self.env._("%(count)s statements sent.", count=len(self)),
                },
            }
        Job = self.env["credit.collection.job"]
        job = Job.browse()
        for company in self.company_id:
            rows = self.filtered(lambda r, company=company: r.company_id == company)
            job = Job.with_company(company)._queue(job_type, rows.partner_id)
        return Job._queued_notification(job)
