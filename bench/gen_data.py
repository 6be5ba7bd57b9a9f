"""Generate realistic receivables in a bench database (called by bench/build_data.sh).

How: every kind of document (open invoice, paid invoice, partly paid invoice, refunded invoice,
invoices in EUR, unapplied payment, confirmed order not invoiced) is first made ONCE through the
ORM, exactly as a user would (create, post, register payment, reverse, confirm). Those prototypes
are then cloned in bulk by SQL: every row the ORM wrote for them (moves, lines, tax links,
payments, partial and full reconciliations, orders, order lines) is copied with a new customer,
new dates (invoice date, due date from the payment term, payment date from the customer's habit),
a new number in the journal's sequence, and every amount multiplied by an integer (so taxes,
residuals and reconciliations stay exact to the cent). bench/check_data.py then proves the result
is what Odoo itself would hold.

Deterministic: a fixed seed; dates are relative to a fixed "today" stored with the template.
"""

import argparse
import datetime
import math
import random
import sys
import time

from odoo_env import odoo_env

SEED = 20240601
TODAY = datetime.date.today()  # dates are relative to the build day: same seed, same history
YEARS = 3
# the first of a month: the prototypes' payments fall in the same month, at the same EUR rate
PROTO_DATE = (TODAY - datetime.timedelta(days=YEARS * 365 + 30)).replace(day=1)
PROTO_TERM_DAYS = 30
PRICE = 100.20  # x 1.15 tax = 115.23: exact, and so is any integer multiple
PARTIAL = 46.09  # a partial payment of the prototype

# Payment habits: (tag, share of customers, payment delay after due date (days, min..max),
#                  probabilities paid / partly paid / refunded / open)
HABITS = [
    ("Pays early", 0.15, (-20, -1), (0.66, 0.10, 0.05)),
    ("Pays on time", 0.35, (0, 0), (0.66, 0.10, 0.05)),
    ("Pays 10 days late", 0.20, (5, 15), (0.60, 0.14, 0.05)),
    ("Pays 30 days late", 0.15, (20, 40), (0.55, 0.17, 0.05)),
    ("Pays 90 days late", 0.10, (60, 120), (0.45, 0.22, 0.05)),
    ("Defaulting", 0.05, (150, 365), (0.15, 0.25, 0.05)),
]
TERMS = [  # (xml id, days, share)
    ("account.account_payment_term_immediate", 0, 0.10),
    ("account.account_payment_term_15days", 15, 0.20),
    ("account.account_payment_term_30days", 30, 0.50),
    ("account.account_payment_term_45days", 45, 0.20),
]
FOREIGN_SHARE = 0.08  # invoices in EUR
UNAPPLIED_SHARE = 0.02  # customer payments not matched to any invoice, per invoice
ORDER_SHARE = 0.03  # confirmed orders not yet invoiced, per invoice
PROBES = [(1, "Bench customer, 1 open invoice"), (1000, "Bench customer, 1 000 open invoices")]
PROBES.append((10000, "Bench customer, 10 000 open invoices"))

# Columns that hold quantities, rates or percentages: never scaled.
NOT_MONEY = {
    "quantity",
    "discount",
    "invoice_currency_rate",
    "currency_rate",
    "product_uom_qty",
    "qty_delivered",
    "qty_to_invoice",
    "qty_invoiced",
    "qty_invoiced_posted",
    "customer_lead",
    "product_qty",
    "product_packaging_qty",
}


# ----------------------------------------------------------------------------------------------
# 1. Setup and prototypes, through the ORM
# ----------------------------------------------------------------------------------------------
def setup(env):
    from odoo import Command

    company = env.company
    if not company.chart_template:
        env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
    eur = env.ref("base.EUR")
    eur.active = True
    rates = []
    day = TODAY.replace(day=1) - datetime.timedelta(days=(YEARS + 1) * 366)
    while day <= TODAY:
        rates.append(
            {"currency_id": eur.id, "name": day, "rate": round(0.9 + 0.05 * math.sin(day.toordinal() / 60), 6)}
        )
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    env["res.currency.rate"].create(rates)
    tax = company.account_sale_tax_id
    product = env["product.product"].create(
        {"name": "Bench service", "type": "service", "list_price": PRICE, "taxes_id": [Command.set(tax.ids)]}
    )
    tags = {name: env["res.partner.category"].create({"name": name}) for name, *_x in HABITS}
    return company, eur, tax, product, tags


