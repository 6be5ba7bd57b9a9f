"""Monthly collection targets (回款目标) per salesperson or sales team (or the whole company when
neither is set); achievement = cash collected in the month (credit.kpi) ÷ target."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import date_utils


class CreditCollectionTarget(models.Model):
    _name = "credit.collection.target"
    _description = "Collection target"
    _inherit = ["mail.thread"]
    _order = "month desc, user_id, team_id"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    month = fields.Date(
        required=True, default=lambda self: date_utils.start_of(fields.Date.context_today(self), "month")
    )
    user_id = fields.Many2one("res.users", "Salesperson", tracking=True)
    team_id = fields.Many2one("crm.team", "Sales team", tracking=True)
    amount = fields.Monetary("Target", required=True, tracking=True)

    _sql_constraints = [
        (
            "unique_target",
            "UNIQUE NULLS NOT DISTINCT (company_id, month, user_id, team_id)",
            "There is already a target for this month and salesperson / team.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("month"):
                vals["month"] = date_utils.start_of(fields.Date.to_date(vals["month"]), "month")
        return super().create(vals_list)

    @api.constrains("user_id", "team_id", "amount")
    def _check_target(self):
        for target in self:
            if target.user_id and target.team_id:
                raise ValidationError(self.env._("A target is for a salesperson or for a team, not both."))
            if target.amount < 0:
                raise ValidationError(
                    self.env._("A collection target cannot be negative (%(amount)s).", amount=target.amount)
                )

    @api.model
    def _targets(self, company, dimension, date_from, date_to):
        """{(month, key): amount} for the dimension ('company', 'user', 'team')."""
        domain = [("company_id", "=", company.id), ("month", ">=", date_from), ("month", "<=", date_to)]
        if dimension == "user":
            domain.append(("user_id", "!=", False))
        elif dimension == "team":
            domain.append(("team_id", "!=", False))
        else:
            domain += [("user_id", "=", False), ("team_id", "=", False)]
        result = {}
        for target in self.sudo().search(domain):
            key = {"user": target.user_id.id, "team": target.team_id.id}.get(dimension, company.id)
            result[(target.month, key)] = result.get((target.month, key), 0.0) + target.amount
        return result
