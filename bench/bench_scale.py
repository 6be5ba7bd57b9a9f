"""Screens and mass actions at the size of a real customer base, self-contained.

``measure(env)`` returns [{metric, value, unit}] for the template's company:
- the Customers' Credit list as the web client reads it (first page of 80 rows + count, the
  `sum` totals over the whole selection): open, sort by exposure, filter over the limit, beside
  today's partner list (its page of non-stored computes, which cannot sort or filter by them);
- the mass statement job: customers per second through the background job, in batches;
- the provision run's aggregation: SQL sums vs the open items loaded into Python (peak memory);
- "Invoices in Collection": open, sort by stage / next date / predicted date, group by collector.
Everything it writes is rolled back (savepoint).
"""

import time
import tracemalloc

from odoo import Command, fields
from odoo.tools import config

LIST_FIELDS = {
    "partner_id": {"fields": {"display_name": {}}},
    "user_id": {"fields": {"display_name": {}}},
    "grade_id": {"fields": {"display_name": {}}},
    "currency_id": {"fields": {}},
    "credit_limit": {},
    "exposure": {},
    "available": {},
    "usage": {},
    "overdue_amount": {},
    "oldest_overdue_days": {},
    "hold": {},
    "hold_reason": {},
}
TOTALS = ["credit_limit:sum", "exposure:sum", "available:sum", "overdue_amount:sum"]


def _timed(env, func):
    env.flush_all()
    env.invalidate_all()
    queries, start = env.cr.sql_log_count, time.perf_counter()
    result = func()
    return result, time.perf_counter() - start, env.cr.sql_log_count - queries


def _list_metrics(env, prefix, model, domain, order, spec, totals=None):
    Model = env[model]

    def read():
        page = Model.web_search_read(domain, spec, limit=80, order=order, count_limit=10001)
        if totals:
            Model.read_group(domain, totals, [])
        return page

    page, elapsed, queries = _timed(env, read)
    return page, [
        {"metric": f"{prefix}_time", "value": round(elapsed, 3), "unit": "s"},
        {"metric": f"{prefix}_queries", "value": queries, "unit": "queries"},
    ]


def _customers_credit(env):
    results = []
    page, metrics = _list_metrics(env, "customers_credit_open", "credit.customer.report", [], None, LIST_FIELDS, TOTALS)
    results += [{"metric": "customers_credit_rows", "value": page["length"], "unit": "customers"}, *metrics]
    _page, metrics = _list_metrics(
        env, "customers_credit_sort_exposure", "credit.customer.report", [], "exposure desc", LIST_FIELDS, TOTALS
    )
    results += metrics
    _page, metrics = _list_metrics(
        env,
        "customers_credit_filter_over_limit",
        "credit.customer.report",
        [("over_limit", "=", True)],
        "usage desc",
        LIST_FIELDS,
        TOTALS,
    )
    results += metrics
    # today's list: res.partner with non-stored computes (a page only, no sort or filter on them)
    old_spec = {
        "display_name": {},
        "user_id": {"fields": {"display_name": {}}},
        "credit_limit_effective": {},
        "credit_exposure": {},
        "credit_available": {},
        "credit_overdue_amount": {},
        "credit_oldest_overdue_days": {},
        "credit_hold": {},
        "credit_hold_reason": {},
    }
    _page, metrics = _list_metrics(
        env,
        "customers_credit_before_page",
        "res.partner",
        [("is_company", "=", True), ("customer_rank", ">", 0)],
        None,
        old_spec,
    )
    results += metrics
    return results


