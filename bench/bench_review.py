"""Benchmark of the credit file: self-contained, runs on whatever data the database holds.

``measure(env)`` returns [{metric, value, unit}]:
- the review's behaviour metrics for the customer with the most posted invoices (queries, time):
  a few SQL aggregates whatever the history;
- the early-warning check over every customer of the company (time, queries per customer).
Everything it writes is rolled back (savepoint), so it can run on a shared bench database.
"""

import time

from odoo import fields


def _count(env):
    return env.cr.sql_log_count


def measure(env):
    env = env(su=True)
    company = env.company
    results = []
    env.cr.execute(
        """
        SELECT commercial_partner_id, COUNT(*)
          FROM account_move
         WHERE company_id = %s AND state = 'posted' AND move_type = 'out_invoice'
         GROUP BY commercial_partner_id
         ORDER BY COUNT(*) DESC
         LIMIT 1
        """,
        [company.id],
    )
    row = env.cr.fetchone()
    with env.cr.savepoint(flush=False) as savepoint:
        if row:
            partner = env["res.partner"].browse(row[0])
            review = env["credit.review"].sudo().create({"partner_id": partner.id, "company_id": company.id})
            env.flush_all()
            env.invalidate_all()
            queries, start = _count(env), time.perf_counter()
            review._measure_behaviour()
            env.flush_all()
            elapsed = time.perf_counter() - start
            results += [
                {"metric": "review_behaviour_invoices", "value": row[1], "unit": "invoices"},
                {"metric": "review_behaviour_queries", "value": _count(env) - queries, "unit": "queries"},
                {"metric": "review_behaviour_time", "value": round(elapsed * 1000, 1), "unit": "ms"},
            ]
        warning = env["credit.warning"]
        today = fields.Date.context_today(warning)
        customers = env["res.partner"].with_company(company).search(warning._customer_domain(today))
        if customers:
            env.flush_all()
            env.invalidate_all()
            queries, start = _count(env), time.perf_counter()
            for offset in range(0, len(customers), 500):
                warning._check_customers(customers[offset : offset + 500], company, today)
            env.flush_all()
            elapsed = time.perf_counter() - start
            results += [
                {"metric": "warning_cron_customers", "value": len(customers), "unit": "customers"},
                {"metric": "warning_cron_time", "value": round(elapsed, 3), "unit": "s"},
                {
                    "metric": "warning_cron_queries_per_customer",
                    "value": round((_count(env) - queries) / len(customers), 2),
                    "unit": "queries/customer",
                },
            ]
        savepoint.rollback()
    env.invalidate_all()
    return results
