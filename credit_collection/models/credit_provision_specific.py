"""Specific provisions: customers or invoices assessed one by one (legal case, bankruptcy, ...).

Their open items leave the provision matrix and carry the specific rate instead (often 100 %).
"""

from odoo import api, fields, models

from ..mail_log import log_batch
from .provision_rate import check_provision_rate


class CreditProvisionSpecific(models.Model):
    _name = "credit.provision.specific"
    _description = "Specific provision"
    _inherit = ["mail.thread"]
    _order = "company_id, partner_id, id"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('parent_id', '=', False)]",
        help="Every open item of this customer (commercial entity) is provisioned at the specific rate, "
        "unless an invoice is given.",
    )
    move_id = fields.Many2one(
        "account.move",
        "Invoice",
        check_company=True,
        tracking=True,
        domain="[('move_type', 'in', ('out_invoice', 'out_refund')), ('commercial_partner_id', '=', partner_id)]",
        help="Leave empty to provision the whole customer.",
    )
    rate = fields.Float("Rate (%)", digits=(16, 4), default=100.0, required=True, tracking=True)
    reason = fields.Char("Provision Basis", required=True, tracking=True, help="Legal case, bankruptcy, ...")
    active = fields.Boolean(default=True, tracking=True)
    origin = fields.Selection(
        [("manual", "Assessed"), ("legal", "Legal handover")],
        default="manual",
        required=True,
        readonly=True,
        help="Legal handover: created when the invoice was handed over to legal or an agency, archived when it "
        "comes back; its rate can still be changed.",
    )

    @api.depends("partner_id", "move_id", "rate")
    def _compute_display_name(self):
        for spec in self:
            spec.display_name = f"{spec.move_id.name or spec.partner_id.display_name} ({spec.rate:g} %)"

    @api.constrains("rate")
    def _check_rate(self):
        check_provision_rate(
            self, "rate", lambda s: s.env._("the specific provision of %(name)s", name=s.partner_id.display_name)
        )

    @api.model
    def _sync_legal_cases(self, moves):
        """Keep one specific provision per invoice handed over to legal / an agency (the collection
        strategy's legal stage), at the company's legal-case rate: created on handover, archived when the invoice
        comes back, reactivated on a new handover. An invoice already assessed on its own
        (a manual provision for that invoice) keeps its assessment."""
        specifics = self.sudo().with_context(active_test=False)
        existing = specifics.search([("move_id", "in", moves.ids)])
        to_create = []
        for move in moves:
            own = existing.filtered(lambda s, move=move: s.move_id == move)
            legal = own.filtered(lambda s: s.origin == "legal")
            handed_over = (
                move.collection_legal
                and move.state == "posted"
                and move.move_type == "out_invoice"
                and move.company_id.credit_provision_legal_rate > 0
            )
            if not handed_over:
                legal.filtered("active").write({"active": False})
                continue
            if legal:
                legal.filtered(lambda s: not s.active).write({"active": True})
                continue
            if own.filtered("active"):
                continue
            to_create.append(
                {
                    "company_id": move.company_id.id,
                    "partner_id": move.commercial_partner_id.id,
                    "move_id": move.id,
                    "rate": move.company_id.credit_provision_legal_rate,
                    "origin": "legal",
                    "reason": self.env._(
                        "Legal case: %(invoice)s handed over to %(party)s on %(date)s",
                        invoice=move.name,
                        party=move.collection_legal_partner_id.display_name or self.env._("legal / agency"),
                        date=move.collection_legal_date or fields.Date.context_today(self),
                    )[:250],
                }
            )
        # in one create and one log for the many invoices a collection run hands over at once. Odoo's
        # create logs each provision's creation note with one message create per provision: logged
        # here in batch instead (the same note, `log_batch`); the creator still follows them (one
        # insert in Odoo's create). Its tracking templates are skipped: this model has none.
        quiet = self.env.context.get("tracking_disable") or self.env.context.get("mail_create_nolog")
        created = specifics.with_context(mail_create_nolog=True, mail_notrack=True).create(to_create)
        if created and not quiet:
            log_batch(created, dict.fromkeys(created.ids, created[0]._creation_message()))
        if created:
            log_batch(
                created.move_id,
                {
                    spec.move_id.id: self.env._(
                        "Specific provision at %(rate)s %% created for the legal handover.", rate=spec.rate
                    )
                    for spec in created
                },
            )
