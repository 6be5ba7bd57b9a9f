from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

EXPIRY_NOTICE_DAYS = 30


class CreditGuarantee(models.Model):
    """A guarantee, collateral or credit insurance covering a customer in one company."""

    _name = "credit.guarantee"
    _description = "Credit Guarantee"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_to, id"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, tracking=True
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    type_id = fields.Many2one("credit.guarantee.type", required=True, tracking=True)
    secures_credit = fields.Boolean(related="type_id.secures_credit")
    issuer = fields.Char(string="Issuer / Insurer", tracking=True)
    amount = fields.Monetary(required=True, tracking=True, currency_field="currency_id")
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id, tracking=True
    )
    amount_company = fields.Monetary(
        string="Amount (company currency)",
        compute="_compute_amount_company",
        store=True,
        currency_field="company_currency_id",
        help="Converted at the rate of the start date.",
    )
    date_from = fields.Date(string="Valid From", required=True, default=fields.Date.context_today, tracking=True)
    date_to = fields.Date(string="Valid To", tracking=True, help="Counts up to and including this day.")
    document = fields.Binary(attachment=True, copy=False)
    document_name = fields.Char()
    note = fields.Text()
    is_valid = fields.Boolean(string="Valid Today", compute="_compute_is_valid")
    expiry_notified = fields.Boolean(copy=False, readonly=True)

    @api.depends("amount", "currency_id", "company_id", "date_from")
    def _compute_amount_company(self):
        for guarantee in self:
            company = guarantee.company_id or self.env.company
            guarantee.amount_company = guarantee.currency_id._convert(
                guarantee.amount, company.currency_id, company, guarantee.date_from or fields.Date.today()
            )

    @api.depends("date_from", "date_to", "active")
    @api.depends_context("date")
    def _compute_is_valid(self):
        today = fields.Date.context_today(self)
        for guarantee in self:
            guarantee.is_valid = (
                guarantee.active
                and bool(guarantee.date_from)
                and guarantee.date_from <= today
                and (not guarantee.date_to or guarantee.date_to >= today)
            )

    @api.constrains("amount", "date_from", "date_to", "partner_id")
    def _check_guarantee(self):
        for guarantee in self:
            if guarantee.currency_id.compare_amounts(guarantee.amount, 0.0) <= 0:
                raise ValidationError(
                    self.env._(
                        "Guarantee %(ref)s: the amount must be positive (got %(amount)s).",
                        ref=guarantee.name,
                        amount=guarantee.amount,
                    )
                )
            if guarantee.date_to and guarantee.date_to < guarantee.date_from:
                raise ValidationError(
                    self.env._(
                        "Guarantee %(ref)s: it expires on %(to)s, before it starts on %(from)s. Check the dates.",
                        ref=guarantee.name,
                        to=guarantee.date_to,
                        **{"from": guarantee.date_from},
                    )
                )
            if guarantee.partner_id != guarantee.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Guarantee %(ref)s: register it on the company %(customer)s, not on a contact.",
                        ref=guarantee.name,
                        customer=guarantee.partner_id.commercial_partner_id.display_name,
                    )
                )

    @api.model
    def _cron_expiry_activities(self, today=None):
        """An activity for the customer's analyst 30 days before a guarantee expires (once)."""
        today = today or fields.Date.context_today(self)
        expiring = self.search(
            [
                ("expiry_notified", "=", False),
                ("date_to", "!=", False),
                ("date_to", ">=", today),
                ("date_to", "<=", today + timedelta(days=EXPIRY_NOTICE_DAYS)),
            ]
        )
        for guarantee in expiring:
            partner = guarantee.partner_id.with_company(guarantee.company_id)
            guarantee.activity_schedule(
                "credit_collection.mail_activity_type_credit_guarantee_expiry",
                date_deadline=guarantee.date_to,
                user_id=partner._credit_analyst().id,
                summary=self.env._(
                    "Guarantee %(ref)s of %(customer)s expires on %(date)s",
                    ref=guarantee.name,
                    customer=partner.display_name,
                    date=guarantee.date_to,
                ),
            )
        expiring.write({"expiry_notified": True})
        return len(expiring)

    def write(self, vals):
        if "date_to" in vals:
            vals = {**vals, "expiry_notified": False}  # a renewed guarantee gets a new notice
        return super().write(vals)