def make_prototypes(env, company, eur, tax, product):
    """One of each document, made by the ORM. Returns {scenario: {"moves": {id: role}, ...}}."""
    from odoo import Command

    partner = env["res.partner"].create({"name": "Bench prototype customer", "is_company": True})
    term30 = env.ref("account.account_payment_term_30days")
    d0 = PROTO_DATE
    d_pay = d0 + datetime.timedelta(days=10)

    def invoice(currency=None):
        move = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": d0,
                "date": d0,
                "invoice_payment_term_id": term30.id,
                "currency_id": (currency or company.currency_id).id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": 1,
                            "price_unit": PRICE,
                            "tax_ids": [Command.set(tax.ids)],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def pay(move, amount=None):
        wizard = (
            env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"payment_date": d_pay})
        )
        if amount is not None:
            wizard.write({"amount": amount, "payment_difference_handling": "open"})
        payment = wizard._create_payments()
        return payment

    protos = {}
    inv = invoice()
    protos["open"] = {"moves": {inv.id: "inv"}, "payments": [], "orders": []}
    inv = invoice()
    payment = pay(inv)
    protos["paid"] = {"moves": {inv.id: "inv", payment.move_id.id: "pay"}, "payments": payment.ids, "orders": []}
    inv = invoice()
    payment = pay(inv, PARTIAL)
    protos["partial"] = {"moves": {inv.id: "inv", payment.move_id.id: "pay"}, "payments": payment.ids, "orders": []}
    inv = invoice()
    refund = inv._reverse_moves([{"date": d_pay, "invoice_date": d_pay}], cancel=True)
    protos["refunded"] = {"moves": {inv.id: "inv", refund.id: "pay"}, "payments": [], "orders": []}
    inv = invoice(eur)
    protos["eur_open"] = {"moves": {inv.id: "inv"}, "payments": [], "orders": []}
    inv = invoice(eur)
    payment = pay(inv)
    protos["eur_paid"] = {"moves": {inv.id: "inv", payment.move_id.id: "pay"}, "payments": payment.ids, "orders": []}
    payment = env["account.payment"].create(
        {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": partner.id,
            "amount": PRICE,
            "date": d0,
            "journal_id": env["account.journal"]
            .search([("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
            .id,
        }
    )
    payment.action_post()
    protos["unapplied"] = {"moves": {payment.move_id.id: "inv"}, "payments": payment.ids, "orders": []}
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "date_order": datetime.datetime.combine(d0, datetime.time(10)),
            "payment_term_id": term30.id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1, "price_unit": PRICE})],
        }
    )
    order.action_confirm()
    order.date_order = datetime.datetime.combine(d0, datetime.time(10))
    protos["order"] = {"moves": {}, "payments": [], "orders": order.ids}
    env.flush_all()
    for proto in protos.values():  # every prototype must be posted and consistent before cloning
        moves = env["account.move"].browse(list(proto["moves"]))
        assert all(m.state == "posted" for m in moves), moves
    return partner, protos


# ----------------------------------------------------------------------------------------------
# 2. The plan: which customer gets which documents, on which dates, for how much
# ----------------------------------------------------------------------------------------------
def make_customers(env, count, tags, rng):
    habits = rng.choices(range(len(HABITS)), weights=[h[1] for h in HABITS], k=count)
    vals = []
    for i, h in enumerate(habits):
        vals.append(
            {
                "name": f"Customer {i + 1:05d}",
                "is_company": True,
                "ref": f"BC{i + 1:05d}",
                "customer_rank": 1,
                "category_id": [(4, tags[HABITS[h][0]].id)],
            }
        )
    partners = env["res.partner"].create(vals)
    probes = env["res.partner"].create([{"name": name, "is_company": True, "customer_rank": 1} for _n, name in PROBES])
    return list(zip(partners.ids, habits, strict=True)), dict(zip([n for n, _x in PROBES], probes.ids, strict=True))


