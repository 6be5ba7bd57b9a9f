"""Customers' Credit: every customer's credit position in the current company, one SQL statement.

The figures are not recomputed here: the exposure (and the hold, the grade, the guarantees and
temporary increases) is the order check's own statement (``credit.exposure._exposure_query``, pooled
over the company's root and its branches), run over all the company's customers at once; the overdue
figures are the aging engine's one definition (``credit.aging.engine._overdue_figures_query``, per
company, as the worklist and the customer form read them). Served as a reporting model
(``_auto = False``) so that every figure sorts, filters, groups and totals over the whole selection
in the database, not over the page the web client happens to have loaded.
"""

import datetime

from odoo import api, fields, models
from odoo.tools import SQL

from ..models.res_partner import FILE_READERS

# The columns of the exposure statement, in its order (``credit.exposure._get_exposures`` decodes
# them the same way); the columns of the extensions' ExposureFields follow, named after them.
EXPOSURE_COLUMNS = (
    "partner_id",
    "receivable",
    "draft",
    "orders",
    "raw_limit",
    "hold",
    "hold_reason",
    "pool_overdue",
    "pool_oldest_due",
    "late",
    "late_due",
    "input_ids",
)


class CreditCustomerReport(models.Model):
    _name = "credit.customer.report"
    _description = "Customers' Credit"
    _auto = False
    _rec_name = "partner_id"
    _order = "exposure desc, partner_id"

    # the ORM flushes these before reading the report
    _depends = {
        "account.move": ["state", "move_type", "amount_total_signed", "commercial_partner_id", "company_id"],
        "account.move.line": [
            "amount_residual",
            "balance",
            "date",
            "date_maturity",
            "reconciled",
            "parent_state",
            "partner_id",
            "account_id",
            "company_id",
            "price_total",
        ],
        "account.partial.reconcile": ["max_date", "amount"],
        "sale.order": ["state", "invoice_status", "amount_total", "currency_rate", "partner_invoice_id", "company_id"],
        "sale.order.line": ["invoice_lines"],
        "res.partner": [
            "commercial_partner_id",
            "customer_rank",
            "credit_limit",
            "credit_hold",
            "credit_hold_reason",
            "credit_grade_id",
            "credit_next_review_date",
            "credit_review_needed",
            "credit_collector_id",
            "user_id",
            "country_id",
            "active",
        ],
        "credit.grade": ["own_overdue_tolerance", "overdue_tolerance_days", "active"],
        "credit.guarantee": ["amount_company", "date_from", "date_to", "active", "partner_id", "company_id"],
        "credit.limit.temporary": ["amount", "date_from", "date_to", "active", "partner_id", "company_id"],
        "res.company": ["currency_id", "credit_overdue_days", "credit_overdue_min_amount"],
    }

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    grade_id = fields.Many2one("credit.grade", readonly=True)
    credit_limit = fields.Monetary(
        string="Limit",
        readonly=True,
        currency_field="currency_id",
        aggregator="sum",
        help="The limit the order check applies: the customer's own limit in the root company, else its "
        "default, plus valid guarantees and temporary increases. 0 = no limit.",
    )
    has_limit = fields.Boolean(readonly=True)
    exposure = fields.Monetary(
        readonly=True,
        currency_field="currency_id",
        help="Open receivables + draft invoices + confirmed orders not yet invoiced, in company currency, "
        "over the company and its branches: the order check's figure.",
    )
    receivable = fields.Monetary(string="Open Receivables", readonly=True, currency_field="currency_id")
    draft_invoices = fields.Monetary(readonly=True, currency_field="currency_id")
    open_orders = fields.Monetary(string="Orders Not Invoiced", readonly=True, currency_field="currency_id")
    available = fields.Monetary(
        string="Available Credit",
        readonly=True,
        currency_field="currency_id",
        help="Limit − exposure; empty for a customer without a limit.",
    )
    usage = fields.Float(
        string="Usage (%)",
        readonly=True,
        digits=(16, 1),
        aggregator="max",
        help="Exposure ÷ limit × 100; 0 for a customer without a limit.",
    )
    over_limit = fields.Boolean(string="Over the Limit", readonly=True)
    above_warning = fields.Boolean(
        string="Above the Usage Warning",
        readonly=True,
        help="Exposure past the company's usage warning share of the limit (Settings).",
    )
    overdue_amount = fields.Monetary(
        string="Overdue",
        readonly=True,
        currency_field="currency_id",
        help="Open receivables due before today in this company (credit notes and unapplied payments net "
        "it), disputed invoices excluded.",
    )
    oldest_overdue_days = fields.Integer(string="Oldest Overdue (days)", readonly=True, aggregator="max")
    disputed_amount = fields.Monetary(string="Disputed", readonly=True, currency_field="currency_id")
    late_amount = fields.Monetary(
        string="Overdue Beyond Tolerance",
        readonly=True,
        currency_field="currency_id",
        help="What the order check's overdue rule measures: open receivables overdue by more than the "
        "tolerance (the grade's own, else the company's), over the company and its branches.",
    )
    overdue_beyond_tolerance = fields.Boolean(
        string="Refused for Overdue",
        readonly=True,
        help="The overdue rule refuses this customer's orders (more than the minimum amount).",
    )
    hold = fields.Boolean(string="On Hold", readonly=True)
    hold_reason = fields.Char(readonly=True)
    next_review_date = fields.Date(string="Next Review", readonly=True, groups=FILE_READERS)
    review_due = fields.Boolean(
        readonly=True,
        groups=FILE_READERS,
        help="The next review date has come, or the daily check flagged the customer for a review.",
    )

    @property
    def _table_query(self):
        # PostgreSQL's JIT would compile this statement for longer than it runs (its cost estimate
        # grows with the customers' ids; about 1 s of compiling for 0.25 s of work at 2 000
        # customers): off for this transaction, which only reads.
        self.env.cr.execute("SET LOCAL jit = off")
        return self._customer_query(self.env.company, fields.Date.context_today(self))

    @api.model
    def _customer_ids(self, company):
        """The company's customers: commercial partners with a customer among their contacts, shared
        or of the companies the user works in. Read first and given to the statement as ids: the
        planner then knows how many customers it sums for (a sub-query makes it guess ten and loop)."""
        self.env["res.partner"].flush_model(["active", "commercial_partner_id", "company_id", "customer_rank"])
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id
                  FROM res_partner c
                 WHERE c.active
                   AND c.id = c.commercial_partner_id
                   AND (c.company_id IS NULL OR c.company_id = ANY(%(companies)s))
                   AND c.id IN (SELECT r.commercial_partner_id FROM res_partner r WHERE r.customer_rank > 0)
                """,
                companies=list({*self.env.companies.ids, company.id}),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _customer_query(self, company, today):
        exposure = self.env["credit.exposure"].sudo()
        # the same arguments as credit.exposure._get_exposures gives its statement
        tolerance = company.credit_overdue_days
        late_before = today - datetime.timedelta(days=tolerance) if tolerance > 0 else datetime.date.min
        extra_keys = [field.name for field in exposure._exposure_fields(company, [], today) if field.sql]
        statement = exposure._exposure_query(self._customer_ids(company), company, [], today, late_before)
        columns = SQL(", ").join(SQL.identifier(name) for name in (*EXPOSURE_COLUMNS, *extra_keys))
        figures = self.env["credit.aging.engine"].sudo()._overdue_figures_query(today, company)
        digits = company.currency_id.decimal_places
        prepay = company.credit_no_limit_policy == "prepay"
        # The limit as credit.exposure._get_exposures composes it: the root's (or its default), plus
        # valid guarantees when there is a limit, plus running temporary increases when there is a
        # limit or "no limit" means no credit.
        # The statement holds only the columns of the features the company uses (credit.exposure.
        # _exposure_features): a feature left out reads as its default, each on its own.
        keys = set(extra_keys)
        secured = (
            SQL("ROUND(COALESCE(e.guarantee_secured, 0), %s)", digits) if "guarantee_secured" in keys else SQL("0")
        )
        temporary = SQL("ROUND(COALESCE(e.temporary_limit, 0), %s)", digits) if "temporary_limit" in keys else SQL("0")
        if "grade" in keys:
            own_tolerance = SQL("COALESCE((e.grade ->> 'own_tolerance')::boolean, FALSE)")
            grade_late = SQL("ROUND(COALESCE((e.grade ->> 'late_amount')::numeric, 0), %s)", digits)
            grade_late_due = SQL("(e.grade ->> 'late_due')::date")
            grade_id = SQL("(e.grade ->> 'id')::int")
        else:
            grade_late = SQL("0")
            own_tolerance = SQL("FALSE")
            grade_late_due = SQL("NULL::date")
            grade_id = SQL("NULL::int")
        return SQL(
            """
            WITH e AS (SELECT * FROM (%(statement)s) AS e(%(columns)s)),
            fig AS (%(figures)s),
            lim AS (
                SELECT e.partner_id,
                       ROUND(COALESCE(e.raw_limit, %(default_limit)s), %(digits)s) AS base
                  FROM e
            ),
            pos AS (
                SELECT e.*,
                       ROUND(ROUND(e.receivable, %(digits)s) + ROUND(e.draft, %(digits)s)
                             + ROUND(e.orders, %(digits)s), %(digits)s) AS total,
                       CASE WHEN lim.base > 0 THEN lim.base + %(secured)s ELSE lim.base END
                       + CASE WHEN %(temporary)s != 0 AND (lim.base > 0 OR %(prepay)s) THEN %(temporary)s ELSE 0 END
                           AS eff_limit,
                       CASE WHEN %(own_tolerance)s THEN %(grade_late)s
                            WHEN %(tolerance)s > 0 THEN ROUND(e.late, %(digits)s) ELSE 0 END AS rule_late,
                       CASE WHEN %(own_tolerance)s THEN %(grade_late_due)s
                            WHEN %(tolerance)s > 0 THEN e.late_due END AS rule_late_due,
                       %(grade_id)s AS grade_id
                  FROM e
                  JOIN lim ON lim.partner_id = e.partner_id
            )
            SELECT pos.partner_id AS id,
                   pos.partner_id,
                   %(company_id)s AS company_id,
                   %(currency_id)s AS currency_id,
                   p.user_id,
                   (p.credit_collector_id ->> %(company_key)s)::int AS collector_id,
                   p.country_id,
                   pos.grade_id,
                   pos.eff_limit AS credit_limit,
                   pos.eff_limit > 0 AS has_limit,
                   pos.total AS exposure,
                   ROUND(pos.receivable, %(digits)s) AS receivable,
                   ROUND(pos.draft, %(digits)s) AS draft_invoices,
                   ROUND(pos.orders, %(digits)s) AS open_orders,
                   CASE WHEN pos.eff_limit > 0 THEN pos.eff_limit - pos.total END AS available,
                   CASE WHEN pos.eff_limit > 0 THEN ROUND(pos.total / pos.eff_limit * 100, 1) ELSE 0 END AS usage,
                   pos.eff_limit > 0 AND pos.total > pos.eff_limit AS over_limit,
                   pos.eff_limit > 0 AND %(warning)s > 0
                       AND pos.total > ROUND(pos.eff_limit * %(warning)s / 100, %(digits)s) AS above_warning,
                   ROUND(COALESCE(f.overdue_amount, 0), %(digits)s) AS overdue_amount,
                   COALESCE(f.oldest_overdue_days, 0) AS oldest_overdue_days,
                   ROUND(COALESCE(f.dispute_amount, 0), %(digits)s) AS disputed_amount,
                   pos.rule_late AS late_amount,
                   pos.rule_late_due IS NOT NULL AND pos.rule_late > %(minimum)s AS overdue_beyond_tolerance,
                   pos.hold,
                   NULLIF(pos.hold_reason, '') AS hold_reason,
                   (p.credit_next_review_date ->> %(company_key)s)::date AS next_review_date,
                   COALESCE((p.credit_review_needed ->> %(company_key)s)::boolean, FALSE)
                       OR COALESCE((p.credit_next_review_date ->> %(company_key)s)::date <= %(today)s, FALSE)
                       AS review_due
              FROM pos
              JOIN res_partner p ON p.id = pos.partner_id
              LEFT JOIN fig f ON f.partner_id = pos.partner_id AND f.company_id = %(company_id)s
            """,
            statement=statement,
            columns=columns,
            figures=figures,
            default_limit=exposure._default_credit_limit(company.sudo().root_id),
            digits=digits,
            secured=secured,
            temporary=temporary,
            prepay=prepay,
            own_tolerance=own_tolerance,
            grade_late=grade_late,
            grade_late_due=grade_late_due,
            grade_id=grade_id,
            tolerance=tolerance,
            company_id=company.id,
            company_key=str(company.id),
            currency_id=company.currency_id.id,
            warning=company.credit_usage_warning_percent,
            minimum=company.credit_overdue_min_amount,
            today=today,
        )

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "views": [(False, "form")],
        }
