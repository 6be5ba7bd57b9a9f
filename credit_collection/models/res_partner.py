from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# Fields that only credit managers may change: the segregation of duties the users asked for.
CREDIT_CONTROLLED_FIELDS = ("credit_limit", "credit_hold", "credit_hold_reason")
# Who reads what (README, Security): the credit position is what core shows accounting users, plus
# collectors; the credit file (score, reviews, guarantees) is for analysts and managers. Everyone
# who sells sees the available credit and the hold: whether an order passes.
POSITION_READERS = (
    "credit_collection.group_credit_collector,account.group_account_invoice,account.group_account_readonly"
)
FILE_READERS = "credit_collection.group_credit_analyst"


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Odoo's own limit, per company; we only add chatter tracking to it.
    credit_limit = fields.Float(tracking=True)
    credit_hold = fields.Boolean(
        company_dependent=True,
        copy=False,
        tracking=True,
        help="Stop supply: orders of this customer are refused in this company until the hold is lifted.",
    )
    credit_hold_reason = fields.Char(
        string="Hold Reason",
        company_dependent=True,
        copy=False,
        tracking=True,
    )
    credit_currency_id = fields.Many2one("res.currency", compute="_compute_credit_position")
    credit_limit_effective = fields.Monetary(
        string="Effective Credit Limit",
        compute="_compute_credit_position",
        currency_field="credit_currency_id",
        help="The customer's own limit, or the company default when it has none. 0 = no limit.",
        groups=POSITION_READERS,
    )
    credit_exposure = fields.Monetary(
        compute="_compute_credit_position",
        currency_field="credit_currency_id",
        help="Open receivables + draft invoices + confirmed orders not yet invoiced, in company currency.",
        groups=POSITION_READERS,
    )
    credit_exposure_receivable = fields.Monetary(
        string="Open Receivables",
        compute="_compute_credit_position",
        currency_field="credit_currency_id",
        groups=POSITION_READERS,
    )
    credit_exposure_draft = fields.Monetary(
        string="Draft Invoices",
        compute="_compute_credit_position",
        currency_field="credit_currency_id",
        groups=POSITION_READERS,
    )
    credit_exposure_orders = fields.Monetary(
        string="Orders Not Invoiced",
        compute="_compute_credit_position",
        currency_field="credit_currency_id",
        groups=POSITION_READERS,
    )
    credit_available = fields.Monetary(
        string="Available Credit", compute="_compute_credit_position", currency_field="credit_currency_id"
    )
    # The collection figures: one definition of "overdue" with the worklist and the aging
    # (credit.aging.engine._overdue_figures_query): credit notes and unapplied payments net it,
    # disputed invoices are left out and shown apart.
    credit_overdue_amount = fields.Monetary(
        string="Overdue Amount",
        compute="_compute_credit_overdue",
        currency_field="credit_currency_id",
        groups=POSITION_READERS,
        help="Open receivables due before today, credit notes and unapplied payments included, "
        "disputed invoices excluded (shown apart).",
    )
    credit_oldest_overdue_days = fields.Integer(
        string="Oldest Overdue (days)", compute="_compute_credit_overdue", groups=POSITION_READERS
    )
    credit_oldest_overdue_move = fields.Char(
        string="Oldest Overdue Invoice", compute="_compute_credit_overdue", groups=POSITION_READERS
    )
    credit_disputed_amount = fields.Monetary(
        string="Disputed",
        compute="_compute_credit_overdue",
        currency_field="credit_currency_id",
        groups=POSITION_READERS,
    )
    credit_disputed_count = fields.Integer(
        string="Disputed Invoices", compute="_compute_credit_overdue", groups=POSITION_READERS
    )
    credit_has_limit = fields.Boolean(compute="_compute_credit_position")
    credit_temporary_limit = fields.Monetary(
        string="Temporary Increase",
        compute="_compute_credit_position",
        currency_field="credit_currency_id",
        help="Temporary limit increases running today, included in the effective limit.",
        groups=POSITION_READERS,
    )
    credit_temporary_limit_ids = fields.One2many(
        "credit.limit.temporary", "partner_id", string="Temporary Limit Increases", context={"active_test": False}
    )
    credit_can_manage = fields.Boolean(compute="_compute_credit_can_manage")

    @api.depends_context("uid")
    def _compute_credit_can_manage(self):
        self.credit_can_manage = self._is_credit_manager()

    @api.depends_context("company")
    def _compute_credit_position(self):
        # Every field of the credit position (and of the credit file's limit) is computed here, from
        # one exposure statement for all the partners read: a form or a list runs it once.
        company = self.env.company
        exposures = self.env["credit.exposure"].sudo()._get_exposures(self.commercial_partner_id, company)
        for partner in self:
            partner.update(partner._credit_position_values(exposures.get(partner.commercial_partner_id.id), company))

    def _credit_position_values(self, exp, company):
        """The values of the fields computed by `_compute_credit_position` from the customer's
        exposure `exp` (None for a partner not in the database yet). Extend to add fields."""
        if not exp:
            return {
                "credit_currency_id": company.currency_id.id,
                "credit_limit_effective": 0.0,
                "credit_exposure": 0.0,
                "credit_exposure_receivable": 0.0,
                "credit_exposure_draft": 0.0,
                "credit_exposure_orders": 0.0,
                "credit_available": 0.0,
                "credit_has_limit": False,
                "credit_temporary_limit": 0.0,
            }
        return {
            "credit_currency_id": company.currency_id.id,
            "credit_limit_effective": exp.limit,
            "credit_has_limit": exp.has_limit,
            "credit_temporary_limit": exp.temporary_limit,
            "credit_exposure": exp.total,
            "credit_exposure_receivable": exp.receivable,
            "credit_exposure_draft": exp.draft_invoices,
            "credit_exposure_orders": exp.open_orders,
            "credit_available": exp.available,
        }

    @api.depends_context("company")
    def _compute_credit_overdue(self):
        # one query for all the partners read (a list): the engine's overdue figures
        company = self.env.company
        figures = self.env["credit.aging.engine"].sudo()._overdue_figures(self._origin.commercial_partner_id, company)
        move_ids = [fig["oldest_move_id"] for fig in figures.values() if fig["oldest_move_id"]]
        moves = self.env["account.move"].sudo().browse(move_ids)
        names = dict(zip(moves.ids, moves.mapped("name"), strict=True))
        for partner in self:
            fig = figures.get(partner._origin.commercial_partner_id.id) or {}
            partner.credit_overdue_amount = company.currency_id.round(fig.get("overdue_amount") or 0.0)
            partner.credit_oldest_overdue_days = fig.get("oldest_overdue_days") or 0
            partner.credit_oldest_overdue_move = names.get(fig.get("oldest_move_id")) or False
            partner.credit_disputed_amount = company.currency_id.round(fig.get("dispute_amount") or 0.0)
            partner.credit_disputed_count = fig.get("dispute_count") or 0

    # ------------------------------------------------------------------
    # Guards: who may change limits and holds, and what values are valid
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_credit_values(vals, self.browse())
        return super().create(vals_list)

    def write(self, vals):
        self._check_credit_values(vals, self)
        if "credit_limit" in vals:  # remembered for the "limit unchanged" early warning
            changed = self.filtered(lambda p: p.credit_limit != (vals["credit_limit"] or 0.0))
            res = super().write(vals)
            if changed:
                super(ResPartner, changed).write({"credit_limit_changed_on": fields.Date.context_today(self)})
            return res
        return super().write(vals)

    @api.model
    def _is_credit_manager(self):
        return self.env.su or self.env.user.has_group("credit_collection.group_credit_manager")

    def _check_credit_values(self, vals, partners):
        self._check_credit_file_values(vals, partners)
        self._check_collection_values(vals, partners)
        touched = [f for f in CREDIT_CONTROLLED_FIELDS if f in vals]
        if not touched:
            return
        if "credit_limit" in vals and (vals["credit_limit"] or 0.0) < 0:
            raise UserError(
                self.env._(
                    "A credit limit cannot be negative (got %(amount)s). Set 0 for no limit, or put the "
                    "customer on credit hold to stop all orders.",
                    amount=vals["credit_limit"],
                )
            )
        if partners:
            changed = any((p[fname] or False) != (vals[fname] or False) for p in partners for fname in touched)
        else:
            # The form sends every field on create: only values other than the defaults count.
            default_limit = self._fields["credit_limit"].get_company_dependent_fallback(self) or 0.0
            changed = (
                ("credit_limit" in vals and (vals["credit_limit"] or 0.0) != default_limit)
                or bool(vals.get("credit_hold"))
                or bool(vals.get("credit_hold_reason"))
            )
        if changed and not self._is_credit_manager():
            raise AccessError(
                self.env._(
                    "Only credit managers can change credit limits and credit holds (%(fields)s). "
                    "Ask a credit manager, or request a credit approval on the order.",
                    fields=", ".join(self._fields[f].string for f in touched),
                )
            )
        for partner in partners or [None]:
            hold = vals["credit_hold"] if "credit_hold" in vals else bool(partner and partner.credit_hold)
            if "credit_hold_reason" in vals:
                reason = vals["credit_hold_reason"]
            else:
                reason = partner.credit_hold_reason if partner else ""
            if hold and not (reason or "").strip():
                raise UserError(
                    self.env._(
                        "Putting %(customer)s on credit hold needs a reason (for the customer's file "
                        "and for the sales team). Fill in the hold reason and save again.",
                        customer=partner.display_name if partner else vals.get("name", ""),
                    )
                )

    def action_view_credit_approvals(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_collection.credit_approval_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action
