"""Aging report: one row per open receivable item at a date, read from the aging engine.

The as-of date, the basis and the bucket set come from the context (``credit_aging_date``,
``credit_aging_basis``, ``credit_aging_bucket_set_id``; default: today, the set's basis, the
"Days past due" set). The wizard opens the pivot / graph / list views with that context, so the
same views show today or any past date, and drilling down from a pivot cell lists the items of
that cell at that date. Companies are the ones selected in the company switcher.
"""

from odoo import api, fields, models
from odoo.tools import SQL


class CreditAgingReport(models.Model):
    _name = "credit.aging.report"
    _description = "Receivables aging"
    _auto = False
    _rec_name = "move_id"
    _order = "partner_id, age desc, id"

    # the ORM flushes these before reading the report
    _depends = {
        "account.move.line": [
            "balance",
            "amount_currency",
            "amount_residual",
            "amount_residual_currency",
            "reconciled",
            "date",
            "date_maturity",
            "partner_id",
            "account_id",
            "parent_state",
            "company_id",
            "currency_id",
        ],
        "account.move": ["invoice_date", "invoice_user_id", "team_id", "collection_dispute"],
        "account.partial.reconcile": ["amount", "debit_move_id", "credit_move_id", "max_date"],
        "credit.aging.bucket": ["set_id", "has_min", "min_value", "has_max", "max_value", "sequence"],
        "res.partner": ["commercial_partner_id", "country_id", "credit_grade_id"],
    }

    move_line_id = fields.Many2one("account.move.line", "Journal item", readonly=True)
    move_id = fields.Many2one("account.move", "Entry", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales team", readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    grade_id = fields.Many2one(
        "credit.grade", "Credit grade", readonly=True, help="The customer's grade in this company."
    )
    account_id = fields.Many2one("account.account", readonly=True)
    date = fields.Date(readonly=True)
    date_maturity = fields.Date("Due date", readonly=True)
    invoice_date = fields.Date(readonly=True)
    age = fields.Integer(readonly=True, aggregator="max", help="Days past due / since invoice, or started years")
    bucket_id = fields.Many2one("credit.aging.bucket", readonly=True)
    company_currency_id = fields.Many2one("res.currency", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount = fields.Monetary("Original amount", currency_field="company_currency_id", readonly=True)
    residual = fields.Monetary("Open amount", currency_field="company_currency_id", readonly=True)
    amount_currency = fields.Monetary("Original (currency)", currency_field="currency_id", readonly=True)
    residual_currency = fields.Monetary("Open (currency)", currency_field="currency_id", readonly=True)
    disputed = fields.Boolean(readonly=True)
    disputed_residual = fields.Monetary("Disputed amount", currency_field="company_currency_id", readonly=True)
    undisputed_residual = fields.Monetary("Undisputed", currency_field="company_currency_id", readonly=True)

    @property
    def _table_query(self):
        self.env["credit.aging.engine"]._without_jit()
        return SQL(
            """
            SELECT i.id, i.id AS move_line_id, i.move_id, i.company_id, i.partner_id, i.user_id, i.team_id,
                   i.country_id, i.account_id, i.date, i.date_maturity, i.invoice_date, i.age, i.bucket_id,
                   i.company_currency_id, i.currency_id, i.amount, i.residual, i.amount_currency,
                   i.residual_currency, i.disputed,
                   CASE WHEN i.disputed THEN i.residual ELSE 0 END AS disputed_residual,
                   CASE WHEN i.disputed THEN 0 ELSE i.residual END AS undisputed_residual
                   %(extra)s
              FROM (%(items)s) i
            """,
            extra=self._select_additional_fields(),
            items=self.env["credit.aging.engine"]._items_query(),
        )

    @api.model
    def _select_additional_fields(self):
        """Hook for extra columns of the engine read by this report: the customer's grade, and what an
        extension adds (it declares the field on this model and extends this method)."""
        return SQL(", i.grade_id")

    @api.readonly
    def action_open_item(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "views": [(False, "form")],
        }
