"""Planning versus execution of the exposure statement, plain and prepared, on a bench database.

    python bench/explain_exposure.py --db ccb_run_10000_cc [--repeat 15] [--full] [--no-prepared] [--items]

For the template's customers with 1 and 10 000 open invoices (and 1 000), the statement the
order-time check runs (one order excluded, as at confirmation) is measured three ways, median of
`--repeat` runs each:
- plain: EXPLAIN (ANALYZE) of the statement as sent today: PostgreSQL's own planning and execution
  times, then the client's wall time of executing it;
- prepared: PREPARE once, then EXPLAIN (ANALYZE) EXECUTE with the generic plan forced (planned at
  the first execution, then cached), and the client's wall time of EXECUTE. The addon does NOT run
  it so: Odoo's pool resets a connection (psycopg2 reset(): DISCARD ALL) whenever a request
  borrows it, so a prepared statement never outlives the request that made it. This line shows
  what parsing and planning cost per check (plain wall - prepared wall), not what a check costs.
The statement has the shape the company gets (only the columns of the optional features in use:
credit.exposure._exposure_features, printed first); `--full` forces every optional feature's
columns, as before they became optional. The statement is the confirmation's: it takes the lock
on the customer (a data-modifying CTE) and reads the open receivables from their summary
(credit_open_item_sum). `--items`: the same statement reading the journal items instead (as before
the summary), measured in turns with it (A/B in the same seconds). Read-only: everything is rolled back.
"""

import argparse
import ast
import datetime
import inspect
import json
import statistics
import time

from odoo_env import odoo_env


def _explain(cr, code, params):
    cr.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + code, params)
    plan = cr.fetchone()[0]
    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
    return plan["Planning Time"], plan["Execution Time"]


def _query(engine, partner_id, company, exclude, today, receivable_from, lock):
    """(code, params) of the exposure statement, with what this version of the engine offers."""
    params = inspect.signature(engine._exposure_query).parameters
    kwargs = {"receivable_from": receivable_from} if "receivable_from" in params else {}
    if lock and "lock" in params:
        kwargs["lock"] = True
    query = engine._exposure_query([partner_id], company, exclude, today, datetime.date.min, **kwargs)
    return query.code, query.params


def _wall(cr, code, params):
    start = time.perf_counter()
    cr.execute(code, params)
    cr.fetchall()
    return (time.perf_counter() - start) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--full", action="store_true", help="every optional feature's columns")
    parser.add_argument("--no-prepared", action="store_true", help="skip the prepared-statement runs")
    parser.add_argument("--items", action="store_true", help="also the statement reading the journal items, in turns")
    args = parser.parse_args()
    med = statistics.median
    with odoo_env(args.db, commit=False) as env:
        cr = env.cr
        cr.execute("SELECT value FROM bench_meta WHERE key = 'probe_partners'")
        probes = {int(k): v for k, v in ast.literal_eval(cr.fetchone()[0]).items()}
        company = env.company
        engine = env["credit.exposure"]
        if args.full:
            every = frozenset(("grade", "grade_tolerance", "guarantee", "temporary", "paid_online"))
            type(engine)._exposure_features = lambda self, company_id: every
        if hasattr(engine, "_exposure_features"):  # absent before the optional features
            print(f"features in the statement: {sorted(engine._exposure_features(company.id)) or 'none'}")
        today = datetime.date.today()
        cr.execute("SELECT MAX(id) FROM sale_order")
        exclude = [cr.fetchone()[0]]
        for n, partner_id in sorted(probes.items()):
            # label -> the statements a confirmation sends (the lock of an earlier version apart)
            queries = {"summary": [_query(engine, partner_id, company, exclude, today, "summary", True)]}
            if args.items:
                queries["items"] = [_query(engine, partner_id, company, exclude, today, "items", True)]
                if hasattr(engine, "_lock_sql"):
                    lock = engine._lock_sql([partner_id], engine._exposure_pool(company.id)[0])
                    queries["lock; items"] = [
                        (lock.code, lock.params),
                        _query(engine, partner_id, company, exclude, today, "items", False),
                    ]
            plains, walls = {v: [] for v in queries}, {v: [] for v in queries}
            for _i in range(args.repeat):  # in turns: the machine's load weighs on all alike
                for variant, statements in queries.items():
                    runs = [_explain(cr, code, params) for code, params in statements]
                    plains[variant].append((sum(p for p, _e in runs), sum(e for _p, e in runs)))
                    walls[variant].append(sum(_wall(cr, code, params) for code, params in statements))
            for variant in queries:
                plain, wall = plains[variant], walls[variant]
                print(
                    f"{n:>6} open invoices | {variant:>11}: planning {med(p for p, _e in plain):6.2f} ms, "
                    f"execution {med(e for _p, e in plain):6.2f} ms, wall {med(wall):6.2f} ms"
                )
            code, params = queries["summary"][0]
            plain, wall_plain = plains["summary"], walls["summary"]
            if args.no_prepared:
                continue
            name = f"explain_exposure_{n}"
            numbers = iter(range(1, len(params) + 1))
            body = code.replace("%s", "{}").format(*(f"${next(numbers)}" for _p in params))
            cr.execute(f"PREPARE {name} AS {body}")
            cr.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            execute = f"EXECUTE {name}({', '.join(['%s'] * len(params))})"
            prepared = [_explain(cr, execute, params) for _i in range(args.repeat)]
            wall_prepared = [_wall(cr, execute, params) for _i in range(args.repeat)]
            cr.execute(f"DEALLOCATE {name}")
            cr.execute("SET LOCAL plan_cache_mode = auto")
            steady = prepared[1:]
            print(
                f"{n:>6} open invoices | plain: planning {med(p for p, _e in plain):6.2f} ms, "
                f"execution {med(e for _p, e in plain):6.2f} ms, wall {med(wall_plain):6.2f} ms | "
                f"prepared (from the 2nd run): planning {med(p for p, _e in steady):6.2f} ms, "
                f"execution {med(e for _p, e in steady):6.2f} ms, wall {med(wall_prepared):6.2f} ms"
            )


if __name__ == "__main__":
    main()
