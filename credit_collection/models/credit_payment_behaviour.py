"""How customers pay: days late, share paid late, predicted payment date.

One place for the payment history SQL, beside the aging engine (what is open at a date): the
invoice's predicted date, the worklist, the credit review and the cash-in forecast read it here."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL, float_round


class CreditPaymentBehaviour(models.AbstractModel):
    _name = "credit.payment.behaviour"
    _description = "Payment behaviour engine (days late, predicted payment date)"

    # ------------------------------------------------------------------ days late (paid invoices)
    @api.model
    def _days_late_query(self, partner_ids, company, today):
        """(partner_id, days) per customer: amount-weighted average of (last payment date - due
        date) over the customer invoices fully paid in the last 12 months; the payment date is the
        latest reconciliation of the receivable. partner_ids=None: every customer of the company
        (the cash-in forecast joins it as a sub-query)."""
        return SQL(
            """
            WITH paid AS (
                SELECT m.commercial_partner_id AS partner_id,
                       m.amount_total_signed AS amount,
                       m.invoice_date_due AS due,
                       MAX(apr.max_date) AS paid_on
                  FROM account_move m
                  JOIN account_move_line aml ON aml.move_id = m.id AND aml.display_type = 'payment_term'
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                 WHERE m.company_id = %(company)s
                   AND m.move_type = 'out_invoice'
                   AND m.state = 'posted'
                   AND m.payment_state IN ('paid', 'in_payment')
                   AND %(partner_filter)s
                   AND m.collection_writeoff_move_id IS NULL
              GROUP BY m.id
            )
            SELECT partner_id, SUM(amount * (paid_on - due)) / NULLIF(SUM(amount), 0) AS days
              FROM paid
             WHERE paid_on > %(since)s AND paid_on <= %(today)s
          GROUP BY partner_id
            """,
            company=company.id,
            partner_filter=(
                SQL("TRUE") if partner_ids is None else SQL("m.commercial_partner_id = ANY(%s)", list(partner_ids))
            ),
            since=today - timedelta(days=365),
            today=today,
        )

    @api.model
    def _days_late(self, partners, company, today=None):
        """{commercial partner id: average days late (float)} for partners with paid history."""
        if not partners:
            return {}
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(self._days_late_query(partners.commercial_partner_id.ids, company, today))
        return {pid: float(days) for pid, days in self.env.cr.fetchall() if days is not None}

    @api.model
    def _days_late_by_grade(self, company, today=None):
        """{grade id: average days late of the grade's customers with paid history} in `company`:
        the prediction's fallback for a customer without history of its own."""
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT (p.credit_grade_id ->> %(company)s)::int, AVG(d.days)
                  FROM (%(query)s) d
                  JOIN res_partner p ON p.id = d.partner_id
                 WHERE p.credit_grade_id ->> %(company)s IS NOT NULL
                 GROUP BY 1
                """,
                company=str(company.id),
                query=self._days_late_query(None, company, today),
            )
        )
        return {grade_id: float(days) for grade_id, days in self.env.cr.fetchall() if days is not None}

    # ------------------------------------------------------------------ predicted payment date
    @api.model
    def _expected_days_late(self, partners, company, today):
        """{commercial partner id: days late to expect}: the customer's own history, else the
        average of its grade's customers, else the company default."""
        days_late = self._days_late(partners, company, today)
        by_grade = {}
        if any(p.id not in days_late for p in partners):
            by_grade = self._days_late_by_grade(company, today)
        default = company.collection_default_days_late
        result = {}
        for partner in partners:
            late = days_late.get(partner.id)
            if late is None and by_grade:
                late = by_grade.get(partner.with_company(company).sudo().credit_grade_id.id)
            result[partner.id] = default if late is None else late
        return result

    @api.model
    def _predicted_date(self, due_date, days_late, today, is_open):
        """(predicted payment date, passed): the due date shifted by the days late, rounded half
        away from zero as SQL's ROUND in the cash-in forecast (Python's round() is banker's
        rounding: 2.5 -> 2). An open invoice whose usual date has passed is expected any day now:
        today, as the cash-in forecast counts it (never a date in the past)."""
        shift = int(float_round(days_late, precision_digits=0, rounding_method="HALF-UP"))
        predicted = due_date + timedelta(days=shift)
        passed = predicted < today and is_open
        return (today if passed else predicted), passed

    # ------------------------------------------------------------------ the credit review's figures
    @api.model
    def _review_figures_query(self, partner, company, today):
        """One row for the credit review, 12 months back from `today`: sales, amount-weighted days
        late and the amount they weigh, invoices paid or due late, invoices paid or due, peak
        receivable balance."""
        since = today - relativedelta(months=12)
        return SQL(
            """
            WITH inv AS (
                SELECT aml.balance AS amount,
                       COALESCE(aml.date_maturity, aml.date) AS due,
                       aml.reconciled,
                       (SELECT MAX(apr.max_date) FROM account_partial_reconcile apr
                         WHERE apr.debit_move_id = aml.id) AS paid_on
                  FROM account_move m
                  JOIN account_move_line aml ON aml.move_id = m.id
                  JOIN account_account acc ON acc.id = aml.account_id
                 WHERE m.commercial_partner_id = %(partner)s
                   AND m.company_id = %(company)s
                   AND m.state = 'posted'
                   AND m.move_type = 'out_invoice'
                   AND acc.account_type = 'asset_receivable'
                   AND aml.balance > 0
                   AND COALESCE(aml.date_maturity, aml.date) > %(since)s
                   AND COALESCE(aml.date_maturity, aml.date) <= %(today)s
            ),
            ar AS (
                SELECT aml.date AS day, SUM(SUM(aml.balance)) OVER (ORDER BY aml.date) AS balance
                  FROM account_move_line aml
                  JOIN res_partner lp ON lp.id = aml.partner_id
                  JOIN account_account acc ON acc.id = aml.account_id
                 WHERE lp.commercial_partner_id = %(partner)s
                   AND aml.company_id = %(company)s
                   AND %(receivable)s
                   AND aml.date <= %(today)s
                 GROUP BY aml.date
            )
            SELECT (SELECT COALESCE(SUM(m.amount_untaxed_signed), 0)
                      FROM account_move m
                     WHERE m.commercial_partner_id = %(partner)s
                       AND m.company_id = %(company)s
                       AND m.state = 'posted'
                       AND m.move_type IN ('out_invoice', 'out_refund')
                       AND m.invoice_date > %(since)s
                       AND m.invoice_date <= %(today)s),
                   (SELECT SUM(amount * GREATEST(paid_on - due, 0)) FILTER (WHERE reconciled) FROM inv),
                   (SELECT SUM(amount) FILTER (WHERE reconciled) FROM inv),
                   (SELECT COUNT(*) FILTER (WHERE (reconciled AND paid_on > due)
                                               OR (NOT reconciled AND due < %(today)s))
                      FROM inv),
                   (SELECT COUNT(*) FILTER (WHERE reconciled OR due < %(today)s) FROM inv),
                   (SELECT GREATEST(MAX(balance) FILTER (WHERE day > %(since)s),
                                    (ARRAY_AGG(balance ORDER BY day DESC) FILTER (WHERE day <= %(since)s))[1],
                                    0)
                      FROM ar)
            """,
            partner=partner.id,
            company=company.id,
            receivable=self.env["credit.aging.engine"]._receivable_item_sql(),
            since=since,
            today=today,
        )

    @api.model
    def _review_figures(self, partner, company, today):
        """(sales, late_weighted, paid_amount, late_count, due_count, peak) of `_review_figures_query`."""
        for model in ("account.move", "account.move.line", "account.partial.reconcile"):
            self.env[model].flush_model()
        self.env.cr.execute(self._review_figures_query(partner, company, today))
        return self.env.cr.fetchone()