def plan(size, customers, probe_ids, term_ids, rng):
    """Return the groups to clone: {scenario: [(partner, inv_date, pay_date, term_id, term_days, scale)]}."""
    groups = {k: [] for k in ("open", "paid", "partial", "refunded", "eur_open", "eur_paid", "unapplied", "order")}
    weights = [rng.lognormvariate(0, 1.2) for _c in customers]  # a few big customers, many small ones
    start = TODAY - datetime.timedelta(days=YEARS * 365)
    span = (TODAY - start).days
    owners = rng.choices(customers, weights=weights, k=size)
    for partner, habit in owners:
        _name, _share, (dmin, dmax), (p_paid, p_part, p_ref) = HABITS[habit]
        term_xml, term_days, _s = rng.choices(TERMS, weights=[t[2] for t in TERMS])[0]
        term_id = term_ids[term_xml]
        scale = max(1, min(2000, round(rng.lognormvariate(2.5, 1.1))))
        r = rng.random()
        kind = (
            "paid"
            if r < p_paid
            else "partial"
            if r < p_paid + p_part
            else "refunded"
            if r < p_paid + p_part + p_ref
            else "open"
        )
        delay = rng.randint(dmin, dmax)
        if kind == "open":
            # good payers' open invoices are recent; late payers and defaulters carry old ones
            window = span if habit == len(HABITS) - 1 else min(span, term_days + max(delay, 0) + 45)
            inv_date = TODAY - datetime.timedelta(days=rng.randint(0, window))
            pay_date = inv_date
        elif kind == "refunded":
            inv_date = start + datetime.timedelta(days=rng.randint(0, span - 30))
            pay_date = inv_date + datetime.timedelta(days=rng.randint(1, 25))
        else:
            latest = span - term_days - max(delay, 0) - 1
            inv_date = start + datetime.timedelta(days=rng.randint(0, max(latest, 0)))
            due = inv_date + datetime.timedelta(days=term_days)
            pay_date = min(max(inv_date, due + datetime.timedelta(days=delay)), TODAY)
        if kind in ("open", "paid") and rng.random() < FOREIGN_SHARE / 0.8:
            kind = "eur_" + kind
        groups[kind].append((partner, inv_date, pay_date, term_id, term_days, scale))
    for _i in range(max(1, round(size * UNAPPLIED_SHARE))):
        partner, _h = rng.choice(customers)
        day = TODAY - datetime.timedelta(days=rng.randint(0, 180))
        groups["unapplied"].append((partner, day, day, None, 0, rng.randint(1, 50)))
    for _i in range(max(1, round(size * ORDER_SHARE))):
        partner, _h = rng.choice(customers)
        day = TODAY - datetime.timedelta(days=rng.randint(0, 60))
        groups["order"].append(
            (partner, day, day, term_ids["account.account_payment_term_30days"], 30, rng.randint(1, 40))
        )
    # The order-time bench's customers: only open invoices, spread over the last 3 years.
    for count, partner in probe_ids.items():
        for _i in range(count):
            inv_date = TODAY - datetime.timedelta(days=rng.randint(0, span))
            groups["open"].append((partner, inv_date, inv_date, term_ids["account.account_payment_term_30days"], 30, 1))
    return groups


# ----------------------------------------------------------------------------------------------
# 3. Bulk clone in SQL
# ----------------------------------------------------------------------------------------------
CLONED = [  # insertion order; references to a table inserted later are filled in afterwards
    "account_move",
    "account_full_reconcile",
    "account_move_line",
    "account_partial_reconcile",
    "account_payment",
    "sale_order",
    "sale_order_line",
]


def columns(cr, table):
    cr.execute(
        """SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position""",
        [table],
    )
    return cr.fetchall()


def foreign_keys(cr, table):
    """{column: referenced table} for single-column foreign keys of `table`."""
    cr.execute(
        """SELECT a.attname, c.confrelid::regclass::text
             FROM pg_constraint c
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND array_length(c.conkey, 1) = 1""",
        [table],
    )
    return dict(cr.fetchall())


def link_tables(cr):
    """Many2many tables (no id) pointing at a cloned table: {table: {column: referenced table}}."""
    cr.execute(
        """SELECT DISTINCT c.conrelid::regclass::text
             FROM pg_constraint c
            WHERE c.contype = 'f' AND c.confrelid::regclass::text = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attname = 'id')""",
        [CLONED],
    )
    links = {t: foreign_keys(cr, t) for (t,) in cr.fetchall()}
    cr.execute("SELECT replace(model, '.', '_') FROM ir_model WHERE transient")
    wizards = {t for (t,) in cr.fetchall()}
    return {t: fks for t, fks in links.items() if not wizards & set(fks.values())}


