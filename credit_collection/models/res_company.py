from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    credit_overdue_days = fields.Integer(
        string="Overdue Tolerance (days)",
        default=0,
        help="Refuse orders of customers with invoices overdue by more than this many days "
        "(and for more than the minimum amount). 0 disables the rule.",
    )
    credit_overdue_min_amount = fields.Monetary(
        string="Overdue Minimum Amount",
        currency_field="currency_id",
        default=0.0,
        help="The overdue rule applies only when the amount overdue beyond the tolerance exceeds this.",
    )
    credit_approval_validity_days = fields.Integer(
        string="Approval Validity (days)",
        default=7,
        help="A credit approval lets its order be confirmed for this many days after the decision.",
    )
    credit_approver_id = fields.Many2one(
        "res.users",
        help="Who receives approval requests. Empty: every credit manager of the company.",
    )

    @api.constrains("credit_overdue_days", "credit_overdue_min_amount", "credit_approval_validity_days")
    def _check_credit_settings(self):
        for company in self:
            if company.credit_overdue_days < 0 or company.credit_overdue_min_amount < 0:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the overdue tolerance (%(days)s days) and minimum amount (%(amount)s) "
                        "cannot be negative. Use 0 days to turn the overdue rule off.",
                        company=company.name,
                        days=company.credit_overdue_days,
                        amount=company.credit_overdue_min_amount,
                    )
                )
            if company.credit_approval_validity_days < 1:
                raise ValidationError(
                    self.env._(
                        "%(company)s: a credit approval must stay valid for at least one day (got %(days)s).",
                        company=company.name,
                        days=company.credit_approval_validity_days,
                    )
                )
