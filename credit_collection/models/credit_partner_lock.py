from odoo import fields, models


class CreditPartnerLock(models.Model):
    """One row per customer and root company, written by every credit decision.

    It exists only so that two concurrent confirmations for the same customer write the same
    row and PostgreSQL serializes them (see credit.exposure._lock_customers). The company is the
    root of the ordering company: the exposure pools a root and its branches, so confirmations in
    two branches of one root must meet on the same row.
    """

    _name = "credit.partner.lock"
    _description = "Credit decision lock"
    _log_access = False

    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    locked_at = fields.Datetime()

    _sql_constraints = [
        ("partner_company_uniq", "unique (partner_id, company_id)", "One lock row per customer and company."),
    ]
