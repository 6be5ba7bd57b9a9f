"""Benchmark of the aging engine, self-contained: `measure(env)` on any database.

Measures, for the current company, at today and at the same day a year back:
- the aging summary by customer and bucket (credit.aging.engine.get_totals, what the pivot and the
  exports read): wall time, SQL queries, peak Python memory;
- the aging report model's read_group (what the pivot view runs);
- the floor: one bare SQL sum of the same residuals (today's residuals plus the partial
  reconciliations dated after the date, no buckets, no customers), and the ratio engine / floor;
- whether the aging total equals the floor and the receivable ledger balance at the date;
- the XLSX export of today's aging (summary sheet and one detail row per open item): time, queries;
- a bad-debt provision run at the end of this month (engine, cohort rates, allowance): time, queries;
- with the bench harness's `ctx` and the OCA copy present: OCA account_financial_report's aged
  partner balance (18.0) on the same company, date and receivable accounts, posted entries only:
  the data its report computes (`report.account_financial_report.aged_partner_balance`
  `._get_report_values`, what the PDF, HTML and XLSX exports render), not the rendering; wall time,
  queries, peak Python memory, whether its total equals the floor, and the ratios engine / OCA.
Run it from an Odoo shell: `from bench.bench_aging import measure; print(measure(env))`, or let the
bench harness import it.
"""

import time
import tracemalloc
from datetime import date, timedelta

from odoo.tools import SQL


def _timed(env, func, repeat=3, trace=True):
    """Best of `repeat` timed runs, then one run under tracemalloc (which slows Python down, so it
    is kept out of the timings): (seconds, queries, peak KiB, result)."""
    best = None
    for _i in range(repeat):
        env.invalidate_all()
        queries = env.cr.sql_log_count
        start = time.perf_counter()
        result = func()
        elapsed = time.perf_counter() - start
        if best is None or elapsed < best[0]:
            best = (elapsed, env.cr.sql_log_count - queries, result)
    peak = 0
    if trace:
        env.invalidate_all()
        tracemalloc.start()
        func()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return best[0], best[1], peak / 1024.0, best[2]


def _rss_growth(func):
    """KiB the process's peak resident memory rose above its current size while `func` ran, the
    C-level buffers (the database driver's rows) included, which tracemalloc does not see. Linux
    resets the peak when 5 is written to /proc/self/clear_refs."""

    def status(key):
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith(key + ":"))

    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = status("VmRSS")
    func()
    return max(status("VmHWM") - before, 0)


def _floor(env, company, as_of):
    """The same residuals at `as_of`, summed with nothing else: today's residual of the receivable
    items dated up to then, plus the partial reconciliations dated after it."""
    env.cr.execute(
        SQL(
            """
            WITH later AS (
                SELECT line_id, SUM(amount) AS amount FROM (
                    SELECT debit_move_id AS line_id, amount FROM account_partial_reconcile
                     WHERE max_date > %(as_of)s AND company_id = %(company)s
                    UNION ALL
                    SELECT credit_move_id, -amount FROM account_partial_reconcile
                     WHERE max_date > %(as_of)s AND company_id = %(company)s
                ) p GROUP BY line_id
            )
            SELECT COALESCE(SUM(aml.amount_residual + COALESCE(later.amount, 0)), 0)
              FROM account_move_line aml
              JOIN account_account acc ON acc.id = aml.account_id
              LEFT JOIN later ON later.line_id = aml.id
             WHERE aml.parent_state = 'posted' AND acc.account_type = 'asset_receivable'
               AND aml.company_id = %(company)s AND aml.date <= %(as_of)s
               AND (aml.reconciled IS NOT TRUE OR later.line_id IS NOT NULL)
            """,
            as_of=as_of,
            company=company.id,
        )
    )
    return env.cr.fetchone()[0]


def _ledger(env, company, as_of):
    return env["credit.aging.engine"].get_ledger_balance(as_of, company)


def _oca_wizard(oca_env, company_id, as_of):
    """OCA's aged partner balance wizard as a user fills it in: the company, the date, its
    receivable accounts, posted entries only, no partner filter, no move line details."""
    company = oca_env["res.company"].browse(company_id)
    accounts = oca_env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.ids)]
    )
    return (
        oca_env["aged.partner.balance.report.wizard"]
        .with_company(company)
        .create(
            {
                "company_id": company.id,
                "date_at": as_of,
                "target_move": "posted",
                "account_ids": [(6, 0, accounts.ids)],
                "receivable_accounts_only": True,
                "show_move_line_details": False,
            }
        )
    )


def _oca_report(wizard):
    """The data of OCA's report, as its export computes it before rendering: the wizard's report
    data (dates as strings, as they come back from the client) -> `_get_report_values`."""
    data = wizard._prepare_report_data()
    data["date_at"] = str(data["date_at"])
    report = wizard.env["report.account_financial_report.aged_partner_balance"].with_company(wizard.company_id)
    values = report._get_report_values(wizard.ids, data)
    return sum(account["residual"] for account in values["aged_partner_balance"])


