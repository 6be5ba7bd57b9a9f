from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

CALL_RESULTS = [
    ("reached", "Reached, will pay"),
    ("promise", "Reached, promised a date"),
    ("refused", "Reached, refuses to pay"),
    ("no_answer", "No answer"),
    ("voicemail", "Left a message"),
    ("wrong_number", "Wrong number"),
]


class CreditCollectionCallWizard(models.TransientModel):
    """Log a call with a customer, and/or snooze it on the worklist until a date."""

    _name = "credit.collection.call.wizard"
    _description = "Log a Collection Call"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    mode = fields.Selection([("call", "Log a call"), ("snooze", "Snooze")], default="call", required=True)
    result = fields.Selection(CALL_RESULTS)
    note = fields.Text()
    snooze_until = fields.Date()
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)

    def action_confirm(self):
        self.ensure_one()
        today = fields.Date.context_today(self)
        partner = self.partner_id.commercial_partner_id
        if self.mode == "call" and not self.result:
            raise UserError(self.env._("Choose the result of the call."))
        if self.snooze_until and self.snooze_until <= today:
            raise UserError(
                self.env._(
                    "Snooze until a future date (got %(date)s, today is %(today)s).",
                    date=format_date(self.env, self.snooze_until),
                    today=format_date(self.env, today),
                )
            )
        if self.mode == "snooze" and not self.snooze_until:
            raise UserError(self.env._("Give the date until which the customer is snoozed."))
        if self.mode == "call":
            body = self.env._(
                "Collection call by %(user)s: %(result)s. %(note)s",
                user=self.env.user.name,
                result=dict(CALL_RESULTS)[self.result],
                note=self.note or "",
            )
        else:
            body = self.env._(
                "Snoozed on the collection worklist until %(date)s by %(user)s. %(note)s",
                date=format_date(self.env, self.snooze_until),
                user=self.env.user.name,
                note=self.note or "",
            )
        if self.company_id not in self.env.user.company_ids:
            raise UserError(self.env._("You do not work for %(company)s.", company=self.company_id.name))
        if self.snooze_until:
            # collectors may not edit customers: only this field, after the checks above
            partner.sudo().with_company(self.company_id).collection_snooze_until = self.snooze_until
        # collectors log on customers they may not edit: post as them, with the rights checked above
        partner.sudo().message_post(body=body, author_id=self.env.user.partner_id.id)
        self.env["credit.collection.run"]._collection_refresh(partner, self.company_id)
        return {"type": "ir.actions.act_window_close"}
