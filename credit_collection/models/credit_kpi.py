"""Collection KPIs per month, company, salesperson or sales team (docs/reports.md, "Collection KPIs and targets").

All receivable figures come from the aging engine (AR at each month end, current = not yet due
at that date); credit sales = receivable side of posted customer invoices and refunds dated in the
month (tax included, net of refunds, company currency).

- Countback DSO: from the month-end AR walk back month by month; while the remaining AR is at
  least that month's credit sales, add the month's days and subtract its sales; else add
  remaining / sales × days and stop (12 months of history at most).
- Best possible DSO = current AR ÷ credit sales of the month × days of the month. ADD = DSO - best.
- CEI = (opening AR + credit sales - closing AR) ÷ (opening AR + credit sales - closing current AR) × 100.
- Collection rate = cash collected ÷ (opening AR + credit sales) × 100, where cash collected is
  * per company: credits to receivable accounts by payments and bank statement lines in the month
    (applied or not);
  * per salesperson / team: payments and bank lines reconciled in the month with that person's
    (team's) invoices, since an unapplied payment belongs to nobody.
  Each KPI line says which basis it shows.
- Written off = the receivable amounts of the invoices written off in the month with the collection
  write-off (still in force: a reversed write-off is no bad debt); bad-debt ratio = written off ÷
  credit sales over the 12 months up to the month × 100 (a single month is too spiky to read).
"""

from odoo import api, models
from odoo.tools import SQL, date_utils

DIMENSIONS = {"company": "company_id", "user": "user_id", "team": "team_id"}


def countback_dso(ar, months):
    """Countback DSO. `months`: [(credit sales, days)] from the latest month backwards."""
    remaining = ar
    dso = 0.0
    for sales, days in months:
        if remaining <= 0:
            break
        if sales > 0 and remaining < sales:
            return dso + remaining / sales * days
        dso += days
        remaining -= max(sales, 0.0)
    return dso


