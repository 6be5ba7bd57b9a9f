"""Load on a multi-worker server (bench/load.sh): N clients confirm orders at the same time over
Odoo's JSON-RPC, as users clicking Confirm do.

Two phases, each on orders created beforehand (creation is not timed):
- different customers: client i confirms ROUNDS orders of its own customer (the template's
  customers, with their history; limit high enough to pass);
- same customer: every client confirms ROUNDS orders of one new customer whose limit fits exactly
  FIT orders; with credit_collection the limit must hold (never more than FIT confirmed, every
  other attempt refused with the limit's message, nothing else failing); plain Odoo confirms them all.
Reported per phase: confirmations per second (wall time of the phase), median and p95 latency of
action_confirm, outcomes.

Usage: python load_confirm.py URL DB VARIANT(cc|odoo) CLIENTS ROUNDS
"""

import json
import statistics
import sys
import threading
import time

import requests

URL, DB, VARIANT = sys.argv[1], sys.argv[2], sys.argv[3]
CLIENTS, ROUNDS = int(sys.argv[4]), int(sys.argv[5])
PRICE = 100.0  # untaxed: the product's tax is removed from the order line
FIT = 5
BIG = 1e12


class Client:
    def __init__(self):
        self.session = requests.Session()
        self.rpc("/web/session/authenticate", {"db": DB, "login": "admin", "password": "admin"})

    def rpc(self, path, params):
        body = self.session.post(
            URL + path, json={"jsonrpc": "2.0", "method": "call", "params": params}, timeout=600
        ).json()
        if "error" in body:
            return None, body["error"]["data"].get("message", str(body["error"]))
        return body["result"], None

    def call(self, model, method, *args, **kwargs):
        result, error = self.rpc(
            "/web/dataset/call_kw", {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        )
        if error:
            raise RuntimeError(f"{model}.{method}: {error}")
        return result


def setup(admin):
    product = admin.call("product.product", "search", [("name", "=", "Bench service")], limit=1)[0]
    company = admin.call("res.users", "read", [2], ["company_id"])[0]["company_id"][0]
    customers = admin.call(
        "res.partner", "search", [("customer_rank", ">", 0), ("is_company", "=", True)], limit=CLIENTS, order="id"
    )
    same = admin.call("res.partner", "create", {"name": "Load test: one customer", "is_company": True})
    if VARIANT == "cc":
        admin.call("res.company", "write", [company], {"account_use_credit_limit": True, "credit_overdue_days": 0})
        admin.call("res.partner", "write", customers, {"credit_limit": BIG})
        admin.call("res.partner", "write", [same], {"credit_limit": FIT * PRICE})
    return product, customers, same


def make_orders(admin, product, partner_ids):
    vals = [
        {
            "partner_id": pid,
            "order_line": [
                (0, 0, {"product_id": product, "product_uom_qty": 1, "price_unit": PRICE, "tax_id": [(6, 0, [])]})
            ],
        }
        for pid in partner_ids
    ]
    return admin.call("sale.order", "create", vals)


def phase(clients, orders_per_client):
    latencies, outcomes = [], {"confirmed": 0, "refused (limit)": 0, "other error": 0}
    errors = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients))

    def work(client, orders):
        barrier.wait()
        for order in orders:
            start = time.perf_counter()
            _result, error = client.rpc(
                "/web/dataset/call_kw",
                {"model": "sale.order", "method": "action_confirm", "args": [[order]], "kwargs": {}},
            )
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                if not error:
                    outcomes["confirmed"] += 1
                elif "Credit limit exceeded" in error:
                    outcomes["refused (limit)"] += 1
                else:
                    outcomes["other error"] += 1
                    errors.append(error.splitlines()[0][:200])

    threads = [threading.Thread(target=work, args=(c, o)) for c, o in zip(clients, orders_per_client, strict=True)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    latencies.sort()
    return {
        "throughput": len(latencies) / wall,
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[max(0, round(0.95 * len(latencies)) - 1)] * 1000,
        "outcomes": outcomes,
        "errors": sorted(set(errors))[:3],
    }


def main():
    admin = Client()
    product, customers, same = setup(admin)
    clients = [Client() for _i in range(CLIENTS)]
    # warm every worker's registry and caches: one read per client
    for client in clients:
        client.call("res.partner", "read", customers[:1], ["name"])
    results = {}
    orders = make_orders(admin, product, [pid for pid in customers for _r in range(ROUNDS)])
    per_client = [orders[i * ROUNDS : (i + 1) * ROUNDS] for i in range(CLIENTS)]
    results["different customers"] = phase(clients, per_client)
    orders = make_orders(admin, product, [same] * (CLIENTS * ROUNDS))
    per_client = [orders[i::CLIENTS] for i in range(CLIENTS)]
    results["same customer"] = phase(clients, per_client)
    confirmed = admin.call("sale.order", "search_count", [("partner_id", "=", same), ("state", "=", "sale")])
    results["same customer"]["confirmed_in_db"] = confirmed
    results["same customer"]["limit_held"] = VARIANT != "cc" or confirmed <= FIT
    print(json.dumps({"variant": VARIANT, "clients": CLIENTS, "rounds": ROUNDS, "results": results}))
    return 0 if results["same customer"]["limit_held"] else 1


if __name__ == "__main__":
    sys.exit(main())
