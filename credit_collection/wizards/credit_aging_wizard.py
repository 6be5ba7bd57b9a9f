"""Aging wizard: pick a date, basis, bucket set, grouping and filters; open the pivot / graph /
list of credit.aging.report at that date, or export XLSX / PDF of the same figures."""

from urllib.parse import urlencode

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

GROUPBY = [
    ("partner_id", "Customer"),
    ("user_id", "Salesperson"),
    ("team_id", "Sales team"),
    ("country_id", "Country"),
    ("grade_id", "Credit grade"),
    ("company_id", "Company"),
]
EXPORT_MANY2MANY = ("company_ids", "partner_ids", "user_ids", "team_ids", "grade_ids")


class CreditAgingWizard(models.TransientModel):
    _name = "credit.aging.wizard"
    _description = "Aging report parameters"

    date = fields.Date("As of", required=True, default=fields.Date.context_today)
    bucket_set_id = fields.Many2one(
        "credit.aging.bucket.set",
        required=True,
        default=lambda self: self.env["credit.aging.engine"]._default_bucket_set(),
    )
    basis = fields.Selection(
        [("due", "Days past due"), ("invoice", "Age since invoice date")],
        required=True,
        default="due",
    )
    groupby = fields.Selection(GROUPBY, "Group by", required=True, default="partner_id")
    company_ids = fields.Many2many("res.company", string="Companies", default=lambda self: self.env.companies)
    partner_ids = fields.Many2many("res.partner", string="Customers")
    user_ids = fields.Many2many("res.users", string="Salespersons")
    team_ids = fields.Many2many("crm.team", string="Sales teams")
    grade_ids = fields.Many2many("credit.grade", string="Credit grades")
    exclude_disputed = fields.Boolean("Leave out disputed invoices")

    @api.onchange("bucket_set_id")
    def _onchange_bucket_set_id(self):
        if self.bucket_set_id:
            self.basis = "invoice" if self.bucket_set_id.unit == "years" else self.bucket_set_id.basis

    # ------------------------------------------------------------------ what the views and exports read
    def _report_context(self):
        self.ensure_one()
        return {
            "credit_aging_date": fields.Date.to_string(self.date),
            "credit_aging_basis": self.basis,
            "credit_aging_bucket_set_id": self.bucket_set_id.id,
        }

    def _report_domain(self):
        self.ensure_one()
        domain = [("company_id", "in", (self.company_ids or self.env.companies).ids)]
        if self.partner_ids:
            domain.append(("partner_id", "in", self.partner_ids.commercial_partner_id.ids))
        if self.user_ids:
            domain.append(("user_id", "in", self.user_ids.ids))
        if self.team_ids:
            domain.append(("team_id", "in", self.team_ids.ids))
        if self.grade_ids:
            domain.append(("grade_id", "in", self.grade_ids.ids))
        if self.exclude_disputed:
            domain.append(("disputed", "=", False))
        return domain

    def _report(self):
        return self.env["credit.aging.report"].with_context(**self._report_context())

    def _summary(self):
        """[(group record, {bucket_id: amount}, total)], buckets, column totals, grand total (cents)."""
        self.ensure_one()
        report = self._report()
        buckets = self.bucket_set_id.bucket_ids.sorted("sequence")
        rows = {}
        for group, bucket, amount in report._read_group(
            self._report_domain(), [self.groupby, "bucket_id"], ["residual:sum"]
        ):
            rows.setdefault(group, {})[bucket.id] = amount
        currency = self.env.company.currency_id
        lines = []
        for group, amounts in sorted(rows.items(), key=lambda kv: kv[0].display_name or ""):
            lines.append((group, amounts, currency.round(sum(amounts.values()))))
        column_totals = {b.id: currency.round(sum(a.get(b.id, 0.0) for _g, a, _t in lines)) for b in buckets}
        return lines, buckets, column_totals, currency.round(sum(t for _g, _a, t in lines))

    # ------------------------------------------------------------------ actions
    def action_open_pivot(self):
        return self._open_views("pivot")

    def action_open_graph(self):
        return self._open_views("graph")

    def _open_views(self, first):
        self.ensure_one()
        views = [(self.env.ref(f"credit_collection.credit_aging_report_view_{first}").id, first)]
        views += [
            (self.env.ref(f"credit_collection.credit_aging_report_view_{mode}").id, mode)
            for mode in ("pivot", "graph", "list")
            if mode != first
        ]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Aging at %(date)s (%(set)s)", date=fields.Date.to_string(self.date), set=self.bucket_set_id.name
            ),
            "res_model": "credit.aging.report",
            "views": views,
            "domain": self._report_domain(),
            "context": {
                **self._report_context(),
                "pivot_row_groupby": [self.groupby],
                "pivot_column_groupby": ["bucket_id"],
                "graph_groupbys": [self.groupby, "bucket_id"],
                "search_default_groupby_" + self.groupby: 1,
            },
        }

    def action_export_xlsx(self):
        """Download through a read-only route (served by a read replica when Odoo has one): the
        link carries the parameters, not this wizard, which the replica may not have yet."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/credit_collection/aging/xlsx?{urlencode(self._export_params())}",
            "target": "self",
        }

    def _export_params(self):
        self.ensure_one()
        params = {
            "date": fields.Date.to_string(self.date),
            "bucket_set_id": self.bucket_set_id.id,
            "basis": self.basis,
            "groupby": self.groupby,
            "exclude_disputed": int(self.exclude_disputed),
        }
        for name in EXPORT_MANY2MANY:
            params[name] = ",".join(str(record_id) for record_id in self[name].ids)
        return params

    @api.model
    def _from_export_params(self, params):
        """The wizard of `_export_params`, in memory only (nothing written: a read-only request)."""

        def ids(name):
            return [int(part) for part in (params.get(name) or "").split(",") if part.isdigit()]

        groupby = params.get("groupby")
        values = {
            "date": fields.Date.to_date(params.get("date")) or fields.Date.context_today(self),
            "bucket_set_id": int(params["bucket_set_id"]) if str(params.get("bucket_set_id", "")).isdigit() else False,
            "basis": params.get("basis") if params.get("basis") in ("due", "invoice") else "due",
            "groupby": groupby if groupby in dict(GROUPBY) else "partner_id",
            "exclude_disputed": params.get("exclude_disputed") == "1",
        }
        for name in EXPORT_MANY2MANY:
            values[name] = [Command.set(ids(name))]
        wizard = self.new(values)
        wizard.bucket_set_id = wizard.bucket_set_id.exists() or self.env["credit.aging.engine"]._default_bucket_set()
        return wizard

    def _export_file_name(self):
        return f"aging_{fields.Date.to_string(self.date)}.xlsx"

    def action_export_pdf(self):
        self.ensure_one()
        if not self.bucket_set_id.bucket_ids:
            raise UserError(self.env._("Bucket set %(name)s has no buckets.", name=self.bucket_set_id.name))
        return self.env.ref("credit_collection.credit_aging_report_pdf").report_action(self)
