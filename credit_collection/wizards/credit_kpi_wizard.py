"""KPI report: the KPIs of credit.kpi per month and per company / salesperson / team, as
transient lines shown in list, pivot and graph views."""

from odoo import api, fields, models
from odoo.tools.misc import format_date

from ..models.credit_kpi import DIMENSIONS
from ..replica import primary


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
    # written by the wizard's action_open just before the views read them: on a read replica they
    # might not be there yet (see the mixin)
    _inherit = ["credit.primary.reads.mixin"]
    _description = "Collection KPIs of a month"
    _order = "month desc, id"

    wizard_id = fields.Many2one("credit.kpi.wizard", required=True, ondelete="cascade", index=True)
    month = fields.Date(required=True)
    period = fields.Char(compute="_compute_period", help="The month, as 'Dec 2026'.")
    company_id = fields.Many2one("res.company", required=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one("res.users", "Salesperson")
    team_id = fields.Many2one("crm.team", "Sales team")
    # balances: a total over several months reads the balance at the end (closing, current) or at the
    # start (opening) of the months grouped, summed over the customers' salespersons / teams
    # (see read_group); the day counts and percentages are averaged
    opening_ar = fields.Monetary("Opening AR", help="At the start of the month; over several months, of the first.")
    credit_sales = fields.Monetary()
    closing_ar = fields.Monetary("Closing AR", help="At the month end; over several months, at the last one's end.")
    current_ar = fields.Monetary(
        "Current AR", help="Not yet due at the month end; over several months, at the last one's end."
    )
    collected = fields.Monetary()
    dso = fields.Float(
        "DSO (countback)", digits=(16, 1), aggregator="avg", help="Days; over several months, their average."
    )
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

    _OPENING_BALANCES = ("opening_ar",)
    _CLOSING_BALANCES = ("closing_ar", "current_ar")

    @api.depends("month")
    def _compute_period(self):
        for line in self:
            line.period = format_date(self.env, line.month, date_format="MMM y") if line.month else False

    @api.model
    @primary  # an override of the mixin's read_group: it must carry the marker itself
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        """Balances are not summed over months (the pivot's Total row would add twelve month-end
        balances): a group's closing / current AR is the one of its last month, its opening AR the one
        of its first month, each summed over the group's salespersons or teams."""
        groups = super().read_group(domain, fields, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy)
        names = {spec.split(":")[0].split(" ")[0] for spec in fields}
        balances = [f for f in self._OPENING_BALANCES + self._CLOSING_BALANCES if f in names]
        if not balances:
            return groups
        for group in groups:
            lines = self.search(group.get("__domain", domain))
            if not lines:
                continue
            first, last = min(lines.mapped("month")), max(lines.mapped("month"))
            for name in balances:
                month = first if name in self._OPENING_BALANCES else last
                group[name] = sum(line[name] for line in lines if line.month == month)
        return groups
