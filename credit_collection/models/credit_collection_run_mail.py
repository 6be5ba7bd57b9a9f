from markupsafe import escape

from odoo import Command, models
from odoo.tools import html2plaintext
from odoo.tools.misc import clean_context


class CreditCollectionRun(models.AbstractModel):
    """The collection run's emails and SMS, many at once: what `message_post` and its email or SMS
    notification do for one message (`mail/models/mail_thread.py`, `sms/models/mail_thread.py`),
    done for a batch of customers with one create per model instead of some twenty queries per
    message."""

    _inherit = "credit.collection.run"

    def _collection_post_emails(self, company, posts):
        """Post on each customer's chatter a comment addressed to it, notified by email through the
        light layout and queued (never sent here): `posts` = [(partner, subject, body, attachment
        ids)]. {partner id: mail.message}. A message whose recipients are not all reached by email
        (an internal follower notified in Odoo...), or with attachments, goes through Odoo's own
        `message_post`."""
        Partner = self.env["res.partner"].with_context(mail_notify_force_send=False, mail_post_autofollow=False)
        messages, simple = {}, []
        for partner, subject, body, attachment_ids in posts:
            if attachment_ids:
                messages[partner.id] = partner.with_env(Partner.env).message_post(
                    body=body,
                    subject=subject,
                    author_id=company.partner_id.id,
                    email_from=company.email_formatted or None,
                    partner_ids=partner.ids,
                    attachment_ids=attachment_ids,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                    email_layout_xmlid="mail.mail_notification_light",
                )
            else:
                simple.append((partner, body, {"subject": subject or False}))
        if simple:
            extra = {"email_layout_xmlid": "mail.mail_notification_light"}
            batch = self._collection_post_messages(company, Partner, simple, "comment", "mail.mt_comment", extra)
            mail_batch = []
            for partner, message, vals, recipients in batch:
                messages[partner.id] = message
                if any(r["notif"] != "email" for r in recipients):
                    partner._notify_thread(message, vals)  # Odoo's own notification, inbox and all
                elif recipients:
                    mail_batch.append((partner, message, vals, recipients))
            self._collection_queue_emails(mail_batch)
        return messages

    def _collection_post_sms(self, company, posts):
        """Post on each customer's chatter an SMS addressed to it (`posts` = [(partner, text)]),
        queued in Odoo's SMS queue: {partner id: mail.message}. A message with other recipients
        (a follower of internal notes) goes through Odoo's own notification."""
        Partner = self.env["res.partner"].with_context(mail_post_autofollow=False)
        batch = self._collection_post_messages(
            company, Partner, [(partner, body, {}) for partner, body in posts], "sms", "mail.mt_note", {}
        )
        messages, sms_vals, notified = {}, [], []
        for partner, message, vals, recipients in batch:
            messages[partner.id] = message
            if [r["id"] for r in recipients] != [partner.id] or recipients[0]["notif"] != "sms":
                partner._notify_thread(message, vals, put_in_queue=True)
                continue
            number = partner.mobile or partner.phone
            sms_vals.append(
                {
                    "body": html2plaintext(vals["body"]),
                    "mail_message_id": message.id,
                    "state": "outgoing",
                    "partner_id": partner.id,
                    "number": partner._phone_format(number=number) or number,
                }
            )
            notified.append(message)
        texts = self.env["sms.sms"].sudo().create(sms_vals)
        self.env["mail.notification"].sudo().create(
            [
                {
                    "author_id": message.author_id.id,
                    "mail_message_id": message.id,
                    "res_partner_id": sms.partner_id.id,
                    "sms_number": sms.number,
                    "notification_type": "sms",
                    "sms_id_int": sms.id,
                    "sms_tracker_ids": [Command.create({"sms_uuid": sms.uuid})],
                    "is_read": True,  # no Inbox notification
                    "notification_status": "ready",
                }
                for sms, message in zip(texts, notified, strict=True)
            ]
        )
        return messages

    def _collection_post_messages(self, company, Partner, posts, message_type, subtype_xmlid, extra):
        """Create one message per customer of `posts` = [(partner, body, values)] as `message_post`
        would (author = the company, the customer as recipient, its real author following the
        customers) and read their recipients in two queries: [(partner, message, values,
        recipients data)], recipients as `_notify_get_recipients` gives them."""
        partners = Partner.browse([partner.id for partner, _b, _v in posts])
        author_id, email_from = partners[:1]._message_compute_author(
            company.partner_id.id, company.email_formatted or None, raise_on_email=True
        )
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id(subtype_xmlid)
        alias_domains = partners.sudo()._mail_get_alias_domains(default_company=self.env.company)
        companies = partners._mail_get_companies(default=self.env.company)
        reply_tos = partners._notify_get_reply_to(default=email_from)
        vals_list = [
            {
                "email_add_signature": True,
                "record_name": partner.display_name,
                "author_id": author_id,
                "author_guest_id": False,
                "email_from": email_from,
                "model": partner._name,
                "res_id": partner.id,
                "body": escape(body),
                "message_type": message_type,
                "parent_id": False,
                "subject": False,
                "subtype_id": subtype_id,
                "partner_ids": [partner.id],
                "record_alias_domain_id": alias_domains[partner.id].id,
                "record_company_id": companies[partner.id].id,
                "reply_to": reply_tos[partner.id],
                "tracking_value_ids": [],  # none: spares the notification a search per message
                **extra,
                **values,
            }
            for partner, body, values in posts
        ]
        created = partners._message_create(vals_list)
        # as message_post: the real author follows the customers, so that it receives the answers
        if self.env.user.active:
            real_author_id = self.env.user.partner_id.id
        else:
            real_author_id = author_id if self.env["res.partner"].browse(author_id).active else False
        if real_author_id and not self.env.context.get("mail_create_nosubscribe"):
            partners._message_subscribe(partner_ids=[real_author_id])
        # the recipients: the customers, and the followers of the subtype (not the author)
        Followers = self.env["mail.followers"]
        customers = Followers._get_recipient_data(self.env["res.partner"], message_type, subtype_id, partners.ids)[0]
        followers = Followers._get_recipient_data(partners, message_type, subtype_id)
        batch = []
        for partner, message, vals in zip(partners, created, vals_list, strict=True):
            data = {pid: pdata for pid, pdata in (followers.get(partner.id) or {}).items() if pid}
            if partner.id in customers:
                data.setdefault(partner.id, customers[partner.id])
            recipients = [r for pid, r in data.items() if pid != real_author_id and r["active"] is not False]
            batch.append((partner, message, vals, recipients))
        return batch

    def _collection_queue_emails(self, batch):
        """The notification emails of messages whose recipients are all reached by email, in one
        mail.mail create and one mail.notification create (as `_notify_thread_by_email`)."""
        if not batch:
            return
        mail_vals, notified = [], []
        for partner, message, msg_vals, recipients in batch:
            base = partner._notify_by_email_get_base_mail_values(message, additional_values={"auto_delete": True})
            for _lang, render_values, group in partner._notify_get_classified_recipients_iterator(
                message, recipients, msg_vals=msg_vals
            ):
                body = partner._notify_by_email_render_layout(
                    message, group, msg_vals=msg_vals, render_values=render_values
                )
                recipient_ids = group.pop("recipients")
                if not recipient_ids:
                    continue
                mail_vals.append(
                    partner._notify_by_email_get_final_mail_values(
                        recipient_ids, base, additional_values={"body_html": body}
                    )
                )
                notified.append((message, recipient_ids))
        # without the default_* keys of the caller's context (as Odoo's own notification)
        safe_env = self.env(context=clean_context(self.env.context), su=True)
        mails = safe_env["mail.mail"].create(mail_vals)
        safe_env["mail.notification"].create(
            [
                {
                    "author_id": message.author_id.id,
                    "is_read": True,  # no Inbox notification
                    "mail_mail_id": mail.id,
                    "mail_message_id": message.id,
                    "notification_status": "ready",
                    "notification_type": "email",
                    "res_partner_id": recipient_id,
                }
                for mail, (message, recipient_ids) in zip(mails, notified, strict=True)
                for recipient_id in recipient_ids
            ]
        )