def proto_rows(cr, protos):
    """{(scenario, table): [old ids]} of every row the ORM wrote for each prototype."""
    rows = {}
    for name, proto in protos.items():
        moves = sorted(proto["moves"])
        cr.execute("SELECT id FROM account_move_line WHERE move_id = ANY(%s) ORDER BY id", [moves])
        lines = [r[0] for r in cr.fetchall()]
        cr.execute(
            """SELECT id FROM account_partial_reconcile
                WHERE debit_move_id = ANY(%s) OR credit_move_id = ANY(%s) ORDER BY id""",
            [lines, lines],
        )
        partials = [r[0] for r in cr.fetchall()]
        cr.execute(
            """SELECT DISTINCT full_reconcile_id FROM account_move_line
                WHERE id = ANY(%s) AND full_reconcile_id IS NOT NULL""",
            [lines],
        )
        fulls = sorted(r[0] for r in cr.fetchall())
        cr.execute("SELECT id FROM sale_order_line WHERE order_id = ANY(%s) ORDER BY id", [proto["orders"]])
        order_lines = [r[0] for r in cr.fetchall()]
        rows[name] = {
            "account_move": moves,
            "account_move_line": lines,
            "account_partial_reconcile": partials,
            "account_full_reconcile": fulls,
            "account_payment": sorted(proto["payments"]),
            "sale_order": sorted(proto["orders"]),
            "sale_order_line": order_lines,
        }
    return rows


