"""Prove that a bench database holds what Odoo itself would hold (make bench-check).

SQL invariants over every posted entry, then the ORM recomputes a sample of invoices and lines and
must find the stored values. Prints the content's shape; exits 1 on the first broken invariant.
"""

import argparse
import random
import sys

from odoo_env import odoo_env

# (what must hold, SQL returning the offending rows: must return none)
INVARIANTS = [
    (
        "the database holds generated receivables",
        """SELECT 'no bench_meta table: not built by bench/gen_data.py' WHERE to_regclass('bench_meta') IS NULL
           UNION ALL SELECT 'no posted customer invoice' WHERE NOT EXISTS
                (SELECT 1 FROM account_move WHERE move_type = 'out_invoice' AND state = 'posted')""",
    ),
    (
        "every posted entry is balanced (debit = credit, balance = debit - credit)",
        """SELECT move_id FROM account_move_line WHERE parent_state = 'posted'
            GROUP BY move_id
           HAVING SUM(balance) != 0 OR SUM(debit) != SUM(credit) OR bool_or(balance != debit - credit)
               OR bool_or(debit < 0 OR credit < 0)""",
    ),
    (
        "every residual = amount - its partial reconciliations (company and foreign currency)",
        """SELECT l.id FROM account_move_line l
             JOIN account_account a ON a.id = l.account_id
             LEFT JOIN (SELECT debit_move_id AS id, SUM(amount) AS amt, SUM(debit_amount_currency) AS cur
                          FROM account_partial_reconcile GROUP BY 1) d ON d.id = l.id
             LEFT JOIN (SELECT credit_move_id AS id, SUM(amount) AS amt, SUM(credit_amount_currency) AS cur
                          FROM account_partial_reconcile GROUP BY 1) c ON c.id = l.id
            WHERE l.parent_state = 'posted'
              AND (a.reconcile OR a.account_type IN ('asset_cash', 'liability_credit_card'))
              AND (l.amount_residual != l.balance - COALESCE(d.amt, 0) + COALESCE(c.amt, 0)
                   OR l.amount_residual_currency != l.amount_currency - COALESCE(d.cur, 0) + COALESCE(c.cur, 0))""",
    ),
    (
        "non-reconcilable lines carry no residual",
        """SELECT l.id FROM account_move_line l JOIN account_account a ON a.id = l.account_id
            WHERE NOT a.reconcile AND a.account_type NOT IN ('asset_cash', 'liability_credit_card')
              AND (l.amount_residual != 0 OR l.reconciled)""",
    ),
    (
        "reconciled = nothing left (reconcilable accounts); a full reconcile only on reconciled lines",
        """SELECT l.id FROM account_move_line l JOIN account_account a ON a.id = l.account_id
            WHERE a.reconcile AND l.parent_state = 'posted'
              AND (l.reconciled != (l.amount_residual = 0 AND l.amount_residual_currency = 0)
                   OR (l.full_reconcile_id IS NOT NULL AND NOT l.reconciled))""",
    ),
    (
        "partial reconciliations join a debit and a credit line of the same account and customer",
        """SELECT p.id FROM account_partial_reconcile p
             JOIN account_move_line d ON d.id = p.debit_move_id
             JOIN account_move_line c ON c.id = p.credit_move_id
            WHERE d.account_id != c.account_id OR d.partner_id IS DISTINCT FROM c.partner_id
               OR d.balance <= 0 OR c.balance >= 0 OR p.amount <= 0
               OR p.max_date != GREATEST(d.date, c.date)
               OR p.full_reconcile_id IS DISTINCT FROM d.full_reconcile_id""",
    ),
    (
        "matching numbers as Odoo writes them (full reconcile id, or P + first partial)",
        """SELECT l.id FROM account_move_line l
            WHERE (l.full_reconcile_id IS NOT NULL AND l.matching_number != l.full_reconcile_id::text)
               OR (l.full_reconcile_id IS NULL AND EXISTS (SELECT 1 FROM account_partial_reconcile p
                                                           WHERE l.id IN (p.debit_move_id, p.credit_move_id))
                   AND l.matching_number NOT LIKE 'P%')""",
    ),
    (
        "invoice totals and residuals = their receivable lines",
        """SELECT m.id FROM account_move m
             JOIN account_move_line l ON l.move_id = m.id
             JOIN account_account a ON a.id = l.account_id AND a.account_type = 'asset_receivable'
            WHERE m.move_type IN ('out_invoice', 'out_refund') AND m.state = 'posted'
            GROUP BY m.id
           HAVING m.amount_total_signed != SUM(l.balance) OR m.amount_residual_signed != SUM(l.amount_residual)
               OR m.amount_residual != ABS(SUM(l.amount_residual_currency))""",
    ),
    (
        "payment states follow residuals (not paid / partial / paid / reversed)",
        """SELECT m.id FROM account_move m
            WHERE m.move_type IN ('out_invoice', 'out_refund') AND m.state = 'posted'
              AND NOT CASE
                  WHEN m.amount_residual = 0 THEN m.payment_state IN ('paid', 'in_payment', 'reversed')
                  WHEN m.amount_residual = m.amount_total THEN m.payment_state = 'not_paid'
                  ELSE m.payment_state = 'partial' END""",
    ),
    (
        "reversed invoices are reconciled with a refund that reverses them",
        """SELECT m.id FROM account_move m
            WHERE m.payment_state = 'reversed'
              AND NOT EXISTS (SELECT 1 FROM account_move r WHERE r.reversed_entry_id = m.id AND r.state = 'posted')""",
    ),
    (
        "the receivable accounts' balance = the sum of the open residuals",
        """SELECT 1 FROM account_move_line l JOIN account_account a ON a.id = l.account_id
            WHERE a.account_type = 'asset_receivable' AND l.parent_state = 'posted'
           HAVING SUM(l.balance) != SUM(l.amount_residual)""",
    ),
    (
        "journal numbers are unique and match their prefix",
        """SELECT journal_id, name FROM account_move WHERE state = 'posted'
            GROUP BY journal_id, name HAVING COUNT(*) > 1
           UNION ALL
           SELECT journal_id, name FROM account_move
            WHERE state = 'posted' AND name != sequence_prefix || lpad(sequence_number::text, 5, '0')
              AND name != sequence_prefix || sequence_number::text""",
    ),
    (
        "payments: amount = their receivable counterpart, linked to their entry",
        """SELECT p.id FROM account_payment p
             JOIN account_move m ON m.id = p.move_id AND m.origin_payment_id = p.id
             JOIN account_move_line l ON l.move_id = m.id
             JOIN account_account a ON a.id = l.account_id AND a.account_type = 'asset_receivable'
            GROUP BY p.id HAVING p.amount != -SUM(l.amount_currency)""",
    ),
    (
        "confirmed orders: total = their lines",
        """SELECT o.id FROM sale_order o JOIN sale_order_line l ON l.order_id = o.id
            WHERE o.state = 'sale' GROUP BY o.id
           HAVING o.amount_total != SUM(l.price_total) OR o.amount_untaxed != SUM(l.price_subtotal)""",
    ),
]

