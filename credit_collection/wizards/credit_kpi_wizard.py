"""KPI report: the KPIs of credit.kpi per month and per company / salesperson / team, as
transient lines shown in list, pivot and graph views."""

from odoo import fields, models

from ..models.credit_kpi import DIMENSIONS


class CreditKpiWizard(models.TransientModel):
    _name = "credit.kpi.wizard"
    _description = "Collection KPIs"

    date_to = fields.Date("Up to", required=True, default=fields.Date.context_today)
    months = fields.Integer(required=True, default=12)
    dimension = fields.Selection(
        [("company", "Company"), ("user", "Salesperson"), ("team", "Sales team")], required=True, default="company"
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    line_ids = fields.One2many("credit.kpi.line", "wizard_id")

    def _compute_lines(self):
        self.ensure_one()
        months = max(1, min(self.months, 36))
        rows = self.env["credit.kpi"].compute(self.company_id, self.date_to, months, self.dimension)
        self.line_ids.unlink()
        return self.env["credit.kpi.line"].create([{**row, "wizard_id": self.id} for row in rows])

    def action_open(self):
        self.ensure_one()
        self._compute_lines()
        group = DIMENSIONS[self.dimension]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Collection KPIs"),
            "res_model": "credit.kpi.line",
            "view_mode": "list,pivot,graph",
            "domain": [("wizard_id", "=", self.id)],
            "context": {"group_by_no_leaf": False, "pivot_row_groupby": ["month:month"], "kpi_group": group},
        }


class CreditKpiLine(models.TransientModel):
    _name = "credit.kpi.line"
    _description = "Collection KPIs of a month"
    _order = "month desc, id"

    wizard_id = fields.Many2one("credit.kpi.wizard", required=True, ondelete="cascade", index=True)
    month = fields.Date(required=True)
    company_id = fields.Many2one("res.company", required=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one("res.users", "Salesperson")
    team_id = fields.Many2one("crm.team", "Sales team")
    opening_ar = fields.Monetary("Opening AR")
    credit_sales = fields.Monetary()
    closing_ar = fields.Monetary("Closing AR")
    current_ar = fields.Monetary("Current AR", help="Not yet due at the month end.")
    collected = fields.Monetary()
    dso = fields.Float("DSO (countback)", digits=(16, 1), aggregator="avg")
    best_dso = fields.Float("Best possible DSO", digits=(16, 1), aggregator="avg")
    add = fields.Float("ADD", digits=(16, 1), aggregator="avg", help="Average days delinquent = DSO - best DSO.")
    cei = fields.Float("CEI (%)", digits=(16, 1), aggregator="avg")
    collection_rate = fields.Float("Collection rate (%)", digits=(16, 1), aggregator="avg")
    collection_basis = fields.Selection(
        [
            ("cash", "Cash received ÷ (opening AR + sales)"),
            ("applied", "Cash applied to own invoices ÷ (opening AR + sales)"),
        ]
    )
    written_off = fields.Monetary("Written off", help="Invoices written off in the month (write-offs in force).")
    bad_debt_ratio = fields.Float(
        "Bad-debt ratio, 12 months (%)",
        digits=(16, 2),
        aggregator="avg",
        help="Written off ÷ credit sales over the 12 months up to this month.",
    )
    target = fields.Monetary()
    achievement = fields.Float("Achievement (%)", digits=(16, 1), aggregator="avg")
