from odoo import api, fields, models
from odoo.exceptions import AccessError

# The credit file's results: written by an approved review (or a credit manager), never by others.
CREDIT_FILE_FIELDS = ("credit_grade_id", "credit_score", "credit_last_review_date", "credit_next_review_date")


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Per company, like Odoo's credit_limit: a customer may be graded A in one company and C in another.
    credit_grade_id = fields.Many2one(
        "credit.grade", string="Credit Grade", company_dependent=True, tracking=True, copy=False
    )
    credit_score = fields.Float(string="Credit Score", company_dependent=True, tracking=True, copy=False)
    credit_last_review_date = fields.Date(string="Last Credit Review", company_dependent=True, copy=False)
    credit_next_review_date = fields.Date(
        string="Next Credit Review", company_dependent=True, tracking=True, copy=False
    )
    credit_review_needed = fields.Boolean(string="Credit Review Needed", company_dependent=True, copy=False)
    credit_review_reasons = fields.Text(string="Why a Review Is Needed", company_dependent=True, copy=False)
    credit_warning_codes = fields.Char(company_dependent=True, copy=False)  # signals already notified
    credit_warning_checked_on = fields.Date(company_dependent=True, copy=False)  # the warning cron's bookmark
    credit_limit_changed_on = fields.Date(string="Limit Changed On", company_dependent=True, copy=False)
    credit_analyst_id = fields.Many2one(
        "res.users",
        string="Credit Analyst",
        company_dependent=True,
        tracking=True,
        help="Receives review and warning activities for this customer.",
    )
    credit_review_ids = fields.One2many("credit.review", "partner_id", string="Credit Reviews")
    credit_guarantee_ids = fields.One2many("credit.guarantee", "partner_id", string="Guarantees")
    credit_guarantee_amount = fields.Monetary(
        string="Guarantees Securing Credit",
        compute="_compute_credit_file",
        currency_field="credit_currency_id",
        help="Valid guarantees of types that secure credit: added to the limit.",
    )
    credit_base_limit = fields.Monetary(
        string="Limit Before Guarantees", compute="_compute_credit_file", currency_field="credit_currency_id"
    )
    credit_review_count = fields.Integer(compute="_compute_credit_file")

    @api.depends_context("company")
    def _compute_credit_file(self):
        company = self.env.company
        exposures = self.env["credit.exposure"].sudo()._get_exposures(self.commercial_partner_id, company)
        counts = dict(
            self.env["credit.review"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            exp = exposures.get(partner.commercial_partner_id.id)
            partner.credit_guarantee_amount = exp.extra["guarantee_secured"] if exp else 0.0
            partner.credit_base_limit = exp.extra["base_limit"] if exp else 0.0
            partner.credit_review_count = counts.get(partner.commercial_partner_id, 0)

    def _check_credit_values(self, vals, partners):
        super()._check_credit_values(vals, partners)
        touched = [f for f in CREDIT_FILE_FIELDS if f in vals]
        if touched and not self._is_credit_manager():
            changed = any((p[f] or False) != (vals[f] or False) for p in partners for f in touched) or (
                not partners and any(vals[f] for f in touched)
            )
            if changed:
                raise AccessError(
                    self.env._(
                        "Only credit managers change a customer's grade, score and review dates (%(fields)s): "
                        "they come from an approved credit review.",
                        fields=", ".join(self._fields[f].string for f in touched),
                    )
                )

    def write(self, vals):
        if "credit_limit" in vals:
            changed = self.filtered(lambda p: p.credit_limit != (vals["credit_limit"] or 0.0))
            res = super().write(vals)
            if changed:
                super(ResPartner, changed).write({"credit_limit_changed_on": fields.Date.context_today(self)})
            return res
        return super().write(vals)

    def _credit_analyst(self):
        """Who gets the credit activities of this customer in the current company."""
        self.ensure_one()
        if self.credit_analyst_id:
            return self.credit_analyst_id
        last = (
            self.env["credit.review"]
            .sudo()
            .search(
                [("partner_id", "=", self.commercial_partner_id.id), ("company_id", "=", self.env.company.id)],
                order="review_date desc, id desc",
                limit=1,
            )
        )
        if last.user_id.active:
            return last.user_id
        if self.env.company.credit_approver_id:
            return self.env.company.credit_approver_id
        group = self.env.ref("credit_collection.group_credit_manager")
        managers = group.users.filtered(lambda u: self.env.company in u.company_ids and not u.share and u.active)
        return managers[:1] or self.env.user

    def action_new_credit_review(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Review"),
            "res_model": "credit.review",
            "view_mode": "form",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_view_credit_reviews(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_collection.credit_review_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action
