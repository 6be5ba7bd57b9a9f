from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class ResPartner(models.Model):
    _inherit = "res.partner"

    credit_collector_id = fields.Many2one(
        "res.users", string="Collector", tracking=True, help="Who chases this customer's overdue invoices."
    )
    collection_strategy_id = fields.Many2one(
        "credit.collection.strategy",
        string="Collection Strategy",
        company_dependent=True,
        tracking=True,
        help="Empty: the strategy of the customer's grade, else the company default.",
    )
    collection_broken_promise_count = fields.Integer(
        string="Broken Promises", readonly=True, copy=False, help="Promises to pay not kept (all time)."
    )
    collection_snooze_until = fields.Date(
        string="Snoozed Until", copy=False, help="The customer leaves the collector's worklist until this date."
    )

    def _collection_strategy(self):
        """The strategy applying to this customer in the current company: its own, else its grade's
        (when the grading addon part is installed), else the company default."""
        self.ensure_one()
        partner = self.commercial_partner_id
        if partner.collection_strategy_id:
            return partner.collection_strategy_id
        if "credit_grade_id" in partner._fields:
            grade = partner.credit_grade_id
            if "collection_strategy_id" in grade._fields and grade.collection_strategy_id:
                return grade.collection_strategy_id
        return self.env.company.collection_strategy_id

    @api.model
    def _collection_days_late_query(self, partner_ids, company, today):
        # Amount-weighted average of (last payment date - due date) over the customer invoices fully
        # paid in the last 12 months; the payment date is the latest reconciliation of the receivable.
        return SQL(
            """
            WITH paid AS (
                SELECT m.commercial_partner_id AS partner_id,
                       m.amount_total_signed AS amount,
                       m.invoice_date_due AS due,
                       MAX(apr.max_date) AS paid_on
                  FROM account_move m
                  JOIN account_move_line aml ON aml.move_id = m.id AND aml.display_type = 'payment_term'
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                 WHERE m.company_id = %(company)s
                   AND m.move_type = 'out_invoice'
                   AND m.state = 'posted'
                   AND m.payment_state IN ('paid', 'in_payment')
                   AND m.commercial_partner_id = ANY(%(partners)s)
                   AND m.collection_writeoff_move_id IS NULL
              GROUP BY m.id
            )
            SELECT partner_id, SUM(amount * (paid_on - due)) / NULLIF(SUM(amount), 0)
              FROM paid
             WHERE paid_on > %(since)s AND paid_on <= %(today)s
          GROUP BY partner_id
            """,
            company=company.id,
            partners=list(partner_ids),
            since=today - timedelta(days=365),
            today=today,
        )

    @api.model
    def _collection_days_late(self, partners, company, today=None):
        """{commercial partner id: average days late (float)} for partners with paid history."""
        if not partners:
            return {}
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(self._collection_days_late_query(partners.commercial_partner_id.ids, company, today))
        return {pid: float(days) for pid, days in self.env.cr.fetchall() if days is not None}

    def _collection_send_statement(self):
        """Send the customer its open items now (queued). Uses the collection statement template;
        the statement report (customer statements feature) can take over by overriding this."""
        self.ensure_one()
        partner = self.commercial_partner_id
        if not partner.email:
            raise UserError(
                self.env._("%(customer)s has no email address: add one to send a statement.", customer=partner.name)
            )
        company = self.env.company
        invoices = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("amount_residual", "!=", 0),
            ],
            order="invoice_date_due, id",
        )
        template = self.env.ref("credit_collection.mail_template_collection_statement")
        context = {"invoices": invoices, "company": company, "today": fields.Date.context_today(self)}
        subject = template._render_field("subject", partner.ids, add_context=context)[partner.id]
        body = template._render_field("body_html", partner.ids, add_context=context, engine="qweb")[partner.id]
        # collectors send statements of customers they may not edit: posted as them
        return partner.sudo().with_context(mail_notify_force_send=False, mail_post_autofollow=False).message_post(
            body=body,
            subject=subject,
            author_id=self.env.user.partner_id.id,
            partner_ids=partner.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            email_layout_xmlid="mail.mail_notification_light",
        )