class CreditKpi(models.AbstractModel):
    _name = "credit.kpi"
    _description = "Collection KPIs"

    @api.model
    def _month_ends(self, date_to, months):
        end = date_utils.end_of(date_to, "month")
        result = []
        for _i in range(months):
            result.append(end)
            end = date_utils.start_of(end, "month") - date_utils.relativedelta(days=1)
        return result  # latest first

    @api.model
    def _dim_sql(self, dimension):
        return {"company": SQL("aml.company_id"), "user": SQL("m.invoice_user_id"), "team": SQL("m.team_id")}[dimension]

    @api.model
    def _by_month(self, query, company, start, end, dimension, **params):
        """{(month start, key): amount} of a query selecting (month, key, amount) over one company and
        a date range; %(dim)s in it is the key of the dimension."""
        self.env.cr.execute(
            SQL(
                query,
                dim=self._dim_sql(dimension),
                receivable=self.env["credit.aging.engine"]._receivable_item_sql(),
                company=company.id,
                start=start,
                end=end,
                **params,
            )
        )
        return {(month, key): amount for month, key, amount in self.env.cr.fetchall()}

    @api.model
    def _sales(self, company, start, end, dimension):
        """{(month start, key): credit sales}."""
        query = """
            SELECT date_trunc('month', aml.date)::date, %(dim)s, SUM(aml.balance)
              FROM account_move_line aml
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN account_move m ON m.id = aml.move_id
             WHERE %(receivable)s
               AND aml.company_id = %(company)s AND m.move_type IN ('out_invoice', 'out_refund')
               AND aml.date BETWEEN %(start)s AND %(end)s
             GROUP BY 1, 2
            """
        return self._by_month(query, company, start, end, dimension)

    @api.model
    def _collected(self, company, start, end, dimension):
        """{(month start, key): cash collected} (see the module docstring for the two bases)."""
        cash = SQL("(cm.origin_payment_id IS NOT NULL OR cm.statement_line_id IS NOT NULL)")
        if dimension == "company":
            query = """
                SELECT date_trunc('month', aml.date)::date, aml.company_id, -SUM(aml.balance)
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN account_move cm ON cm.id = aml.move_id
                 WHERE %(receivable)s
                   AND aml.company_id = %(company)s AND %(cash)s
                   AND aml.date BETWEEN %(start)s AND %(end)s
                 GROUP BY 1, 2
                """
        else:
            query = """
                SELECT date_trunc('month', apr.max_date)::date, %(dim)s, SUM(apr.amount)
                  FROM account_partial_reconcile apr
                  JOIN account_move_line aml ON aml.id = apr.debit_move_id
                  JOIN account_move m ON m.id = aml.move_id
                  JOIN account_move_line cl ON cl.id = apr.credit_move_id
                  JOIN account_move cm ON cm.id = cl.move_id
                  JOIN account_account acc ON acc.id = aml.account_id
                 WHERE apr.company_id = %(company)s AND acc.account_type = 'asset_receivable'
                   AND m.move_type = 'out_invoice' AND %(cash)s
                   AND apr.max_date BETWEEN %(start)s AND %(end)s
                 GROUP BY 1, 2
                """
        return self._by_month(query, company, start, end, dimension, cash=cash)

    @api.model
    def _written_off(self, company, start, end, dimension):
        """{(month start, key): receivable amount written off}, by the write-off's date; the key is
        the written-off invoice's company, salesperson or team."""
        query = """
            SELECT date_trunc('month', w.date)::date, %(dim)s, -SUM(aml.balance)
              FROM account_move m
              JOIN account_move w ON w.id = m.collection_writeoff_move_id AND w.state = 'posted'
              JOIN account_move_line aml ON aml.move_id = w.id  -- the write-off's receivable side
              JOIN account_account acc ON acc.id = aml.account_id AND acc.account_type = 'asset_receivable'
             WHERE m.company_id = %(company)s AND w.date BETWEEN %(start)s AND %(end)s
             GROUP BY 1, 2
            """
        return self._by_month(query, company, start, end, dimension)

    @api.model
    @api.readonly
    def compute(self, company, date_to, months=12, dimension="company"):
        """KPI rows, latest month first: one dict per (month, key of the dimension)."""
        engine = self.env["credit.aging.engine"]
        engine._check_reader()
        company = engine._check_companies(company)
        self.env.flush_all()
        cur = company.currency_id
        history = 12
        ends = self._month_ends(date_to, months + history)
        first = date_utils.start_of(ends[-1], "month")
        sales = self._sales(company, first, ends[0], dimension)
        collected = self._collected(company, first, ends[0], dimension)
        written_off = self._written_off(company, first, ends[0], dimension)
        group_key = DIMENSIONS[dimension]
        ar = {}
        for end in ends[: months + 1]:
            totals = engine.get_totals(group_key, as_of=end, companies=company)
            ar[end] = {key: (g["total"], g["current"]) for key, g in totals.items()}
        targets = self.env["credit.collection.target"]._targets(company, dimension, ends[-1], ends[0])
        rows = []
        for index, end in enumerate(ends[:months]):
            start = date_utils.start_of(end, "month")
            prev_end = ends[index + 1]
            keys = set(ar[end]) | set(ar[prev_end]) | {k for (m, k) in sales if m == start}
            keys |= {k for (m, k) in collected if m == start}
            keys |= {k for (m, k) in written_off if m == start}
            keys |= {k for (m, k) in targets if m == start}
            for key in keys:
                closing, current = ar[end].get(key, (0.0, 0.0))
                opening = ar[prev_end].get(key, (0.0, 0.0))[0]
                month_sales = sales.get((start, key), 0.0)
                days = end.day
                history_months = [
                    (sales.get((date_utils.start_of(e, "month"), key), 0.0), e.day)
                    for e in ends[index : index + history]
                ]
                dso = countback_dso(closing, history_months)
                best = current / month_sales * days if month_sales > 0 else 0.0
                cash = collected.get((start, key), 0.0)
                base = opening + month_sales
                cei_den = opening + month_sales - current
                target = targets.get((start, key), 0.0)
                year = [date_utils.start_of(e, "month") for e in ends[index : index + 12]]
                year_sales = sum(sales.get((month, key), 0.0) for month in year)
                year_written_off = sum(written_off.get((month, key), 0.0) for month in year)
                rows.append(
                    {
                        "month": start,
                        "company_id": company.id,
                        group_key: key if dimension != "company" else company.id,
                        "opening_ar": cur.round(opening),
                        "credit_sales": cur.round(month_sales),
                        "closing_ar": cur.round(closing),
                        "current_ar": cur.round(current),
                        "collected": cur.round(cash),
                        "dso": round(dso, 1),
                        "best_dso": round(best, 1),
                        "add": round(dso - best, 1),
                        "cei": round((opening + month_sales - closing) / cei_den * 100, 1) if cei_den else 0.0,
                        "collection_rate": round(cash / base * 100, 1) if base > 0 else 0.0,
                        "collection_basis": "cash" if dimension == "company" else "applied",
                        "written_off": cur.round(written_off.get((start, key), 0.0)),
                        "bad_debt_ratio": round(year_written_off / year_sales * 100, 2) if year_sales > 0 else 0.0,
                        "target": cur.round(target),
                        "achievement": round(cash / target * 100, 1) if target else 0.0,
                    }
                )
        return rows
