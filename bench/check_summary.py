"""Prove on a bench database that the summary of open receivables equals the journal items.

    python bench/check_summary.py --db ccb_run_10000_cc

On a copy with credit_collection installed (the summary, credit_open_item_sum, is filled at install
and kept by a trigger on account_move_line since):
1. key by key (journal-item partner, company, account, due date): the summary's sums of residuals,
   of positive residuals and the count of positive residuals equal the journal items';
2. the exposure statement for EVERY customer of the database at once, reading the summary, gives
   the same rows as the same statement reading the journal items (receivable, overdue and late
   amounts, oldest due dates), for today and for a "today" three years back and ahead;
3. the same after confirming nothing but posting and paying: an invoice of the customer with 1 000
   open invoices is paid, another posted, a third reset to draft, and the fold (the cron) runs.
Exits 1 on a difference. Read-only: everything is rolled back.
"""

import argparse
import ast
import datetime
import sys

from odoo_env import odoo_env


def _statement_rows(env, partner_ids, today, late_before, receivable_from):
    engine = env["credit.exposure"]
    company = env.company
    engine.env.flush_all()
    env.cr.execute(
        engine._exposure_query(partner_ids, company, [], today, late_before, receivable_from=receivable_from)
    )
    # id, receivable, draft, orders, limit, hold, reason, overdue, oldest, late, late_due (no input ids)
    return {row[0]: row[:10] for row in env.cr.fetchall()}


def _compare(env, label):
    failures = 0
    mismatches = env["credit.exposure"]._open_item_sum_mismatches()
    print(f"{label}: keys where the summary differs from the journal items: {len(mismatches)}")
    for row in mismatches[:5]:
        print("   ", row)
    failures += bool(mismatches)
    env.cr.execute(
        "SELECT id FROM res_partner WHERE id = commercial_partner_id AND id IN (SELECT partner_id FROM account_move)"
    )
    partner_ids = [r[0] for r in env.cr.fetchall()]
    base = datetime.date.today()
    for today in (base, base - datetime.timedelta(days=3 * 365), base + datetime.timedelta(days=3 * 365)):
        late_before = today - datetime.timedelta(days=30)
        summary = _statement_rows(env, partner_ids, today, late_before, "summary")
        items = _statement_rows(env, partner_ids, today, late_before, "items")
        differ = [pid for pid in items if summary.get(pid) != items[pid]]
        print(f"{label}: {len(items)} customers, today {today}: statements differ for {len(differ)}")
        for pid in differ[:5]:
            print("    summary", summary.get(pid), "\n    items  ", items[pid])
        failures += bool(differ) or len(summary) != len(items)
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    with odoo_env(args.db, commit=False) as env:
        cr = env.cr
        cr.execute("SELECT COUNT(*), COUNT(*) FILTER (WHERE folded) FROM credit_open_item_sum")
        rows, folded = cr.fetchone()
        cr.execute(
            "SELECT COUNT(*) FROM account_move_line WHERE parent_state = 'posted' AND reconciled IS NOT TRUE"
            " AND amount_residual <> 0 AND partner_id IS NOT NULL"
        )
        print(f"summary rows {rows} ({folded} folded) for {cr.fetchone()[0]} open journal items")
        failures = _compare(env, "as installed")
        cr.execute("SELECT value FROM bench_meta WHERE key = 'probe_partners'")
        probe = ast.literal_eval(cr.fetchone()[0])[1000]
        invoices = env["account.move"].search(
            [("partner_id", "=", probe), ("move_type", "=", "out_invoice"), ("payment_state", "=", "not_paid")],
            limit=2,
        )
        wizard = env["account.payment.register"].with_context(active_model="account.move", active_ids=invoices[:1].ids)
        wizard.create({"amount": invoices[0].amount_residual / 3})._create_payments()
        invoices[1:].button_draft()
        invoices[1:].action_post()
        env["credit.exposure"]._cron_compact_open_item_sum()
        failures += _compare(env, "after a payment, a re-posting and the fold")
        cr.rollback()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