def clone_all(env, proto_partner, protos, groups, log):
    cr = env.cr
    rows = proto_rows(cr, protos)
    cr.execute(
        """CREATE TEMP TABLE gen_group (grp int PRIMARY KEY, scenario text, partner int, d_inv date, d_pay date,
                                          term_id int, term_days int, scale numeric)"""
    )
    values, grp = [], 0
    for scenario, items in groups.items():
        for partner, d_inv, d_pay, term_id, term_days, scale in items:
            grp += 1
            values.append((grp, scenario, partner, d_inv, d_pay, term_id, term_days, scale))
    for i in range(0, len(values), 20000):
        args = ",".join(cr.mogrify("(%s,%s,%s,%s,%s,%s,%s,%s)", v).decode() for v in values[i : i + 20000])
        cr.execute(f"INSERT INTO gen_group VALUES {args}")
    # Prototype moves: role (invoice date or payment date), date, name, prefix.
    cr.execute(
        """CREATE TEMP TABLE gen_pmove (scenario text, old int, role text, pdate date, pname text, pprefix text,
                                        journal int, ptype text)"""
    )
    for scenario, proto in protos.items():
        for move_id, role in proto["moves"].items():
            cr.execute(
                """INSERT INTO gen_pmove SELECT %s, id, %s, date, name, sequence_prefix, journal_id, move_type
                     FROM account_move WHERE id = %s""",
                [scenario, role, move_id],
            )
    # New moves: id, date, and a number in their journal's sequence, in date order (as if posted daily).
    cr.execute(
        """CREATE TEMP TABLE gen_move AS
           SELECT g.grp, pm.old, pm.role, pm.pname,
                  CASE WHEN pm.role = 'inv' THEN g.d_inv ELSE g.d_pay END AS new_date,
                  (CASE WHEN pm.role = 'inv' THEN g.d_inv ELSE g.d_pay END) - pm.pdate AS shift,
                  CASE WHEN pm.role = 'inv' AND pm.ptype = 'out_invoice' THEN g.term_days - %s ELSE 0 END AS term_shift,
                  regexp_replace(pm.pprefix, %s,
                                 to_char(CASE WHEN pm.role = 'inv' THEN g.d_inv ELSE g.d_pay END, 'YYYY'))
                      AS prefix,
                  pm.journal, 0 AS number, ''::text AS name, nextval('account_move_id_seq')::int AS new
             FROM gen_group g JOIN gen_pmove pm ON pm.scenario = g.scenario
            ORDER BY g.grp, pm.old""",
        [PROTO_TERM_DAYS, str(PROTO_DATE.year)],
    )
    cr.execute(
        """WITH top AS (SELECT t.journal, t.prefix, COALESCE(MAX(a.sequence_number), 0) AS top
                          FROM (SELECT DISTINCT journal, prefix FROM gen_move) t
                          LEFT JOIN account_move a ON a.journal_id = t.journal AND a.sequence_prefix = t.prefix
                         GROUP BY t.journal, t.prefix),
                n AS (SELECT grp, old, journal, prefix,
                             row_number() OVER (PARTITION BY journal, prefix ORDER BY new_date, grp, old) AS number
                        FROM gen_move)
           UPDATE gen_move gm SET number = n.number + top.top,
                  name = gm.prefix || CASE WHEN n.number + top.top < 100000
                                           THEN lpad((n.number + top.top)::text, 5, '0')
                                           ELSE (n.number + top.top)::text END
             FROM n JOIN top ON top.journal = n.journal AND top.prefix = n.prefix
            WHERE n.grp = gm.grp AND n.old = gm.old"""
    )
    cr.execute("CREATE INDEX ON gen_move (grp, old)")
    cr.execute("CREATE TEMP TABLE gen_id (tbl text, old int, grp int, new int)")
    cr.execute("INSERT INTO gen_id SELECT 'account_move', old, grp, new FROM gen_move")
    for table in CLONED[1:]:
        for scenario in protos:
            ids = rows[scenario][table]
            if ids:
                cr.execute(
                    f"""INSERT INTO gen_id SELECT %s, p.old, g.grp, nextval('{table}_id_seq')
                          FROM gen_group g CROSS JOIN unnest(%s::int[]) p(old)
                         WHERE g.scenario = %s ORDER BY g.grp, p.old""",
                    [table, ids, scenario],
                )
    cr.execute("CREATE INDEX ON gen_id (tbl, old, grp)")
    cr.execute("ANALYZE gen_id; ANALYZE gen_move; ANALYZE gen_group")
    # Old name -> new name substitutions per group (names appear in labels, references, memos).
    max_moves = max(len(p["moves"]) for p in protos.values())
    pivot = ", ".join(
        f"(array_agg(gm.pname ORDER BY gm.old))[{k + 1}] AS o{k}, (array_agg(gm.name ORDER BY gm.old))[{k + 1}] AS n{k}"
        for k in range(max_moves)
    )
    cr.execute(
        f"""CREATE TEMP TABLE gen_name AS SELECT g.grp, p.name AS partner_name, {pivot}
              FROM gen_group g JOIN res_partner p ON p.id = g.partner
              LEFT JOIN gen_move gm ON gm.grp = g.grp GROUP BY g.grp, p.name"""
    )
    cr.execute("CREATE UNIQUE INDEX ON gen_name (grp); ANALYZE gen_name")
    cr.execute("SELECT name FROM res_partner WHERE id = %s", [proto_partner])
    proto_name = cr.fetchone()[0]
    # Bulk inserts and the deferred updates run several times faster without the secondary indexes
    # (each row would otherwise update a dozen b-trees): dropped here, rebuilt once at the end.
    indexes = drop_secondary_indexes(cr, CLONED + list(link_tables(cr)))
    log(f"  dropped {len(indexes)} secondary indexes for the bulk load")
    deferred = []
    for i, table in enumerate(CLONED):
        t0 = time.time()
        sql, later = _clone_sql(cr, table, proto_partner, proto_name, max_moves, CLONED[i + 1 :])
        cr.execute(sql)
        log(f"  cloned {cr.rowcount:>8} rows of {table} in {time.time() - t0:.1f}s")
        deferred += [(table, col, ref) for col, ref in later]
    for table, col, ref in deferred:
        cr.execute(
            f"""UPDATE {table} t SET {col} = f.new
                  FROM gen_id m JOIN {table} p ON p.id = m.old
                  JOIN gen_id f ON f.tbl = %s AND f.old = p.{col} AND f.grp = m.grp
                 WHERE m.tbl = %s AND t.id = m.new""",
            [ref, table],
        )
        log(f"  linked {cr.rowcount:>8} {table}.{col} -> {ref}")
    for link, fks in link_tables(cr).items():
        cols = [c for c, _t in columns(cr, link)]
        select, joins = [], []
        for i, col in enumerate(cols):
            target = fks.get(col)
            if target in CLONED:
                joins.append(f"LEFT JOIN gen_id j{i} ON j{i}.tbl = '{target}' AND j{i}.old = l.{col}")
                select.append(f"j{i}.new")
            else:
                select.append(f"l.{col}")
        mapped = [f"j{i}" for i, col in enumerate(cols) if fks.get(col) in CLONED]
        same_grp = " AND ".join(f"{a}.grp = {mapped[0]}.grp" for a in mapped[1:]) or "TRUE"
        any_mapped = " OR ".join(f"{a}.new IS NOT NULL" for a in mapped)
        all_or_kept = " AND ".join(
            f"({a}.new IS NOT NULL OR l.{c} IS NULL)"
            for a, c in zip(mapped, [c for c in cols if fks.get(c) in CLONED], strict=True)
        )
        sql = f"""INSERT INTO {link} ({", ".join(cols)}) SELECT {", ".join(select)} FROM {link} l {" ".join(joins)}
                   WHERE ({any_mapped}) AND {same_grp} AND {all_or_kept} ON CONFLICT DO NOTHING"""
        t0 = time.time()
        cr.execute(sql)
        log(f"  cloned {cr.rowcount:>8} rows of {link} in {time.time() - t0:.1f}s")
    # Reconciliation dates are those of the later of the two lines.
    cr.execute(
        """UPDATE account_partial_reconcile p SET max_date = GREATEST(d.date, c.date)
             FROM gen_id i, account_move_line d, account_move_line c
            WHERE i.tbl = 'account_partial_reconcile' AND p.id = i.new
              AND d.id = p.debit_move_id AND c.id = p.credit_move_id"""
    )
    t0 = time.time()
    cr.execute("SET maintenance_work_mem = '1GB'")
    for definition in indexes:
        cr.execute(definition)
    log(f"  rebuilt {len(indexes)} secondary indexes in {time.time() - t0:.1f}s")


