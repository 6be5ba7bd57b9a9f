"""The routing check of `make scale-demo` (tools/scale_demo.sh): over Odoo's own JSON-RPC, on a
server with workers and db_replica_host, the aging engine's statement must run on the replica and
never on the primary; the worklist (kept on the primary: it follows each collector's action) and an
order confirmation (the credit check writes its lock) must run on the primary. Proof: each
cluster's own statement statistics (pg_stat_statements), reset before the calls.

Usage: PSOCK=<primary socket dir> RSOCK=<replica socket dir> python scale_check.py URL DB
"""

import os
import statistics
import subprocess
import sys
import time

import psycopg2
import requests

URL, DB = sys.argv[1], sys.argv[2]
PRIMARY, REPLICA = os.environ["PSOCK"], os.environ["RSOCK"]
# fragments found only in the statement of each entry point
AGING_TOTALS = "SUM(i.residual) FILTER (WHERE COALESCE(i.date_maturity, i.date) >="
WORKLIST = "credit_collection_worklist"
ORDER_LOCK = "credit_partner_lock"


def psql(sock, sql):
    out = subprocess.run(
        ["psql", "-h", sock, "-p", "5432", "-U", "odoo", "-d", DB, "-Atc", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def calls(sock, fragment):
    fragment = fragment.replace("'", "''")
    return int(psql(sock, f"SELECT COALESCE(SUM(calls), 0) FROM pg_stat_statements WHERE query LIKE '%{fragment}%'"))


class Client:
    def __init__(self, login):
        self.session = requests.Session()
        self.rpc("/web/session/authenticate", {"db": DB, "login": login, "password": login})

    def rpc(self, path, params):
        response = self.session.post(
            URL + path, json={"jsonrpc": "2.0", "method": "call", "params": params}, timeout=300
        )
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            raise SystemExit(f"RPC error on {path}: {body['error']['data']['message']}")
        return body["result"]

    def call(self, model, method, *args, **kwargs):
        return self.rpc(
            "/web/dataset/call_kw", {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        )


def main():
    for sock in (PRIMARY, REPLICA):
        psql(sock, "SELECT pg_stat_statements_reset()")
    collector, admin = Client("cc_collector"), Client("admin")

    # the first call of each worker also loads its registry: 12 calls, the fastest half timed
    timings = []
    for _i in range(12):
        start = time.perf_counter()
        totals = collector.call("credit.aging.engine", "get_totals", "partner_id")
        timings.append(time.perf_counter() - start)
    aging_s = statistics.median(sorted(timings)[:6])
    collector.call("credit.collection.worklist", "web_search_read", [], {"partner_id": {}, "overdue_amount": {}})

    # an order within its customer's limit, confirmed: the credit check takes its lock on the primary
    partner = admin.call("res.partner", "search", [("name", "=", "Northwind Traders")], limit=1)
    product = admin.call("product.product", "search", [("sale_ok", "=", True)], limit=1)
    order = admin.call(
        "sale.order",
        "create",
        {"partner_id": partner[0], "order_line": [(0, 0, {"product_id": product[0], "product_uom_qty": 1})]},
    )
    admin.call("sale.order", "action_confirm", [order])
    # replication lag: how long until the replica shows the confirmed order (one open connection
    # polled, each poll a new transaction)
    start = time.perf_counter()
    with psycopg2.connect(host=REPLICA, port=5432, user="odoo", dbname=DB) as replica:
        replica.autocommit = True
        with replica.cursor() as cr:
            while True:
                cr.execute("SELECT state FROM sale_order WHERE id = %s", [order])
                if cr.fetchone()[0] == "sale":
                    break
                if time.perf_counter() - start > 30:
                    raise SystemExit("the replica did not replay the confirmation within 30 s")
                time.sleep(0.002)
    lag_ms = (time.perf_counter() - start) * 1000

    rows = [
        ("aging engine (get_totals)", AGING_TOTALS, "replica"),
        ("worklist (web_search_read)", WORKLIST, "primary"),
        ("order check lock (action_confirm)", ORDER_LOCK, "primary"),
    ]
    ok = True
    print(f"{'statement':36} {'primary':>8} {'replica':>8}  expected")
    for label, fragment, where in rows:
        on_primary, on_replica = calls(PRIMARY, fragment), calls(REPLICA, fragment)
        good = (on_replica > 0 and on_primary == 0) if where == "replica" else (on_primary > 0 and on_replica == 0)
        ok &= good
        print(f"{label:36} {on_primary:>8} {on_replica:>8}  {where} {'OK' if good else 'WRONG'}")
    print(f"aging by customer over RPC (median of the warm calls): {aging_s * 1000:.0f} ms, {len(totals)} customers")
    print(f"replica showed the confirmed order {lag_ms:.0f} ms after the confirmation returned")
    print("routing OK" if ok else "routing WRONG")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