def measure(env, ctx=None, company=None, today=None):
    """[{metric, value, unit}] for the aging engine at today and a year back (and OCA's aged
    partner balance beside it when `ctx` gives an OCA env with account_financial_report)."""
    company = company or env.company
    today = today or date.today()
    engine = env["credit.aging.engine"].with_company(company)
    report = env["credit.aging.report"].with_company(company)
    env.flush_all()
    oca_env = ctx.env("oca") if ctx is not None else None
    if oca_env is not None and "aged.partner.balance.report.wizard" not in oca_env:
        oca_env = None
    results = []
    for label, as_of in (("today", today), ("year_back", today - timedelta(days=365))):
        t_eng, q_eng, mem_eng, totals = _timed(
            env, lambda as_of=as_of: engine.get_totals("partner_id", as_of=as_of, companies=company)
        )
        t_rep, q_rep, mem_rep, _groups = _timed(
            env,
            lambda as_of=as_of: report.with_context(credit_aging_date=str(as_of))._read_group(
                [("company_id", "=", company.id)], ["partner_id", "bucket_id"], ["residual:sum"]
            ),
        )
        t_floor, q_floor, _mem, floor = _timed(env, lambda as_of=as_of: _floor(env, company, as_of))
        ledger = _ledger(env, company, as_of)
        total = sum(group["total"] for group in totals.values())
        oca = {}
        if oca_env is not None:
            wizard = _oca_wizard(oca_env, company.id, as_of)
            oca_env.flush_all()
            # seconds per call: one timed call per repetition (the harness repeats), one traced
            t_oca, q_oca, mem_oca, oca_total = _timed(oca_env, lambda wizard=wizard: _oca_report(wizard), repeat=1)
            oca = {
                "time": round(t_oca, 4),
                "queries": q_oca,
                "memory": round(mem_oca, 1),
                "ties_out": int(round(oca_total - float(floor), 2) == 0),
            }
        results += [
            {"metric": f"aging_{label}_engine_time", "value": round(t_eng, 4), "unit": "s", "oca": oca.get("time")},
            {"metric": f"aging_{label}_engine_queries", "value": q_eng, "unit": "queries", "oca": oca.get("queries")},
            {
                "metric": f"aging_{label}_engine_peak_memory",
                "value": round(mem_eng, 1),
                "unit": "KiB",
                "oca": oca.get("memory"),
            },
            {"metric": f"aging_{label}_pivot_time", "value": round(t_rep, 4), "unit": "s"},
            {"metric": f"aging_{label}_pivot_queries", "value": q_rep, "unit": "queries"},
            {"metric": f"aging_{label}_pivot_peak_memory", "value": round(mem_rep, 1), "unit": "KiB"},
            {"metric": f"aging_{label}_floor_time", "value": round(t_floor, 4), "unit": "s"},
            {"metric": f"aging_{label}_floor_queries", "value": q_floor, "unit": "queries"},
            {
                "metric": f"aging_{label}_engine_vs_floor",
                "value": round(t_eng / t_floor, 2) if t_floor else 0.0,
                "unit": "x",
            },
            {"metric": f"aging_{label}_groups", "value": len(totals), "unit": "customers"},
            {
                "metric": f"aging_{label}_ties_out",
                "value": int(round(total - float(floor), 2) == 0 and round(total - float(ledger), 2) == 0),
                "unit": "bool",
                "oca": oca.get("ties_out"),
            },
        ]
        if oca:
            results += [
                {
                    "metric": f"aging_{label}_oca_vs_engine",
                    "value": round(oca["time"] / t_eng, 1) if t_eng else 0.0,
                    "unit": "x faster",
                },
                {
                    "metric": f"aging_{label}_engine_vs_oca",
                    "value": round(t_eng / oca["time"], 4) if oca["time"] else 0.0,
                    "unit": "x",
                },
            ]
    # the XLSX export of today's aging (summary by customer + one detail row per open item), once
    wizard = env["credit.aging.wizard"].with_company(company).create({"company_ids": [(6, 0, company.ids)]})
    t_xlsx, q_xlsx, mem_xlsx, content = _timed(env, lambda: env["credit.aging.xlsx"]._generate(wizard), 1, True)
    rss_growth = _rss_growth(lambda: env["credit.aging.xlsx"]._generate(wizard))
    results += [
        {"metric": "aging_today_xlsx_time", "value": round(t_xlsx, 3), "unit": "s"},
        {"metric": "aging_today_xlsx_queries", "value": q_xlsx, "unit": "queries"},
        {"metric": "aging_today_xlsx_size", "value": round(len(content) / 1024.0), "unit": "KiB"},
        {"metric": "aging_today_xlsx_python_peak_memory", "value": round(mem_xlsx), "unit": "KiB"},
        {"metric": "aging_today_xlsx_rss_growth", "value": round(rss_growth / 1024.0, 1), "unit": "MiB"},
    ]
    # the provision run of today's month (engine + historical cohort rates + the allowance), once
    results += _provision(env, company)
    return results


def _provision(env, company):
    """A bad-debt provision run computed at the end of this month: time, queries, required allowance."""
    accounts = env["account.account"].with_company(company)
    expense = accounts.search([("code", "=", "668199")], limit=1) or accounts.create(
        {"name": "Bench impairment loss", "code": "668199", "account_type": "expense"}
    )
    allowance = accounts.search([("code", "=", "123199")], limit=1) or accounts.create(
        {"name": "Bench allowance", "code": "123199", "account_type": "asset_current"}
    )
    journal = env["account.journal"].search([("type", "=", "general"), ("company_id", "=", company.id)], limit=1)
    run = (
        env["credit.provision.run"]
        .with_company(company)
        .create(
            {
                "company_id": company.id,
                "journal_id": journal.id,
                "expense_account_id": expense.id,
                "allowance_account_id": allowance.id,
            }
        )
    )
    t_run, q_run, _mem, _res = _timed(env, run.action_compute, 1, False)
    return [
        {"metric": "provision_compute_time", "value": round(t_run, 3), "unit": "s"},
        {"metric": "provision_compute_queries", "value": q_run, "unit": "queries"},
        {"metric": "provision_required_allowance", "value": round(run.required_amount, 2), "unit": "currency"},
    ]