def drop_secondary_indexes(cr, tables):
    """Drop the indexes of `tables` that enforce nothing (not primary, not unique, not behind a
    constraint); returns their definitions, to be executed again once the rows are in."""
    cr.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
             FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
              AND NOT i.indisunique AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY 1""",
        [list(tables)],
    )
    indexes = cr.fetchall()
    for name, _definition in indexes:
        cr.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in indexes]


def _clone_sql(cr, table, proto_partner, proto_name, max_moves, later_tables):
    """INSERT ... SELECT cloning `table`'s prototype rows for every group; returns (sql, deferred fks)."""
    fks = foreign_keys(cr, table)
    cols = columns(cr, table)
    names = [c for c, _t in cols]
    if table == "account_move":
        move_expr = "p.id"
    elif "move_id" in names and table != "account_full_reconcile":
        move_expr = "p.move_id"
    else:
        move_expr = None
    joins = ["JOIN gen_id m ON m.tbl = %(table)s AND m.old = p.id", "JOIN gen_group g ON g.grp = m.grp"]
    if move_expr:
        joins.append(f"LEFT JOIN gen_move mv ON mv.grp = m.grp AND mv.old = {move_expr}")
        shift = "COALESCE(mv.shift, g.d_inv - %(proto_date)s)"
    else:
        shift = "(g.d_inv - %(proto_date)s)"
    # nested replace of every prototype move name (and the customer's name) of the group
    joins.append("JOIN gen_name nm ON nm.grp = m.grp")

    def renamed(expr):
        for k in range(max_moves):
            expr = f"replace({expr}, COALESCE(nm.o{k}, ''), COALESCE(nm.n{k}, ''))"
        return f"replace({expr}, %(proto_name)s, nm.partner_name)"

    later, select = [], []
    for i, (col, dtype) in enumerate(cols):
        ref = fks.get(col)
        if col == "id":
            expr = "m.new"
        elif ref in later_tables:
            later.append((col, ref))
            expr = "NULL"
        elif ref in CLONED:
            joins.append(f"LEFT JOIN gen_id f{i} ON f{i}.tbl = '{ref}' AND f{i}.old = p.{col} AND f{i}.grp = m.grp")
            expr = f"CASE WHEN p.{col} IS NULL THEN NULL ELSE f{i}.new END"
        elif ref == "res_partner":
            expr = f"CASE WHEN p.{col} = {int(proto_partner)} THEN g.partner ELSE p.{col} END"
        elif col in ("invoice_payment_term_id", "payment_term_id"):
            expr = f"CASE WHEN p.{col} IS NULL THEN NULL ELSE COALESCE(g.term_id, p.{col}) END"
        elif table == "account_move" and col == "name":
            expr = "mv.name"
        elif table == "account_move" and col == "sequence_prefix":
            expr = "mv.prefix"
        elif table == "account_move" and col == "sequence_number":
            expr = "mv.number"
        elif table == "sale_order" and col == "name":
            expr = "'S' || lpad((m.new)::text, 5, '0')"
        elif col == "matching_number":
            expr = f"""CASE WHEN p.full_reconcile_id IS NOT NULL THEN (SELECT new FROM gen_id
                              WHERE tbl = 'account_full_reconcile'
                              AND old = p.full_reconcile_id AND grp = m.grp)::text
                            WHEN p.matching_number LIKE 'P%%' THEN 'P' || (SELECT new FROM gen_id WHERE
                              tbl = 'account_partial_reconcile' AND old = substr(p.matching_number, 2)::int
                              AND grp = m.grp)
                            ELSE p.{col} END"""
        elif table == "account_move" and col == "invoice_date_due":
            # entries (payments) get their own date, invoices their payment term's due date
            expr = """CASE WHEN p.move_type = 'entry' THEN mv.new_date
                           ELSE p.invoice_date_due + mv.shift + mv.term_shift END"""
        elif col in ("invoice_date_due", "date_maturity"):
            expr = f"p.{col} + {shift} + COALESCE(mv.term_shift, 0)" if move_expr else f"p.{col} + {shift}"
        elif dtype == "date":
            expr = f"p.{col} + {shift}"
        elif dtype.startswith("timestamp") and col not in ("create_date", "write_date"):
            expr = f"p.{col} + make_interval(days => {shift})"
        elif dtype == "numeric" and col not in NOT_MONEY and not col.endswith("_qty"):
            expr = f"p.{col} * g.scale"
        elif dtype in ("character varying", "text") and table.startswith("account_") and max_moves:
            expr = renamed(f"p.{col}")
        else:
            expr = f"p.{col}"
        select.append(expr)
    sql = f"""INSERT INTO {table} ({", ".join(names)})
              SELECT {", ".join(select)} FROM {table} p {" ".join(joins)} ORDER BY m.new"""
    params = {"table": table, "proto_date": PROTO_DATE, "proto_name": proto_name}
    return cr.mogrify(sql, params).decode(), later


