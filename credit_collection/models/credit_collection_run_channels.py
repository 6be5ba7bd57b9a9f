import base64
from datetime import timedelta

from markupsafe import Markup

from odoo import models
from odoo.tools import format_date


class CreditCollectionRun(models.AbstractModel):
    """The collection run's channels: email, SMS, letter and call, and the fallback of a channel
    the customer cannot receive."""

    _inherit = "credit.collection.run"

    # ------------------------------------------------------------------ channels
    def _collection_reach_batch(self, stage, items, today):
        """Reach each customer of `items` = [(partner, moves, prepared texts or None)] through the
        stage's channels: {partner id: (actions done, history values)}. The emails of all of them
        are posted in one batch. A channel the customer cannot receive (no email address, no mobile
        or phone number) is a data problem, not a transient failure: the stage's fallback replaces
        it, the history row says so (the worklist shows it) and the stage goes on (its activity,
        hold, handover and fee apply the same day). `prepared`: the email subject/body and SMS text
        a collector reviewed (review mode)."""
        # beside Odoo Enterprise's follow-ups the company may leave its reminders (email, SMS,
        # letter) to them; the collector's call, like the stage's other actions, happens either way
        sends = items[0][1].company_id._collection_sends_reminders() if items else False
        results, emails, texts = {}, [], []
        for partner, moves, prepared in items:
            actions, vals, fallbacks = [], {}, {}
            if sends and stage.mail_template_id:
                if partner.email:
                    emails.append((partner, moves, prepared))
                    actions.append(self.env._("email"))
                else:
                    vals["no_email"] = True
                    if stage.email_fallback in ("letter", "call"):
                        fallbacks[stage.email_fallback] = "no_email"
                    actions.append(self._collection_fallback_label("email", stage.email_fallback))
            if sends and stage.sms_template_id:
                if partner.mobile or partner.phone:
                    texts.append((partner, moves, (prepared or {}).get("sms")))
                    actions.append(self.env._("SMS"))
                else:
                    vals["no_mobile"] = True
                    if stage.sms_fallback in ("letter", "call"):
                        fallbacks.setdefault(stage.sms_fallback, "no_mobile")
                    actions.append(self._collection_fallback_label("sms", stage.sms_fallback))
            results[partner.id] = (actions, vals, fallbacks)
        messages = self._collection_send_emails(stage, emails)
        sms_messages = self._collection_send_sms_batch(stage, texts)
        letters, calls = [], []
        for partner, moves, _prepared in items:
            actions, vals, fallbacks = results[partner.id]
            if partner.id in messages:
                vals["mail_message_id"] = messages[partner.id].id
            if partner.id in sms_messages:
                vals["sms_message_id"] = sms_messages[partner.id].id
            if (sends and stage.letter_template_id) or fallbacks.get("letter"):
                letters.append((partner, moves, "letter" if stage.letter_template_id else fallbacks["letter"]))
            if stage.phone_call or fallbacks.get("call"):
                calls.append((partner, moves, fallbacks.get("call")))
        letters = self._collection_make_letters(stage, letters, today)
        calls = self._collection_schedule_calls(stage, calls, today)
        for partner, _moves, _prepared in items:
            actions, vals, _fallbacks = results[partner.id]
            if partner.id in letters:
                vals["letter_id"] = letters[partner.id].id
                actions.append(self.env._("letter"))
            if partner.id in calls:
                vals["call_activity_id"] = calls[partner.id].id
                actions.append(self.env._("call for %(user)s", user=calls[partner.id].user_id.name))
        return {partner_id: (actions, vals) for partner_id, (actions, vals, _f) in results.items()}

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

    def _collection_send_emails(self, stage, items):
        """One email per customer of `items` = [(partner, moves, prepared or None)] for all its
        invoices reaching `stage`, queued in Odoo's mail queue (never sent inside the run) and kept
        in the customer's chatter: {partner id: mail.message}. Rendered per customer (each has
        its own invoices and language), posted in one batch (`_collection_post_emails`)."""
        posts = []
        for partner, moves, prepared in items:
            if prepared and prepared.get("body_html"):
                rendered = {"subject": prepared.get("subject") or "", "body_html": prepared["body_html"]}
            else:
                rendered = self._collection_render(
                    stage.mail_template_id, partner, stage, moves, ("subject", "body_html")
                )
            attachment_ids = self._collection_invoice_attachments(moves).ids if stage.attach_invoices else []
            posts.append((partner, rendered["subject"], rendered["body_html"], attachment_ids))
        if not posts:
            return {}
        return self._collection_post_emails(items[0][1].company_id, posts)

    def _collection_send_email(self, partner, stage, moves, prepared=None):
        """The stage's email to one customer (the worklist's Send Reminders too)."""
        return self._collection_send_emails(stage, [(partner, moves, prepared)])[partner.id]

    def _collection_send_sms(self, partner, stage, moves, body=None):
        """The stage's SMS to one customer."""
        return self._collection_send_sms_batch(stage, [(partner, moves, body)])[partner.id]

    def _collection_send_sms_batch(self, stage, items):
        """One SMS per customer of `items` = [(partner, moves, reviewed text or None)] (its mobile,
        else its phone), queued in Odoo's SMS queue (sent by Odoo's SMS cron, never inside the run)
        and kept in the customer's chatter: {partner id: mail.message}, posted in one batch."""
        posts = []
        for partner, moves, body in items:
            if not body:
                extra = {"payment_url": self._collection_payment_url(moves)}
                body = self._collection_render(stage.sms_template_id, partner, stage, moves, ("body",), extra)["body"]
            posts.append((partner, body))
        if not posts:
            return {}
        return self._collection_post_sms(items[0][1].company_id, posts)

    def _collection_make_letters(self, stage, items, today):
        """A letter to print per customer of `items` = [(partner, moves, reason)] (their PDFs are
        rendered for the whole batch at its end), logged in the customers' chatter without
        notifying anyone: {partner id: letter}, in one log and one create."""
        if not items:
            return {}
        template = stage.letter_template_id or stage.mail_template_id
        company = items[0][1].company_id
        vals_list, bodies = [], {}
        for partner, moves, reason in items:
            body = self._collection_render(template, partner, stage, moves, ("body_html",))["body_html"]
            letter_name = self.env._(
                "%(stage)s - %(customer)s - %(date)s",
                stage=stage.name,
                customer=partner.name,
                date=format_date(self.env, today),
            )
            bodies[partner.id] = (
                Markup("<p><b>%s</b></p>") % self.env._("Letter to print: %(name)s", name=letter_name) + body
            )
            vals_list.append(
                {
                    "name": letter_name,
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "stage_id": stage.id,
                    "move_ids": moves.ids,
                    "date": today,
                    "amount": sum(moves.mapped("amount_residual_signed")),
                    "body": body,
                    "reason": reason,
                }
            )
        partners = self.env["res.partner"].browse([partner.id for partner, _m, _r in items])
        messages = partners._message_log_batch(bodies=bodies, author_id=company.partner_id.id)
        message_of = {message.res_id: message.id for message in messages}
        for vals in vals_list:
            vals["message_id"] = message_of[vals["partner_id"]]
        letters = self.env["credit.collection.letter"].create(vals_list)
        return {letter.partner_id.id: letter for letter in letters}

    def _collection_schedule_calls(self, stage, items, today):
        """A call activity per customer of `items` = [(partner, moves, reason)] for its collector
        (else the stage's person): the call script, the number to call and the figures (each
        invoice and the total due). {partner id: activity}, in one create."""
        model_id = self.env["ir.model"]._get_id("res.partner")
        call_type = self.env.ref("mail.mail_activity_data_call")
        vals_list, partner_ids = [], []
        for partner, moves, reason in items:
            # the collector calls; without one, the stage's person (Assign to)
            user = partner.credit_collector_id or self._collection_activity_user(partner, stage)
            if not user:
                continue
            currency = moves.company_id.currency_id
            lines_html = Markup("").join(
                Markup("<li>%s: %s, due %s</li>")
                % (
                    move.name,
                    currency.format(move.amount_residual_signed),
                    format_date(self.env, move.invoice_date_due),
                )
                for move in moves
            )
            lines = Markup("")
            if reason == "no_email":
                lines += Markup("<p>%s</p>") % self.env._(
                    "No email address: call instead of the email, and ask for one."
                )
            elif reason == "no_mobile":
                lines += Markup("<p>%s</p>") % self.env._("No mobile number: call instead of the SMS, and ask for one.")
            lines += Markup("<p>%s</p>") % self.env._(
                "Number: %(number)s. Total due: %(total)s.",
                number=partner.mobile or partner.phone or self.env._("none on file"),
                total=currency.format(sum(moves.mapped("amount_residual_signed"))),
            )
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": partner.id,
                    "automated": True,
                    "activity_type_id": call_type.id,
                    "date_deadline": today + timedelta(days=stage.activity_deadline_days),
                    "summary": self.env._("Call: %(stage)s", stage=stage.name),
                    "note": (stage.call_script or Markup("")) + lines + Markup("<ul>%s</ul>") % lines_html,
                    "user_id": user.id,
                }
            )
            partner_ids.append(partner.id)
        activities = self.env["mail.activity"].create(vals_list)
        return dict(zip(partner_ids, activities, strict=True))

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
