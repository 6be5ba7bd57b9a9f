"""The customer's collection file: collector, strategy, snooze, broken promises, the worklist's
stage, and the statement the collector emails."""

import base64
import re
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, date_utils, format_date


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Per company, like the credit limit and the hold: a customer may be chased by someone else (or
    # snoozed, or have broken promises) in another company. Written only through the collection
    # methods (see _check_collection_values): the run, the snooze wizard, a credit manager.
    credit_collector_id = fields.Many2one(
        "res.users",
        string="Collector",
        company_dependent=True,
        tracking=True,
        copy=False,
        help="Who chases this customer's overdue invoices in this company.",
    )
    collection_strategy_id = fields.Many2one(
        "credit.collection.strategy",
        company_dependent=True,
        tracking=True,
        help="Empty: the strategy of the customer's grade, else the company default.",
    )
    collection_broken_promise_count = fields.Integer(
        string="Broken Promises",
        company_dependent=True,
        readonly=True,
        copy=False,
        help="Promises to pay not kept in this company (all time); counted by the daily run.",
    )
    collection_snooze_until = fields.Date(
        string="Snoozed Until",
        company_dependent=True,
        readonly=True,
        copy=False,
        help="The customer leaves the collector's worklist in this company until this date (Snooze button).",
    )

    collection_reply_pause_until = fields.Date(
        string="Replied: Paused Until",
        company_dependent=True,
        readonly=True,
        copy=False,
        help="The customer replied to a collection email: its escalation in this company waits until this date.",
    )
    collection_no_email = fields.Boolean(
        string="No Email",
        compute="_compute_collection_summary",
        help="A collection email could not reach the customer (no email address): fix its address.",
    )
    collection_no_mobile = fields.Boolean(
        string="No Mobile",
        compute="_compute_collection_summary",
        help="A collection SMS could not reach the customer (no mobile or phone number): fix its number.",
    )

    collection_stage_id = fields.Many2one(
        "credit.collection.stage",
        string="Current Collection Stage",
        compute="_compute_collection_summary",
        help="The most advanced stage of the customer's undisputed invoices (as on the worklist).",
    )
    collection_next_action = fields.Char(
        string="Next Collection Action", compute="_compute_collection_summary", help="As on the worklist."
    )

    @api.depends_context("company")
    def _compute_collection_summary(self):
        # the worklist's own row: the customer form and the worklist read the same thing
        company = self.env.company
        rows = (
            self.env["credit.collection.worklist"]
            .sudo()
            .search([("partner_id", "in", self._origin.commercial_partner_id.ids), ("company_id", "=", company.id)])
        )
        by_partner = {row.partner_id.id: row for row in rows}
        for partner in self:
            row = by_partner.get(partner._origin.commercial_partner_id.id)
            partner.collection_stage_id = row.stage_id if row else False
            partner.collection_next_action = row.next_action if row else False
            partner.collection_no_email = row.no_email if row else False
            partner.collection_no_mobile = row.no_mobile if row else False

    def _check_collection_values(self, vals, partners):
        """The collector is a credit manager's choice; the snooze date is set by the worklist's
        Snooze (collectors, checked there) and the broken-promise count by the daily run: both write
        as superuser after their own checks, so a direct write (RPC, import) is refused."""
        if self.env.su:
            return
        for fname in ("collection_broken_promise_count", "collection_snooze_until", "collection_reply_pause_until"):
            if fname not in vals:
                continue
            field = self._fields[fname]
            new = field.convert_to_cache(vals[fname], self.browse())
            changed = any(p[fname] != field.convert_to_record(new, p) for p in partners) if partners else bool(new)
            if changed:
                raise AccessError(
                    self.env._(
                        "%(field)s is set by the collection workflow only (the daily run, the worklist's "
                        "Snooze button), not by editing the customer.",
                        field=field.string,
                    )
                )
        if "credit_collector_id" in vals and not self._is_credit_manager():
            new = vals["credit_collector_id"] or False
            changed = any(p.credit_collector_id.id != new for p in partners) if partners else bool(new)
            if changed:
                raise AccessError(
                    self.env._("Only credit managers assign collectors. Ask a credit manager to assign one.")
                )

    def _collection_add_broken_promises(self, count, company):
        """Add `count` to the broken-promise count of this customer in `company`, in one UPDATE of
        the jsonb value: two runs or users breaking promises at once both count (no read-modify-write
        of a stale value; under REPEATABLE READ the second writer is retried on a fresh snapshot)."""
        self.ensure_one()
        self.env.flush_all()
        key = str(company.id)
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner
                   SET collection_broken_promise_count = COALESCE(collection_broken_promise_count, '{}'::jsonb)
                       || jsonb_build_object(%(key)s::text,
                              COALESCE((collection_broken_promise_count ->> %(key)s)::int, 0) + %(count)s)
                 WHERE id = %(id)s
                """,
                key=key,
                count=count,
                id=self.id,
            )
        )
        self.invalidate_recordset(["collection_broken_promise_count"])

    def _collection_strategy(self):
        """The strategy applying to this customer in the current company: its own, else its grade's,
        else the company default."""
        self.ensure_one()
        partner = self.commercial_partner_id
        return (
            partner.collection_strategy_id
            or partner.credit_grade_id.collection_strategy_id
            or self.env.company.collection_strategy_id
        )

    def _collection_statement_start(self, today):
        """Start of the statement the worklist sends: the company setting (default: from the oldest
        open item, or N months back when that is earlier)."""
        self.ensure_one()
        company = self.env.company
        start = date_utils.subtract(today, months=max(company.collection_statement_months, 1))
        if company.collection_statement_period == "oldest":
            items = (
                self.env["credit.aging.engine"]
                .sudo()
                .get_items(as_of=today, companies=company, where=self.env["credit.aging.engine"]._customer_sql(self))
            )
            if items:
                start = min(start, min(item["date"] for item in items))
        return start

    def _collection_send_statement(self):
        """Email the customer its statement of account now, from the worklist: the statement PDF
        over the company's statement period, to the customer's invoicing contact only (a note in
        the chatter: no follower, internal or not, gets it), file named by customer and date."""
        self.ensure_one()
        partner = self.commercial_partner_id
        today = fields.Date.context_today(self)
        wizard = self.env["credit.statement.wizard"].create(
            {
                "partner_ids": [Command.set(partner.ids)],
                "date_from": partner._collection_statement_start(today),
                "date_to": today,
            }
        )
        contact = self.browse(partner.address_get(["invoice"])["invoice"])
        if not contact.email:
            raise UserError(
                self.env._(
                    "%(customer)s has no email address on its invoicing contact %(contact)s: add one and send "
                    "the statement again.",
                    customer=partner.display_name,
                    contact=contact.display_name,
                )
            )
        report = self.env.ref("credit_collection.credit_statement_report")
        pdf = self.env["ir.actions.report"]._render_qweb_pdf(report, partner.ids, data=wizard._data())[0]
        filename = self.env._(
            "Statement - %(customer)s - %(date)s.pdf",
            customer=partner.name.replace("/", "-"),
            date=fields.Date.to_string(today),
        )
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": filename,
                    "datas": base64.b64encode(pdf),
                    "res_model": "res.partner",
                    "res_id": partner.id,
                    "mimetype": "application/pdf",
                }
            )
        )
        template = self.env.ref("credit_collection.credit_statement_mail_template")
        lang = template._render_lang(partner.ids)[partner.id]
        ctx = {
            "credit_date_from": format_date(self.env(context={**self.env.context, "lang": lang}), wizard.date_from),
            "credit_date_to": format_date(self.env(context={**self.env.context, "lang": lang}), today),
            "credit_company_name": self.env.company.name,
        }
        template = template.with_context(lang=lang, **ctx)
        subject = template._render_field("subject", partner.ids)[partner.id]
        body = template._render_field("body_html", partner.ids, engine="qweb")[partner.id]
        # collectors send statements without the right to edit customers: the worklist is
        # collectors-only, the author stays the user
        return (
            partner.sudo()
            .with_context(mail_post_autofollow=False)
            .message_post(
                body=body,
                subject=subject,
                author_id=self.env.user.partner_id.id,
                partner_ids=contact.ids,
                attachment_ids=attachment.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                email_layout_xmlid="mail.mail_notification_light",
            )
        )

    # ------------------------------------------------------------------ replies
    def message_update(self, msg_dict, update_vals=None):
        # Odoo's mail gateway routes a reply to a reminder to the customer's thread (by its
        # In-Reply-To / References): the collector hears of it and the chase waits.
        self._collection_on_reply(msg_dict)
        return super().message_update(msg_dict, update_vals=update_vals)

    def _collection_on_reply(self, msg_dict):
        refs = set(re.findall(r"<[^<>]+>", f"{msg_dict.get('in_reply_to') or ''} {msg_dict.get('references') or ''}"))
        if not refs or len(self) != 1:
            return
        History = self.env["credit.collection.history"].sudo()
        histories = History.search(
            [("partner_id", "=", self.commercial_partner_id.id), ("mail_message_id.message_id", "in", list(refs))],
            order="date desc, id desc",
        )
        for company in histories.company_id:
            last = histories.filtered(lambda h, c=company: h.company_id == c)[:1]
            self.sudo().with_company(company)._collection_pause_for_reply(last, msg_dict)

    def _collection_pause_for_reply(self, history, msg_dict):
        """Pause the customer's escalation in the current company for the company's reply pause,
        and give the collector an activity with the reply (called as superuser by the gateway)."""
        company = self.env.company
        partner = self.commercial_partner_id
        today = fields.Date.context_today(self)
        until = today + timedelta(days=company.collection_reply_pause_days)
        if not partner.collection_reply_pause_until or partner.collection_reply_pause_until < until:
            partner.collection_reply_pause_until = until
        run = self.env["credit.collection.run"].with_company(company)
        user = run._collection_activity_user(partner, history.stage_id)
        if user:
            partner.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=today,
                summary=self.env._(
                    "Customer replied to %(stage)s: %(subject)s",
                    stage=history.stage_id.name,
                    subject=msg_dict.get("subject") or "",
                )[:250],
                note=Markup("<p>%s</p>")
                % self.env._(
                    "From %(sender)s. Escalation paused until %(date)s.",
                    sender=msg_dict.get("email_from") or "",
                    date=format_date(self.env, until),
                )
                + Markup(msg_dict.get("body") or ""),
                user_id=user.id,
            )
        run._collection_refresh(partner, company)
