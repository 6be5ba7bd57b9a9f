"""What the credit check adds to sale.order.action_confirm (issue 2's benchmark).

For the template's customers with 1, 1 000 and 10 000 open invoices, the same one-line order is
confirmed on three copies of the same data:
- this addon: credit_collection installed, "Sales Credit Limit" on, the customer's limit high enough
  to pass (every rule is evaluated, none refuses);
- plain Odoo: the copy without credit_collection;
- OCA: the copy with sale_financial_risk, the customer's risk on orders, draft, open and unpaid
  invoices included and a limit high enough to pass.
Measured: SQL queries (the cursor's own counter) and wall time of action_confirm + the final flush,
on a cold ORM cache (as in a new request). Extra = variant - plain Odoo, in the same run.
"""

import ast
import time

PROBES = (1, 1000, 10000)
LIMIT = 1e12


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
    rows = []
    for n in PROBES:
        res = {variant: _confirm(venv, partner_ids[n]) for variant, venv in variants.items()}
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
    return rows
