"""What the credit check adds to sale.order.action_confirm.

For the template's customers with 1, 1 000 and 10 000 open invoices, the same one-line order is
confirmed on three copies of the same data:
- this addon: credit_collection installed, "Sales Credit Limit" on, the customer's limit high enough
  to pass (every rule is evaluated, none refuses);
- plain Odoo: the copy without credit_collection;
- OCA: the copy with sale_financial_risk, the customer's risk on orders, draft, open and unpaid
  invoices included and a limit high enough to pass.
Measured: SQL queries (the cursor's own counter) and wall time of action_confirm + the final flush,
on a cold ORM cache (as in a new request). Each sample confirms TRIES orders per variant and customer,
the variants interleaved, and keeps the fastest: on a shared machine noise only ever adds time.
Extra = variant - plain Odoo within the same sample; growth = extra at 10 000 open invoices - at 1.
"""

import ast
import time

PROBES = (1, 1000, 10000)
LIMIT = 1e12
TRIES = 3  # confirmations per variant and customer in one sample; the fastest counts (noise only adds)


def _probe_partners(env):
    env.cr.execute("SELECT value FROM bench_meta WHERE key = 'probe_partners'")
    return {int(k): v for k, v in ast.literal_eval(env.cr.fetchone()[0]).items()}


def _configure(env, variant, partner_ids):
    company = env.company
    partners = env["res.partner"].browse(list(partner_ids.values()))
    if variant == "cc":
        company.account_use_credit_limit = True
        company.credit_overdue_days = 0  # no overdue refusal on customers with 10 000 open invoices
        partners.with_company(company).credit_limit = LIMIT
    elif variant == "oca":
        company.allow_overrisk_sale_confirmation = False
        partners.write(
            {
                "credit_limit": LIMIT,
                "risk_sale_order_include": True,
                "risk_invoice_draft_include": True,
                "risk_invoice_open_include": True,
                "risk_invoice_unpaid_include": True,
            }
        )
    env.flush_all()


def _confirm(env, partner_id):
    """Queries and milliseconds of confirming a fresh one-line order of `partner_id`."""
    product = env["product.product"].search([("name", "=", "Bench service")], limit=1)
    order = env["sale.order"].create(
        {
            "partner_id": partner_id,
            "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1, "price_unit": 100.0})],
        }
    )
    env.flush_all()
    env.invalidate_all()  # a cold cache, as when the user clicks Confirm in a new request
    order = env["sale.order"].browse(order.id)
    cr = env.cr
    queries = cr.sql_log_count
    start = time.perf_counter()
    order.action_confirm()
    env.flush_all()
    elapsed = (time.perf_counter() - start) * 1000
    queries = cr.sql_log_count - queries
    assert order.state == "sale", order.state
    return queries, elapsed


def measure(env, ctx):
    variants = {"cc": env, "odoo": ctx.env("odoo"), "oca": ctx.env("oca")}
    variants = {k: v for k, v in variants.items() if v is not None}
    partner_ids = _probe_partners(env)
    for variant, venv in variants.items():
        _configure(venv, variant, partner_ids)
    rows, extra = [], {}
    for n in PROBES:
        tries = {variant: [] for variant in variants}
        for _i in range(TRIES):
            for variant, venv in variants.items():
                tries[variant].append(_confirm(venv, partner_ids[n]))
        res = {variant: (t[-1][0], min(ms for _q, ms in t)) for variant, t in tries.items()}
        plain = res.get("odoo")
        label = f"{n:,} open invoice{'s' if n > 1 else ''}"
        rows.append(
            {
                "metric": f"action_confirm queries, customer with {label}",
                "unit": "queries",
                "value": res["cc"][0],
                "odoo": plain and plain[0],
                "oca": res.get("oca") and res["oca"][0],
            }
        )
        rows.append(
            {
                "metric": f"action_confirm time, customer with {label}",
                "unit": "ms",
                "value": res["cc"][1],
                "odoo": plain and plain[1],
                "oca": res.get("oca") and res["oca"][1],
            }
        )
        if plain:
            extra[n] = {v: (r[0] - plain[0], r[1] - plain[1]) for v, r in res.items() if v != "odoo"}
            rows.append(
                {
                    "metric": f"credit check extra queries vs plain Odoo, {label}",
                    "unit": "queries",
                    "value": res["cc"][0] - plain[0],
                    "oca": res.get("oca") and res["oca"][0] - plain[0],
                }
            )
            rows.append(
                {
                    "metric": f"credit check extra time vs plain Odoo, {label}",
                    "unit": "ms",
                    "value": res["cc"][1] - plain[1],
                    "oca": res.get("oca") and res["oca"][1] - plain[1],
                }
            )
    if extra:
        first, last = extra[PROBES[0]], extra[PROBES[-1]]
        rows.append(
            {
                "metric": f"growth of the extra queries, {PROBES[0]:,} -> {PROBES[-1]:,} open invoices",
                "unit": "queries",
                "value": last["cc"][0] - first["cc"][0],
                "oca": last["oca"][0] - first["oca"][0] if "oca" in last else None,
            }
        )
        rows.append(
            {
                "metric": f"growth of the extra time, {PROBES[0]:,} -> {PROBES[-1]:,} open invoices",
                "unit": "ms",
                "value": last["cc"][1] - first["cc"][1],
                "oca": last["oca"][1] - first["oca"][1] if "oca" in last else None,
            }
        )
    return rows
