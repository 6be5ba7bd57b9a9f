from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    credit_overdue_days = fields.Integer(related="company_id.credit_overdue_days", readonly=False)
    credit_overdue_min_amount = fields.Monetary(related="company_id.credit_overdue_min_amount", readonly=False)
    credit_approval_validity_days = fields.Integer(related="company_id.credit_approval_validity_days", readonly=False)
    credit_approver_id = fields.Many2one(related="company_id.credit_approver_id", readonly=False)
    credit_usage_warning_percent = fields.Float(related="company_id.credit_usage_warning_percent", readonly=False)
    credit_prepaid_passes_hold = fields.Boolean(related="company_id.credit_prepaid_passes_hold", readonly=False)
    credit_no_limit_policy = fields.Selection(related="company_id.credit_no_limit_policy", readonly=False)

    def _inverse_account_default_credit_limit(self):
        # Refuse before Odoo stores the ir.default: nothing is written on bad input.
        for setting in self:
            if setting.account_default_credit_limit < 0:
                raise ValidationError(
                    self.env._(
                        "The default credit limit cannot be negative (got %(amount)s). Use 0 for no limit.",
                        amount=setting.account_default_credit_limit,
                    )
                )
        return super()._inverse_account_default_credit_limit()

    # ------------------------------------------------------------------
    # Collection stages
    # ------------------------------------------------------------------

    collection_strategy_id = fields.Many2one(related="company_id.collection_strategy_id", readonly=False)
    collection_promise_grace_days = fields.Integer(related="company_id.collection_promise_grace_days", readonly=False)
    collection_default_days_late = fields.Integer(related="company_id.collection_default_days_late", readonly=False)
    collection_fee_product_id = fields.Many2one(related="company_id.collection_fee_product_id", readonly=False)
    collection_statement_period = fields.Selection(related="company_id.collection_statement_period", readonly=False)
    collection_statement_months = fields.Integer(related="company_id.collection_statement_months", readonly=False)
    collection_bad_debt_account_id = fields.Many2one(
        related="company_id.collection_bad_debt_account_id", readonly=False
    )
    collection_writeoff_journal_id = fields.Many2one(
        related="company_id.collection_writeoff_journal_id", readonly=False
    )
    credit_provision_legal_rate = fields.Float(related="company_id.credit_provision_legal_rate", readonly=False)
    collection_allowance_account_id = fields.Many2one(
        related="company_id.collection_allowance_account_id", readonly=False
    )
    credit_provision_min_cohort = fields.Integer(related="company_id.credit_provision_min_cohort", readonly=False)

    # ------------------------------------------------------------------
    # First day: what is missing, and Odoo's own follow-ups
    # ------------------------------------------------------------------

    credit_setup_missing_html = fields.Html(
        string="Still Missing", compute="_compute_credit_setup_missing", sanitize=False
    )
    credit_setup_complete = fields.Boolean(compute="_compute_credit_setup_missing")
    collection_reminder_engine = fields.Selection(related="company_id.collection_reminder_engine", readonly=False)
    collection_followup_installed = fields.Boolean(
        string="Odoo Follow-ups Installed", compute="_compute_collection_followup_installed"
    )

    @api.depends("company_id")
    def _compute_credit_setup_missing(self):
        for setting in self:
            missing = setting.company_id._credit_setup_missing()
            setting.credit_setup_complete = not missing
            setting.credit_setup_missing_html = self.env["res.company"]._credit_setup_missing_html(missing)

    @api.depends("company_id")
    def _compute_collection_followup_installed(self):
        state = self.env["ir.module.module"].sudo()._get("account_followup").state
        for setting in self:
            setting.collection_followup_installed = state in ("installed", "to upgrade")

    payment_plan_approval_amount = fields.Monetary(
        related="company_id.payment_plan_approval_amount", currency_field="currency_id", readonly=False
    )
    payment_plan_approval_instalments = fields.Integer(
        related="company_id.payment_plan_approval_instalments", readonly=False
    )
    payment_plan_broken_hold = fields.Boolean(related="company_id.payment_plan_broken_hold", readonly=False)

    collection_reply_pause_days = fields.Integer(related="company_id.collection_reply_pause_days", readonly=False)