REGULAR = "partner_id NOT IN (SELECT id FROM res_partner WHERE name LIKE 'Bench customer, %%')"
SHAPE = """
SELECT 'customer invoices (all)', COUNT(*)::text {invoices}
UNION ALL SELECT 'regular customers invoices', COUNT(*)::text {invoices} AND {regular}
UNION ALL SELECT 'paid in full', round(100.0 * COUNT(*) FILTER (WHERE payment_state IN ('paid', 'in_payment'))
                 / NULLIF(COUNT(*), 0), 1) || ' %' {invoices} AND {regular}
UNION ALL SELECT 'partly paid', round(100.0 * COUNT(*) FILTER (WHERE payment_state = 'partial')
                 / NULLIF(COUNT(*), 0), 1) || ' %' {invoices} AND {regular}
UNION ALL SELECT 'refunded', round(100.0 * COUNT(*) FILTER (WHERE payment_state = 'reversed')
                 / NULLIF(COUNT(*), 0), 1) || ' %' {invoices} AND {regular}
UNION ALL SELECT 'open', round(100.0 * COUNT(*) FILTER (WHERE payment_state = 'not_paid')
                 / NULLIF(COUNT(*), 0), 1) || ' %' {invoices} AND {regular}
UNION ALL SELECT 'in a foreign currency', round(100.0 * COUNT(*) FILTER (WHERE m.currency_id != c.currency_id)
                 / NULLIF(COUNT(*), 0), 1) || ' %' FROM account_move m JOIN res_company c ON c.id = m.company_id
                  WHERE move_type = 'out_invoice' AND state = 'posted' AND m.{regular}
UNION ALL SELECT 'invoice dates', MIN(invoice_date) || ' .. ' || MAX(invoice_date) FROM account_move
                  WHERE move_type = 'out_invoice' AND state = 'posted' AND {regular}
UNION ALL SELECT 'refunds', COUNT(*)::text FROM account_move WHERE move_type = 'out_refund' AND state = 'posted'
UNION ALL SELECT 'customer payments', COUNT(*)::text FROM account_payment WHERE partner_type = 'customer'
UNION ALL SELECT 'unapplied payments', COUNT(*)::text FROM account_payment p JOIN account_move_line l
                  ON l.move_id = p.move_id AND l.account_id = p.destination_account_id
                  WHERE NOT l.reconciled
                    AND NOT EXISTS (SELECT 1 FROM account_partial_reconcile r WHERE r.credit_move_id = l.id)
UNION ALL SELECT 'confirmed orders not invoiced', COUNT(*)::text FROM sale_order WHERE state = 'sale'
                  AND invoice_status = 'to invoice'
UNION ALL SELECT 'customers with invoices', COUNT(DISTINCT partner_id)::text FROM account_move
                  WHERE move_type = 'out_invoice'
UNION ALL SELECT 'journal items', COUNT(*)::text FROM account_move_line
UNION ALL SELECT 'open receivable', SUM(amount_residual)::text FROM account_move_line l
                  JOIN account_account a ON a.id = l.account_id WHERE a.account_type = 'asset_receivable'
"""


