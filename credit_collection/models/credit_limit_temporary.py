from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools.misc import formatLang


class CreditLimitTemporary(models.Model):
    """A temporary credit limit increase: granted by a credit manager for a period, it adds to the
    customer's limit from its first to its last day (inclusive) and lapses by itself afterwards —
    the exposure statement reads it by date, so no job has to remove it."""

    _name = "credit.limit.temporary"
    _description = "Temporary Credit Limit Increase"
    _inherit = ["mail.thread"]
    _order = "date_from desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        ondelete="cascade",
        help="The customer (a contact or address given here is replaced by its company).",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True, tracking=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(string="Increase", required=True, tracking=True, help="Added to the customer's limit.")
    reason = fields.Char(required=True, tracking=True)
    date_from = fields.Date(string="From", required=True, default=fields.Date.context_today, tracking=True)
    date_to = fields.Date(string="To", required=True, tracking=True, help="Last day included.")
    granted_by_id = fields.Many2one("res.users", readonly=True, default=lambda self: self.env.user)
    active = fields.Boolean(default=True, tracking=True, help="Untick to withdraw the increase before its end.")
    state = fields.Selection(
        [("scheduled", "Scheduled"), ("running", "Running"), ("lapsed", "Lapsed")],
        compute="_compute_state",
    )

    _sql_constraints = [
        ("amount_positive", "CHECK (amount > 0)", "A temporary increase must be a positive amount."),
        ("dates_ordered", "CHECK (date_to >= date_from)", "A temporary increase must end on or after its start."),
    ]

    @api.depends("date_from", "date_to")
    @api.depends_context("date")
    def _compute_state(self):
        today = fields.Date.context_today(self)
        for line in self:
            if line.date_from and line.date_from > today:
                line.state = "scheduled"
            elif line.date_to and line.date_to < today:
                line.state = "lapsed"
            else:
                line.state = "running"

    @api.depends("partner_id", "amount", "date_to")
    def _compute_display_name(self):
        for line in self:
            line.display_name = self.env._(
                "+%(amount)s until %(date)s",
                amount=formatLang(self.env, line.amount, currency_obj=line.currency_id),
                date=line.date_to,
            )

    # ------------------------------------------------------------------
    # Who grants: credit managers only, checked here for every caller (form, RPC, import)
    # ------------------------------------------------------------------
    def _check_can_grant(self):
        if not self.env["res.partner"]._is_credit_manager():
            raise AccessError(self.env._("Only credit managers grant or change temporary credit limits."))

    @api.model_create_multi
    def create(self, vals_list):
        self._check_can_grant()
        for vals in vals_list:
            if vals.get("partner_id"):  # the limit belongs to the customer, not to a contact
                vals["partner_id"] = self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id.id
        lines = super().create(vals_list)
        for line in lines:
            line.partner_id.sudo().message_post(
                body=self.env._(
                    "Temporary credit limit increase of %(amount)s from %(start)s to %(end)s granted by "
                    "%(user)s: %(reason)s",
                    amount=formatLang(self.env, line.amount, currency_obj=line.currency_id),
                    start=line.date_from,
                    end=line.date_to,
                    user=self.env.user.name,
                    reason=line.reason,
                )
            )
        return lines

    def write(self, vals):
        self._check_can_grant()
        if vals.get("partner_id"):
            vals["partner_id"] = self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id.id
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        if not self.env.su:
            raise AccessError(
                self.env._("Temporary credit limits are part of the credit archive: archive them to withdraw them.")
            )

    @api.constrains("amount", "date_from", "date_to")
    def _check_values(self):
        for line in self:
            if line.currency_id.compare_amounts(line.amount, 0.0) <= 0 or line.date_to < line.date_from:
                raise ValidationError(
                    self.env._(
                        "A temporary increase needs a positive amount (got %(amount)s) and an end on or after "
                        "its start (%(start)s to %(end)s).",
                        amount=line.amount,
                        start=line.date_from,
                        end=line.date_to,
                    )
                )