def _statement_job(env, count=20):
    company = env.company
    customers = env["credit.customer.report"].search([("receivable", ">", 0)], limit=count).partner_id
    for partner in customers:
        partner.email = partner.email or f"bench{partner.id}@example.com"
    today = fields.Date.today()
    wizard = env["credit.statement.wizard"].create(
        {"date_from": today.replace(day=1), "date_to": today, "partner_ids": [Command.set(customers.ids)]}
    )
    _action, queue_time, _q = _timed(env, wizard.action_send)
    job = env["credit.collection.job"].search([("company_id", "=", company.id)], limit=1)

    def run():
        batches = 0
        while env["credit.collection.job"]._cron_process(batch_size=10, commit=False):
            batches += 1
        return batches + 1

    # wkhtmltopdf fetches its assets from a running HTTP server, which the bench has not: the
    # statements are rendered as HTML (what Odoo's test mode does); the PDF step is left out
    test_enable = config["test_enable"]
    config["test_enable"] = True
    try:
        batches, elapsed, queries = _timed(env, run)
    finally:
        config["test_enable"] = test_enable
    job.invalidate_recordset()
    return [
        {"metric": "statement_job_queue_time", "value": round(queue_time, 3), "unit": "s"},
        {"metric": "statement_job_customers", "value": job.total_count, "unit": "customers"},
        {"metric": "statement_job_batches", "value": batches, "unit": "batches of 10"},
        {"metric": "statement_job_sent", "value": job.sent_count, "unit": "customers"},
        {
            "metric": "statement_job_time_per_customer_without_pdf",
            "value": round(elapsed / max(job.total_count, 1), 3),
            "unit": "s",
        },
        {
            "metric": "statement_job_queries_per_customer",
            "value": round(queries / max(job.total_count, 1), 1),
            "unit": "queries",
        },
    ]


def _provision(env):
    company = env.company
    bucket_set = env.ref("credit_collection.aging_bucket_set_days")
    run = env["credit.provision.run"].new(
        {"company_id": company.id, "date": fields.Date.today(), "bucket_set_id": bucket_set.id}
    )
    results = []
    for name, func in (("sql", run._aggregates), ("python_items", run._items)):
        env.flush_all()
        tracemalloc.start()
        start = time.perf_counter()
        rows = func()
        elapsed = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results += [
            {"metric": f"provision_aggregate_{name}_time", "value": round(elapsed, 3), "unit": "s"},
            {"metric": f"provision_aggregate_{name}_peak_memory", "value": round(peak / 1024), "unit": "KiB"},
            {"metric": f"provision_aggregate_{name}_rows", "value": len(rows), "unit": "rows"},
        ]
    return results


def _invoices_in_collection(env):
    domain = [("move_type", "=", "out_invoice"), ("state", "=", "posted"), ("amount_residual", ">", 0)]
    spec = {
        "name": {},
        "partner_id": {"fields": {"display_name": {}}},
        "invoice_date_due": {},
        "amount_residual_signed": {},
        "collection_stage_id": {"fields": {"display_name": {}}},
        "collection_next_date": {},
        "collection_predicted_date": {},
    }
    results = []
    rows, metrics = _list_metrics(env, "invoices_in_collection_open", "account.move", domain, None, spec)
    results += [{"metric": "invoices_in_collection_rows", "value": rows["length"], "unit": "invoices"}, *metrics]
    for order in ("collection_stage_id", "collection_next_date", "collection_predicted_date"):
        try:
            _rows, metrics = _list_metrics(
                env, f"invoices_in_collection_sort_{order}", "account.move", domain, order, spec
            )
        except ValueError:  # a field the database cannot sort by
            metrics = [{"metric": f"invoices_in_collection_sort_{order}", "value": "not sortable", "unit": ""}]
        results += metrics
    try:
        _groups, elapsed, queries = _timed(
            env,
            lambda: env["account.move"].web_read_group(
                domain, ["amount_residual_signed:sum"], ["collection_collector_id"]
            ),
        )
        results += [
            {"metric": "invoices_in_collection_group_collector_time", "value": round(elapsed, 3), "unit": "s"},
            {"metric": "invoices_in_collection_group_collector_queries", "value": queries, "unit": "queries"},
        ]
    except ValueError:
        results.append({"metric": "invoices_in_collection_group_collector", "value": "not groupable", "unit": ""})
    return results


def measure(env):
    env = env(su=True)
    results = []
    with env.cr.savepoint(flush=False) as savepoint:
        results += _customers_credit(env)
        results += _provision(env)
        results += _invoices_in_collection(env)
        results += _statement_job(env)
        savepoint.rollback()
    env.invalidate_all()
    return results