# ----------------------------------------------------------------------------------------------
def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--version", required=True)
    args = parser.parse_args()
    if args.size < 1 or args.customers < 1:
        sys.exit("ERROR: SIZE and CUSTOMERS must be at least 1")
    t_start = time.time()

    def log(msg):
        print(f"[{time.time() - t_start:7.1f}s] {msg}", flush=True)

    rng = random.Random(SEED)
    with odoo_env(args.db) as env:
        company, eur, tax, product, tags = setup(env)
        proto_partner, protos = make_prototypes(env, company, eur, tax, product)
        log("prototypes made through the ORM")
        customers, probe_ids = make_customers(env, args.customers, tags, rng)
        term_ids = {x: env.ref(x).id for x, _d, _s in TERMS}
        groups = plan(args.size, customers, probe_ids, term_ids, rng)
        env.flush_all()
        log(f"{args.customers} customers; plan: " + ", ".join(f"{k} {len(v)}" for k, v in groups.items()))
        clone_all(env, proto_partner.id, protos, groups, log)
        # The order sequence continues after the cloned orders.
        env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM sale_order")
        top_order = env.cr.fetchone()[0]
        seq = env["ir.sequence"].search(
            [("code", "=", "sale.order"), ("company_id", "in", [company.id, False])], limit=1
        )
        seq.number_next = top_order + 1
        env.cr.execute(
            """CREATE TABLE bench_meta (key varchar PRIMARY KEY, value varchar);
               INSERT INTO bench_meta VALUES ('generator', %s), ('size', %s), ('customers', %s), ('seed', %s),
                      ('today', %s), ('built_at', now()::text), ('probe_partners', %s)""",
            [args.version, args.size, args.customers, SEED, TODAY.isoformat(), repr(probe_ids)],
        )
        env.invalidate_all()
        env.cr.execute("ANALYZE")
    log("done")


if __name__ == "__main__":
    main()