def orm_recompute(env, sample_size, rng):
    """The ORM recomputes invoices' and lines' stored amounts and states: they must not move."""
    env.cr.execute("SELECT id FROM account_move WHERE move_type IN ('out_invoice', 'out_refund', 'entry')")
    ids = [r[0] for r in env.cr.fetchall()]
    moves = env["account.move"].browse(rng.sample(ids, min(sample_size, len(ids))))
    lines = moves.line_ids
    move_fields = [
        "amount_untaxed",
        "amount_tax",
        "amount_total",
        "amount_residual",
        "amount_total_signed",
        "amount_residual_signed",
        "payment_state",
    ]
    line_fields = ["amount_residual", "amount_residual_currency", "reconciled"]
    stored_moves = {m.id: [m[f] for f in move_fields] for m in moves}
    stored_lines = {line.id: [line[f] for f in line_fields] for line in lines}
    # Run Odoo's own compute methods on them (protected: they only refresh the cache).
    with env.protecting([moves._fields[f] for f in move_fields], moves):
        moves._compute_amount()
        moves._compute_payment_state()
    with env.protecting([lines._fields[f] for f in line_fields], lines):
        lines._compute_amount_residual()
    errors = []
    for move in moves:
        now = [move[f] for f in move_fields]
        if now != stored_moves[move.id]:
            errors.append(f"{move.name}: stored {stored_moves[move.id]} != ORM {now}")
    for line in lines:
        now = [line[f] for f in line_fields]
        if now != stored_lines[line.id]:
            errors.append(f"line {line.id} of {line.move_id.name}: stored {stored_lines[line.id]} != ORM {now}")
    # Odoo's own receivable figure per customer (res.partner.credit) = the sum of the residuals.
    partners = moves.commercial_partner_id
    env.cr.execute(
        """SELECT l.partner_id, SUM(l.amount_residual) FROM account_move_line l
             JOIN account_account a ON a.id = l.account_id
            WHERE a.account_type = 'asset_receivable' AND l.parent_state = 'posted' AND l.partner_id = ANY(%s)
            GROUP BY l.partner_id""",
        [partners.ids],
    )
    residual = dict(env.cr.fetchall())
    for partner in partners:
        total = float(residual.get(partner.id, 0.0))
        if partner.currency_id.compare_amounts(partner.credit - partner.debit, total):
            errors.append(f"{partner.name}: Odoo's receivable {partner.credit - partner.debit} != residuals {total}")
    env.invalidate_all()
    return len(moves), len(lines), len(partners), errors


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--sample", type=int, default=300)
    args = parser.parse_args()
    failed = 0
    with odoo_env(args.db, commit=False) as env:
        cr = env.cr
        for label, sql in INVARIANTS:
            cr.execute(f"SELECT * FROM ({sql}) bad LIMIT 5")
            bad = cr.fetchall()
            print(f"{'ok  ' if not bad else 'FAIL'} {label}" + (f": e.g. {bad}" if bad else ""))
            failed += bool(bad)
        n_moves, n_lines, n_partners, errors = orm_recompute(env, args.sample, random.Random(1))
        print(
            f"{'ok  ' if not errors else 'FAIL'} the ORM recomputes {n_moves} random entries, {n_lines} lines, "
            f"{n_partners} customers' receivable and finds the stored values"
        )
        for error in errors[:10]:
            print("     ", error)
        failed += bool(errors)
        invoices = "FROM account_move WHERE move_type = 'out_invoice' AND state = 'posted'"
        cr.execute(SHAPE.format(regular=REGULAR.replace("%%", "%"), invoices=invoices))
        print("content (shares: of the regular customers' invoices, without the order-time bench's customers):")
        for label, value in cr.fetchall():
            print(f"  {label:<32} {value}")
    if failed:
        print(f"CHECK FAILED: {failed} invariant(s) broken in {args.db}", file=sys.stderr)
        sys.exit(1)
    print(f"check passed: {args.db} holds what Odoo itself would hold")


if __name__ == "__main__":
    main()
