"""The customer's credit file: grade, score, review dates, guarantees, reviews and who handles them."""

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .res_partner import FILE_READERS, POSITION_READERS

# The credit file's results: written by an approved review (or a credit manager), never by others.
CREDIT_FILE_FIELDS = ("credit_grade_id", "credit_score", "credit_last_review_date", "credit_next_review_date")


class ResPartner(models.Model):
    _inherit = "res.partner"

    # --- Credit file (grades, reviews, guarantees) ---
    # Per company, like Odoo's credit_limit: a customer may be graded A in one company and C in another.
    credit_grade_id = fields.Many2one(
        "credit.grade", company_dependent=True, tracking=True, copy=False, groups=POSITION_READERS
    )
    credit_score = fields.Float(company_dependent=True, tracking=True, copy=False, groups=FILE_READERS)
    credit_last_review_date = fields.Date(
        string="Last Credit Review", company_dependent=True, copy=False, groups=FILE_READERS
    )
    credit_next_review_date = fields.Date(
        string="Next Credit Review",
        company_dependent=True,
        tracking=True,
        copy=False,
        groups=FILE_READERS,
    )
    credit_review_needed = fields.Boolean(company_dependent=True, copy=False, groups=FILE_READERS)
    credit_review_reasons = fields.Text(
        string="Why a Review Is Needed", company_dependent=True, copy=False, groups=FILE_READERS
    )
    credit_warning_codes = fields.Char(
        company_dependent=True, copy=False, groups=FILE_READERS
    )  # signals already notified
    credit_warning_checked_on = fields.Date(
        company_dependent=True, copy=False, groups=FILE_READERS
    )  # the warning cron's bookmark
    credit_limit_changed_on = fields.Date(
        string="Limit Changed On", company_dependent=True, copy=False, groups=POSITION_READERS
    )
    credit_analyst_id = fields.Many2one(
        "res.users",
        company_dependent=True,
        tracking=True,
        help="Receives review and warning activities for this customer.",
        groups=FILE_READERS,
    )
    credit_review_ids = fields.One2many("credit.review", "partner_id", string="Credit Reviews", groups=FILE_READERS)
    credit_guarantee_ids = fields.One2many("credit.guarantee", "partner_id", string="Guarantees", groups=FILE_READERS)
    credit_guarantee_amount = fields.Monetary(
        string="Guarantees Securing Credit",
        compute="_compute_credit_position",
        currency_field="credit_currency_id",
        help="Valid guarantees of types that secure credit: added to the limit.",
        groups=FILE_READERS,
    )
    credit_base_limit = fields.Monetary(
        string="Limit Before Guarantees",
        compute="_compute_credit_position",
        currency_field="credit_currency_id",
        groups=POSITION_READERS,
    )
    credit_review_count = fields.Integer(compute="_compute_credit_file", groups=FILE_READERS)

    @api.depends_context("company")
    def _compute_credit_file(self):
        company = self.env.company
        # a count only (sales staff may see the number of reviews, not their content)
        counts = dict(
            self.env["credit.review"]
            .sudo()
            ._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", company.id)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.credit_review_count = counts.get(partner.commercial_partner_id, 0)

    def _credit_position_values(self, exp, company):
        # the limit's parts, from the same exposure statement as the position (one per read)
        values = super()._credit_position_values(exp, company)
        values["credit_guarantee_amount"] = exp.guarantee_secured if exp else 0.0
        values["credit_base_limit"] = exp.base_limit if exp else 0.0
        return values

    def _check_credit_file_values(self, vals, partners):
        grade = self.env["credit.grade"].browse(vals.get("credit_grade_id") or [])
        if grade and grade.sudo().company_id != self.env.company:
            # the grade is stored for the current company (company-dependent): it must be one of its own
            raise ValidationError(
                self.env._(
                    "Grade %(grade)s belongs to %(grade_company)s, not to %(company)s: choose one of "
                    "%(company)s's grades (switch company to grade the customer there).",
                    grade=grade.sudo().name,
                    grade_company=grade.sudo().company_id.name,
                    company=self.env.company.name,
                )
            )
        touched = [f for f in CREDIT_FILE_FIELDS if f in vals]
        if not touched or self._is_credit_manager():
            return
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
        return self.env.company._credit_approvers()[:1] or self.env.user

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
