"""The "Credit & Collection" overview: today's key numbers of the current company, read from the
aging engine and the KPIs, with shortcuts to the graphs."""

from odoo import api, fields, models

from ..replica import retry_on_primary


class CreditOverview(models.TransientModel):
    _name = "credit.overview"
    _description = "Credit & Collection overview"

    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    total_ar = fields.Monetary("Open receivables", compute="_compute_figures")
    overdue_ar = fields.Monetary("Overdue", compute="_compute_figures")
    overdue_pct = fields.Float("Overdue (%)", digits=(16, 1), compute="_compute_figures")
    over_90_ar = fields.Monetary("Over 90 days past due", compute="_compute_figures")
    disputed_ar = fields.Monetary("Disputed", compute="_compute_figures")
    overdue_customers = fields.Integer("Customers overdue", compute="_compute_figures")
    dso = fields.Float("DSO (countback, days)", digits=(16, 1), compute="_compute_figures")
    best_dso = fields.Float("Best possible DSO", digits=(16, 1), compute="_compute_figures")
    add = fields.Float("ADD (days)", digits=(16, 1), compute="_compute_figures")
    cei = fields.Float("CEI this month (%)", digits=(16, 1), compute="_compute_figures")
    collection_rate = fields.Float("Collection rate this month (%)", digits=(16, 1), compute="_compute_figures")
    collected = fields.Monetary("Collected this month", compute="_compute_figures")
    target = fields.Monetary("Company target this month", compute="_compute_figures")
    allowance = fields.Monetary("Allowance (last posted run)", compute="_compute_figures")
    bad_debt_ratio = fields.Float(
        "Bad-debt ratio, 12 months (%)",
        digits=(16, 2),
        compute="_compute_figures",
        help="Invoices written off ÷ credit sales over the last 12 months.",
    )

    @api.depends("company_id")
    def _compute_display_name(self):
        # the breadcrumb of the screen (a form of an unsaved record would read "New")
        for overview in self:
            overview.display_name = self.env._("Credit & Collection overview")

    @api.model
    def action_open(self):
        """The menu's action: open a saved overview, so the breadcrumb names the screen."""
        overview = self.create({})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Overview"),
            "res_model": self._name,
            "res_id": overview.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    @api.readonly
    def web_read(self, specification):
        # the figures are the aging and KPI statements: served by a read replica when there is one;
        # the record itself was created by action_open a moment ago on the primary
        retry_on_primary(self)
        return super().web_read(specification)

    @api.depends("company_id")
    def _compute_figures(self):
        engine = self.env["credit.aging.engine"]
        today = fields.Date.context_today(self)
        for overview in self:
            company = overview.company_id or self.env.company
            cur = company.currency_id
            figures = engine.get_summary(as_of=today, companies=company)
            total, overdue = figures["total"], figures["overdue"]
            kpi = self.env["credit.kpi"].compute(company, today, months=1)
            row = kpi[0] if kpi else {}
            # a collector sees the allowance figure, not the runs themselves
            run = (
                self.env["credit.provision.run"]
                .sudo()
                .search([("company_id", "=", company.id), ("state", "=", "posted")], order="date desc", limit=1)
            )
            overview.update(
                {
                    "total_ar": cur.round(total),
                    "overdue_ar": cur.round(overdue),
                    # a share of the open total: customers in credit can make the net total smaller
                    # than the sum of the customers' overdue amounts
                    "overdue_pct": min(round(overdue / total * 100, 1), 100.0) if total > 0 else 0.0,
                    "over_90_ar": cur.round(figures["over_90"]),
                    "disputed_ar": cur.round(figures["disputed"]),
                    "overdue_customers": figures["overdue_customers"],
                    "dso": row.get("dso", 0.0),
                    "best_dso": row.get("best_dso", 0.0),
                    "add": row.get("add", 0.0),
                    "cei": row.get("cei", 0.0),
                    "collection_rate": row.get("collection_rate", 0.0),
                    "collected": row.get("collected", 0.0),
                    "target": row.get("target", 0.0),
                    "bad_debt_ratio": row.get("bad_debt_ratio", 0.0),
                    "allowance": run.closing_amount if run else 0.0,
                }
            )

    @api.readonly
    def action_aging_graph(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_collection.credit_aging_report_action")
        action["view_mode"] = "graph,pivot,list"
        action["views"] = [(False, "graph"), (False, "pivot"), (False, "list")]
        return action

    def action_kpi_graph(self):
        wizard = self.env["credit.kpi.wizard"].create({"company_id": (self.company_id or self.env.company).id})
        action = wizard.action_open()
        action["view_mode"] = "graph,list,pivot"
        return action
