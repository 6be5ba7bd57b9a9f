from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL


class CreditCollectionWorklist(models.Model):
    """The collector's worklist: one row per customer and company with open receivables, computed
    by one SQL statement at read time (always current, nothing to keep in sync)."""

    _name = "credit.collection.worklist"
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
        "credit.collection.promise": ["move_id", "state", "amount"],
        "credit.collection.stage": ["offset_days"],
        "res.partner": ["credit_collector_id", "user_id", "collection_snooze_until", "collection_broken_promise_count"],
        "res.company": ["currency_id"],
    }

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    open_amount = fields.Monetary(readonly=True, currency_field="currency_id")
    overdue_amount = fields.Monetary(string="Overdue", readonly=True, currency_field="currency_id")
    overdue_count = fields.Integer(string="Overdue Invoices", readonly=True)
    oldest_overdue_days = fields.Integer(string="Oldest Overdue (days)", readonly=True)
    stage_id = fields.Many2one("credit.collection.stage", string="Current Stage", readonly=True)
    next_stage_id = fields.Many2one("credit.collection.stage", string="Next Action", readonly=True)
    next_date = fields.Date(string="Next Action On", readonly=True)
    promise_count = fields.Integer(string="Open Promises", readonly=True)
    promise_amount = fields.Monetary(string="Promised", readonly=True, currency_field="currency_id")
    dispute_count = fields.Integer(string="Disputes", readonly=True)
    dispute_amount = fields.Monetary(string="Disputed", readonly=True, currency_field="currency_id")
    legal_count = fields.Integer(string="With Legal", readonly=True)
    failure_count = fields.Integer(string="Failures", readonly=True)
    snooze_until = fields.Date(string="Snoozed Until", readonly=True)
    broken_promise_count = fields.Integer(string="Broken Promises", readonly=True)
    grade_risk = fields.Float(readonly=True)
    priority = fields.Float(
        readonly=True,
        digits=(16, 0),
        help="Overdue amount × oldest days overdue × grade risk (1 without a grade).",
    )
    predicted_days_late = fields.Float(string="Avg Days Late", compute="_compute_predicted_days_late", digits=(16, 1))

    @property
    def _table_query(self):
        return self._worklist_query(fields.Date.context_today(self))

    def _worklist_grade_risk_sql(self):
        """The risk factor of the customer's grade in the row's company (alias `p`: res_partner,
        `m`: account_move), 1 for customers without a grade."""
        return SQL(
            """COALESCE((SELECT g.collection_risk_factor FROM credit_grade g
                          WHERE g.id = (p.credit_grade_id ->> m.company_id::text)::int), 1.0)"""
        )

    def _worklist_query(self, today):
        return SQL(
            """
            SELECT m.commercial_partner_id::bigint * 100000 + m.company_id AS id,
                   m.commercial_partner_id AS partner_id,
                   m.company_id,
                   c.currency_id,
                   p.credit_collector_id AS collector_id,
                   p.user_id,
                   p.collection_snooze_until AS snooze_until,
                   p.collection_broken_promise_count AS broken_promise_count,
                   SUM(m.amount_residual_signed) AS open_amount,
                   COALESCE(SUM(m.amount_residual_signed) FILTER (WHERE m.invoice_date_due < %(today)s
                       AND NOT COALESCE(m.collection_dispute, FALSE)), 0) AS overdue_amount,
                   COUNT(*) FILTER (WHERE m.invoice_date_due < %(today)s) AS overdue_count,
                   COALESCE(MAX(%(today)s - m.invoice_date_due) FILTER (WHERE m.invoice_date_due < %(today)s
                       AND NOT COALESCE(m.collection_dispute, FALSE)), 0) AS oldest_overdue_days,
                   (ARRAY_AGG(m.collection_stage_id ORDER BY st.offset_days DESC NULLS LAST)
                       FILTER (WHERE m.collection_stage_id IS NOT NULL))[1] AS stage_id,
                   (ARRAY_AGG(m.collection_next_stage_id ORDER BY m.collection_next_date)
                       FILTER (WHERE m.collection_next_date IS NOT NULL))[1] AS next_stage_id,
                   MIN(m.collection_next_date) AS next_date,
                   COALESCE(SUM(pr.count), 0) AS promise_count,
                   COALESCE(SUM(pr.amount), 0) AS promise_amount,
                   COUNT(*) FILTER (WHERE m.collection_dispute) AS dispute_count,
                   COALESCE(SUM(m.amount_residual_signed) FILTER (WHERE m.collection_dispute), 0) AS dispute_amount,
                   COUNT(*) FILTER (WHERE m.collection_legal) AS legal_count,
                   COUNT(*) FILTER (WHERE m.collection_error IS NOT NULL) AS failure_count,
                   %(risk)s AS grade_risk,
                   COALESCE(SUM(m.amount_residual_signed) FILTER (WHERE m.invoice_date_due < %(today)s
                       AND NOT COALESCE(m.collection_dispute, FALSE)), 0)
                     * COALESCE(MAX(%(today)s - m.invoice_date_due) FILTER (WHERE m.invoice_date_due < %(today)s
                       AND NOT COALESCE(m.collection_dispute, FALSE)), 0)
                     * %(risk)s AS priority
              FROM account_move m
              JOIN res_company c ON c.id = m.company_id
              JOIN res_partner p ON p.id = m.commercial_partner_id
         LEFT JOIN credit_collection_stage st ON st.id = m.collection_stage_id
         LEFT JOIN (SELECT move_id, COUNT(*) AS count, SUM(amount) AS amount
                      FROM credit_collection_promise WHERE state = 'open' GROUP BY move_id) pr ON pr.move_id = m.id
             WHERE m.move_type = 'out_invoice'
               AND m.state = 'posted'
               AND m.amount_residual_signed > 0
          GROUP BY m.commercial_partner_id, m.company_id, c.currency_id, p.id
            """,
            today=today,
            risk=self._worklist_grade_risk_sql(),
        )

    @api.depends("partner_id", "company_id")
    def _compute_predicted_days_late(self):
        for company in self.company_id:
            rows = self.filtered(lambda r, company=company: r.company_id == company)
            days = self.env["res.partner"]._collection_days_late(rows.partner_id, company)
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
        return action

    def action_mark_dispute(self):
        self.ensure_one()
        invoices = self._open_invoices().filtered(lambda m: not m.collection_dispute)
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.collection.dispute.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.partner_id.id, "default_move_ids": invoices[:1].ids},
        }

    def _open_call_wizard(self, mode):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.collection.call.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": self.partner_id.id,
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

    def action_open_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", self._open_invoices().ids)]
        action["context"] = {"create": False}
        return action
