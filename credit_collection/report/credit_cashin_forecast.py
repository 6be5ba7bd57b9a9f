"""Cash-in forecast (docs/reports.md, "Cash-in forecast"): when the open customer invoices are expected to be paid.

One row per open receivable item of the current company (invoice instalments, credit notes,
unapplied payments, entries), so the forecast adds up to the open receivables: expected date = its
due date + the customer's amount-weighted average days late over the last 12 months (the collection
prediction, same SQL), or + the company's default days late for a customer without paid history; a
credit is expected on its own due date. An expected date already past is forecast for today (the
cash is late, not lost: "Expected date passed" shows those), unless it passed more than 90 days ago:
then the row has no forecast date and reads "Overdue, date uncertain". Amounts are the open
residuals in company currency, today. Disputed and legal invoices are flagged so they can be left out.
"""

from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL


class CreditCashinForecast(models.Model):
    _name = "credit.cashin.forecast"
    _description = "Cash-in forecast"
    _auto = False
    _order = "forecast_date, id"
    _rec_name = "move_id"
    _depends = {
        "account.move": ["amount_residual_signed", "state", "collection_dispute", "collection_legal"],
        "account.move.line": [
            "amount_residual",
            "balance",
            "date",
            "date_maturity",
            "partner_id",
            "account_id",
            "parent_state",
            "move_id",
            "company_id",
        ],
        "credit.payment.plan": ["state", "company_id", "partner_id", "move_ids", "fee_amount", "fee_move_id"],
        "credit.payment.plan.line": ["plan_id", "date", "amount", "sequence"],
        "sale.order.collection.milestone": ["order_id", "amount", "expected_date", "sequence"],
        "sale.order": ["state", "currency_rate"],
    }

    move_id = fields.Many2one("account.move", "Invoice", readonly=True)
    source = fields.Selection(
        [("invoice", "Invoice"), ("payment_plan", "Payment plan"), ("order_plan", "Order collection plan")],
        readonly=True,
        help="Invoice: due date + the customer's habit. Payment plan: the instalment dates of a running plan "
        "(its invoices are not counted again). Order collection plan: the milestones of confirmed orders not "
        "invoiced yet.",
    )
    payment_plan_id = fields.Many2one("credit.payment.plan", readonly=True)
    sale_order_id = fields.Many2one("sale.order", "Sales Order", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales team", readonly=True)
    due_date = fields.Date(readonly=True)
    expected_date = fields.Date(readonly=True, help="Due date + the customer's average days late.")
    forecast_date = fields.Date(readonly=True, help="The expected date, or today when it has passed.")
    expected_passed = fields.Boolean("Expected date passed", readonly=True)
    days_late = fields.Float("Expected days late", digits=(16, 1), aggregator="avg", readonly=True)
    from_history = fields.Boolean(
        "From payment history",
        readonly=True,
        help="The customer paid invoices in the last 12 months; otherwise the company's default days late.",
    )
    residual = fields.Monetary("Expected amount", readonly=True)
    disputed = fields.Boolean(readonly=True)
    legal = fields.Boolean("Legal / agency", readonly=True)

    horizon = fields.Selection(
        [("uncertain", "Overdue, date uncertain"), ("dated", "Expected")],
        readonly=True,
        help="Overdue, date uncertain: the expected date passed more than 90 days ago; such amounts are not "
        "forecast for any week.",
    )

    # past this many days after the expected date, a forecast date would be a guess
    UNCERTAIN_DAYS = 90

    @property
    def _table_query(self):
        company = self.env.company
        today = fields.Date.context_today(self)
        # every open receivable item dated up to today, as the aging engine reads them, so the
        # forecast adds up to the open receivables: invoice instalments, credit notes, unapplied
        # payments and entries; a credit (negative) is expected on its own due date, without delay
        return SQL(
            """
            WITH late AS (%(late)s)
            SELECT aml.id * 3 AS id,
                   'invoice' AS source,
                   NULL::int AS payment_plan_id,
                   NULL::int AS sale_order_id,
                   aml.move_id,
                   aml.company_id,
                   aml.company_currency_id AS currency_id,
                   i.partner_id,
                   m.invoice_user_id AS user_id,
                   m.team_id,
                   i.due_date,
                   e.expected_date,
                   CASE WHEN e.expected_date >= %(uncertain)s::date
                        THEN GREATEST(e.expected_date, %(today)s::date) END AS forecast_date,
                   CASE WHEN e.expected_date >= %(uncertain)s::date THEN 'dated' ELSE 'uncertain' END AS horizon,
                   e.expected_date < %(today)s::date AS expected_passed,
                   i.days AS days_late,
                   late.days IS NOT NULL AS from_history,
                   aml.amount_residual AS residual,
                   COALESCE(m.collection_dispute, FALSE) AS disputed,
                   COALESCE(m.collection_legal, FALSE) AS legal
              FROM account_move_line aml
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN account_move m ON m.id = aml.move_id
              LEFT JOIN res_partner p ON p.id = aml.partner_id
              LEFT JOIN late ON late.partner_id = COALESCE(p.commercial_partner_id, m.commercial_partner_id)
             CROSS JOIN LATERAL (
                   SELECT COALESCE(p.commercial_partner_id, m.commercial_partner_id) AS partner_id,
                          COALESCE(aml.date_maturity, aml.date) AS due_date,
                          CASE WHEN aml.amount_residual > 0 THEN COALESCE(late.days, %(default)s) ELSE 0 END AS days
             ) i
             CROSS JOIN LATERAL (SELECT i.due_date + ROUND(i.days)::int AS expected_date) e
             WHERE aml.company_id = %(company)s
               AND %(receivable)s
               AND aml.amount_residual != 0
               AND aml.date <= %(today)s
               -- the invoices of a running payment plan are forecast by its instalments (below)
               AND NOT EXISTS (SELECT 1 FROM credit_payment_plan_move_rel r
                                 JOIN credit_payment_plan pp ON pp.id = r.plan_id
                                WHERE r.move_id = aml.move_id AND pp.state = 'active')
            UNION ALL %(plans)s
            UNION ALL %(orders)s
            """,
            late=self.env["credit.payment.behaviour"]._days_late_query(None, company, today),
            receivable=self.env["credit.aging.engine"]._receivable_item_sql(),
            default=company.collection_default_days_late,
            company=company.id,
            today=today,
            uncertain=today - timedelta(days=self.UNCERTAIN_DAYS),
            plans=self._payment_plan_query(company, today),
            orders=self._order_plan_query(company, today),
        )

    def _order_plan_query(self, company, today):
        # The milestones of confirmed orders still to invoice: the order's posted invoices (less its
        # credit notes) consume the milestones in their order, so once invoiced a receipt is counted
        # by its invoice's rows only. Amounts converted at the order's rate.
        return SQL(
            """
            SELECT ms.id * 3 + 2 AS id,
                   'order_plan' AS source,
                   NULL::int AS payment_plan_id,
                   so.id AS sale_order_id,
                   NULL::int AS move_id,
                   so.company_id,
                   c.currency_id,
                   COALESCE(p.commercial_partner_id, so.partner_id) AS partner_id,
                   so.user_id,
                   so.team_id,
                   ms.expected_date AS due_date,
                   ms.expected_date,
                   GREATEST(COALESCE(ms.expected_date, %(today)s::date), %(today)s::date) AS forecast_date,
                   'dated' AS horizon,
                   COALESCE(ms.expected_date < %(today)s::date, FALSE) AS expected_passed,
                   0.0 AS days_late,
                   FALSE AS from_history,
                   ROUND((LEAST(ms.amount, GREATEST(0.0, ms.cum - COALESCE(inv.amount, 0.0)))
                          / COALESCE(NULLIF(so.currency_rate, 0), 1.0))::numeric, 2) AS residual,
                   FALSE AS disputed,
                   FALSE AS legal
              FROM (SELECT m.*, SUM(m.amount) OVER (PARTITION BY m.order_id ORDER BY m.sequence, m.id) AS cum
                      FROM sale_order_collection_milestone m) ms
              JOIN sale_order so ON so.id = ms.order_id
              JOIN res_company c ON c.id = so.company_id
              LEFT JOIN res_partner p ON p.id = so.partner_id
              LEFT JOIN (SELECT x.order_id, SUM(x.amount) AS amount
                           FROM (SELECT DISTINCT sol.order_id, am.id, am.amount_total_in_currency_signed AS amount
                                   FROM sale_order_line_invoice_rel r
                                   JOIN sale_order_line sol ON sol.id = r.order_line_id
                                   JOIN account_move_line aml ON aml.id = r.invoice_line_id
                                   JOIN account_move am ON am.id = aml.move_id
                                  WHERE am.state = 'posted' AND am.move_type IN ('out_invoice', 'out_refund')) x
                       GROUP BY x.order_id) inv ON inv.order_id = so.id
             WHERE so.state = 'sale'
               AND so.company_id = %(company)s
               AND LEAST(ms.amount, GREATEST(0.0, ms.cum - COALESCE(inv.amount, 0.0))) > 0
            """,
            today=today,
            company=company.id,
        )

    def _payment_plan_query(self, company, today):
        # Each instalment still due of a running plan, on its date (today once passed): what the
        # covered invoices' open amounts came down by is given to the instalments oldest first, as
        # credit.payment.plan._allocation does, so the rows add up to the covered open amount.
        return SQL(
            """
            SELECT l.id * 3 + 1 AS id,
                   'payment_plan' AS source,
                   l.plan_id AS payment_plan_id,
                   NULL::int AS sale_order_id,
                   NULL::int AS move_id,
                   l.company_id,
                   c.currency_id,
                   l.partner_id,
                   NULL::int AS user_id,
                   NULL::int AS team_id,
                   l.date AS due_date,
                   l.date AS expected_date,
                   GREATEST(l.date, %(today)s::date) AS forecast_date,
                   'dated' AS horizon,
                   l.date < %(today)s::date AS expected_passed,
                   0.0 AS days_late,
                   FALSE AS from_history,
                   LEAST(l.amount, GREATEST(0.0, l.cum - (l.total - po.outstanding))) AS residual,
                   FALSE AS disputed,
                   FALSE AS legal
              FROM (SELECT pl.*,
                           SUM(pl.amount) OVER (PARTITION BY pl.plan_id ORDER BY pl.date, pl.sequence, pl.id) AS cum,
                           SUM(pl.amount) OVER (PARTITION BY pl.plan_id) AS total
                      FROM credit_payment_plan_line pl) l
              JOIN (SELECT p.id AS plan_id,
                           SUM(m.amount_residual_signed)
                               + CASE WHEN p.fee_move_id IS NULL THEN COALESCE(p.fee_amount, 0.0) ELSE 0.0 END
                               AS outstanding
                      FROM credit_payment_plan p
                      JOIN credit_payment_plan_move_rel r ON r.plan_id = p.id
                      JOIN account_move m ON m.id = r.move_id
                     WHERE p.state = 'active' AND p.company_id = %(company)s
                  GROUP BY p.id) po ON po.plan_id = l.plan_id
              JOIN res_company c ON c.id = l.company_id
             WHERE LEAST(l.amount, GREATEST(0.0, l.cum - (l.total - po.outstanding))) > 0
            """,
            today=today,
            company=company.id,
        )
