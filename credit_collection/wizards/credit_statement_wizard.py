"""Customer statements: print them, or email each customer its own statement (PDF attached,
posted in the customer's chatter)."""

import base64

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import date_utils

from ..models.credit_collection_job import IN_REQUEST_MAX


class CreditStatementWizard(models.TransientModel):
    _name = "credit.statement.wizard"
    _description = "Customer statements"

    date_from = fields.Date(
        required=True, default=lambda self: date_utils.start_of(fields.Date.context_today(self), "month")
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    bucket_set_id = fields.Many2one(
        "credit.aging.bucket.set", default=lambda self: self.env["credit.aging.engine"]._default_bucket_set()
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        default=lambda self: self._default_partners(),
        help="Leave empty for every customer with an open balance at the end date.",
    )

    def _default_partners(self):
        if self.env.context.get("active_model") == "res.partner":
            return self.env["res.partner"].browse(self.env.context.get("active_ids", [])).commercial_partner_id
        return self.env["res.partner"]

    def _partners(self):
        self.ensure_one()
        if self.date_from > self.date_to:
            raise UserError(
                self.env._(
                    "The statement starts on %(start)s, after its end %(end)s.", start=self.date_from, end=self.date_to
                )
            )
        if self.partner_ids:
            return self.partner_ids.commercial_partner_id
        totals = self.env["credit.aging.engine"].get_totals(
            "partner_id", as_of=self.date_to, bucket_set=self.bucket_set_id, companies=self.env.company
        )
        return self.env["res.partner"].browse([pid for pid, group in totals.items() if pid and group["total"]])

    def _data(self, partners=None):
        # A report action carrying ``data`` is opened by the web client as /report/pdf/<name>?options=
        # without record ids: the customers travel in the data, or the PDF would be blank.
        data = {
            "date_from": fields.Date.to_string(self.date_from),
            "date_to": fields.Date.to_string(self.date_to),
            "bucket_set_id": self.bucket_set_id.id,
        }
        if partners is not None:
            data["partner_ids"] = partners.ids
        return data

    def action_print(self):
        partners = self._partners()
        if not partners:
            raise UserError(self.env._("No customer has an open balance at %(date)s.", date=self.date_to))
        return self.env.ref("credit_collection.credit_statement_report").report_action(
            partners, data=self._data(partners)
        )

    def action_send(self):
        partners = self._partners()
        if len(partners) > IN_REQUEST_MAX:
            # Hundreds of PDFs do not fit in one request (the server's time limit would kill it
            # half-way): a background job sends them in batches, each customer once.
            job = self.env["credit.collection.job"]._queue(
                "statement",
                partners,
                date_from=self.date_from,
                date_to=self.date_to,
                bucket_set_id=self.bucket_set_id.id,
            )
            return job._queued_notification(job)
        missing = partners.filtered(lambda p: not p.email)
        if missing:
            raise UserError(
                self.env._(
                    "These customers have no email address, add one or leave them out: %(names)s.",
                    names=", ".join(missing.mapped("display_name")),
                )
            )
        for partner in partners:
            self._send_one(partner)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s statements sent.", count=len(partners)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _send_one(self, partner):
        """Email `partner` its statement (PDF attached) and log it in its chatter; the message."""
        self.ensure_one()
        if not partner.email:
            raise UserError(
                self.env._("%(customer)s has no email address: add one and send again.", customer=partner.display_name)
            )
        report = self.env.ref("credit_collection.credit_statement_report")
        template = self.env.ref("credit_collection.credit_statement_mail_template")
        ctx = {
            "credit_date_from": fields.Date.to_string(self.date_from),
            "credit_date_to": fields.Date.to_string(self.date_to),
            "credit_company_name": self.env.company.name,
        }
        pdf = self.env["ir.actions.report"]._render_qweb_pdf(report, partner.ids, data=self._data())[0]
        # A collector sends statements without the right to edit customers (which posting on a
        # partner requires): the wizard is collectors-only, the author stays the user.
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"statement_{partner.id}_{ctx['credit_date_to']}.pdf",
                    "datas": base64.b64encode(pdf),
                    "res_model": "res.partner",
                    "res_id": partner.id,
                    "mimetype": "application/pdf",
                }
            )
        )
        return (
            partner.sudo()
            .with_context(**ctx)
            .message_post_with_source(
                template,
                author_id=self.env.user.partner_id.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                attachment_ids=[attachment.id],
            )
        )
