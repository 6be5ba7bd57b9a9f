import threading

from odoo import api, fields, models, modules
from odoo.exceptions import AccessError, UserError


class CreditCollectionLetter(models.Model):
    """A collection letter produced by the daily run (a stage's letter, or the letter that replaces
    an email the customer cannot receive), waiting to be printed and posted."""

    _name = "credit.collection.letter"
    _description = "Collection Letter"
    _order = "printed, date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    stage_id = fields.Many2one("credit.collection.stage", required=True, readonly=True, ondelete="restrict")
    move_ids = fields.Many2many("account.move", string="Invoices", readonly=True)
    date = fields.Date(required=True, readonly=True)
    amount = fields.Monetary(string="Amount Due", currency_field="currency_id", readonly=True)
    body = fields.Html(readonly=True, sanitize=False)
    reason = fields.Selection(
        [("letter", "Stage letter"), ("no_email", "No email"), ("no_mobile", "No mobile")],
        required=True,
        default="letter",
        readonly=True,
        help="A letter of the stage, or the letter that replaces an email or SMS the customer cannot receive.",
    )
    address = fields.Text(compute="_compute_address")
    attachment_id = fields.Many2one("ir.attachment", string="PDF", readonly=True)
    message_id = fields.Many2one("mail.message", string="Chatter Message", readonly=True, ondelete="set null")
    printed = fields.Boolean(readonly=True, index=True)
    printed_date = fields.Datetime(string="Printed On", readonly=True)
    printed_uid = fields.Many2one("res.users", string="Printed By", readonly=True)

    @api.depends("partner_id")
    def _compute_address(self):
        for letter in self:
            letter.address = letter.partner_id._display_address(without_company=False)

    def action_print(self):
        """Print the selected letters as one PDF and mark them printed (who, when)."""
        if not self.env.user.has_group("credit_collection.group_credit_collector"):
            raise AccessError(self.env._("Only collectors print collection letters."))
        if not self:
            raise UserError(self.env._("Select the letters to print."))
        self.check_access("read")
        self.sudo().write({"printed": True, "printed_date": fields.Datetime.now(), "printed_uid": self.env.uid})
        return self.env.ref("credit_collection.action_report_collection_letter").report_action(self.ids)

    def _collection_attach_pdfs(self):
        """Render the letters' PDF in one report call and keep each one in its customer's chatter
        (on the message the run posted), so the letter stays with the customer once printed."""
        letters = self.filtered(lambda letter: not letter.attachment_id)
        if not letters:
            return
        Report = self.env["ir.actions.report"]
        report = "credit_collection.action_report_collection_letter"
        streams = {}
        testing = (
            modules.module.current_test
            or getattr(threading.current_thread(), "testing", False)
            or self.env.registry.in_test_mode()
        )
        # (in tests Odoo renders reports as HTML: one call per letter)
        if len(letters) > 1 and not testing:
            # one wkhtmltopdf call, split per letter (each letter starts with a heading)
            try:
                collected = Report._render_qweb_pdf_prepare_streams(report, {}, letters.ids)
                streams = {res_id: data["stream"].getvalue() for res_id, data in collected.items() if res_id}
            except UserError:
                streams = {}
        Attachment = self.env["ir.attachment"]
        for letter in letters:
            content = streams.get(letter.id)
            if content is None:
                content, _type = Report._render_qweb_pdf(report, letter.ids)
            attachment = Attachment.create(
                {
                    "name": f"{letter.name.replace('/', '_')}.pdf",
                    "raw": content,
                    "res_model": "res.partner",
                    "res_id": letter.partner_id.id,
                    "mimetype": "application/pdf",
                }
            )
            letter.attachment_id = attachment
            if letter.message_id:
                letter.message_id.sudo().attachment_ids = [(4, attachment.id)]
