"""Benchmark of the daily collection run, self-contained.

    measure(env) -> [{"metric": ..., "value": ..., "unit": ...}, ...]

Runs the collection cron over the overdue customer invoices of env.company: first run, re-run with
nothing to do, SQL queries per invoice, peak memory (process RSS); and the accuracy of the predicted
payment date (mean absolute error in days) on paid history. With the OCA peers' copy of the same
template (`ctx.env("oca")`), OCA account_credit_control's run on the same day beside it: its "3 time
policy" on the company's receivable accounts turns the overdue lines into control lines (it sends
nothing: its emails and letters are a later manual step), and the ratio of our first run to it.
When the company has fewer than `min_overdue` overdue invoices, it first builds a dataset of its own
(`customers` customers x `per_customer` overdue invoices, plus paid history with a per-customer
paying habit). Nothing is committed: call it in a transaction you roll back.
"""

import random
import resource
import time
from datetime import timedelta

from odoo import Command, fields
from odoo.tools import SQL


def _overdue_count(env, today):
    env.cr.execute(
        SQL(
            """SELECT COUNT(*) FROM account_move WHERE company_id = %s AND move_type = 'out_invoice'
               AND state = 'posted' AND amount_residual > 0 AND invoice_date_due < %s""",
            env.company.id,
            today,
        )
    )
    return env.cr.fetchone()[0]


def _ensure_strategy(env):
    company = env.company
    if company.collection_strategy_id:
        return company.collection_strategy_id
    template = env.ref("credit_collection.mail_template_collection_reminder")
    call = env.ref("mail.mail_activity_data_call")
    strategy = env["credit.collection.strategy"].create(
        {
            "name": "Bench Standard",
            "company_id": company.id,
            "stage_ids": [
                Command.create({"sequence": 1, "name": "Pre-due", "offset_days": -3, "mail_template_id": template.id}),
                Command.create({"sequence": 2, "name": "Reminder", "offset_days": 1, "mail_template_id": template.id}),
                Command.create(
                    {
                        "sequence": 3,
                        "name": "Second notice",
                        "offset_days": 15,
                        "mail_template_id": template.id,
                        "activity_type_id": call.id,
                        "activity_user_type": "user",
                        "activity_user_id": env.user.id,
                    }
                ),
                Command.create(
                    {
                        "sequence": 4,
                        "name": "Formal",
                        "offset_days": 30,
                        "mail_template_id": template.id,
                        "credit_hold": True,
                    }
                ),
                Command.create({"sequence": 5, "name": "Final", "offset_days": 60, "mail_template_id": template.id}),
                Command.create({"sequence": 6, "name": "Legal", "offset_days": 90, "legal_handover": True}),
            ],
        }
    )
    company.collection_strategy_id = strategy
    return strategy


def _give_emails(env, share=4):
    """The template's customers have no email address: give one to 3 customers in 4 (the others
    measure the no-email path: a data problem, handled by the stage's fallback, never retried)."""
    env.flush_all()
    env.cr.execute(
        SQL(
            """UPDATE res_partner SET email = 'ap' || id || '@bench.example'
                WHERE (email IS NULL OR email = '') AND is_company AND MOD(id, %s) <> 0
                  AND id IN (SELECT commercial_partner_id FROM account_move WHERE company_id = %s)""",
            share,
            env.company.id,
        )
    )
    env.invalidate_all()
    env.cr.execute(
        SQL(
            """SELECT COUNT(*) FILTER (WHERE COALESCE(p.email, '') = ''), COUNT(*)
                 FROM res_partner p WHERE p.id IN (SELECT commercial_partner_id FROM account_move
                                                   WHERE company_id = %s AND move_type = 'out_invoice')""",
            env.company.id,
        )
    )
    return env.cr.fetchone()


def _build_dataset(env, customers, per_customer, history, today, rng):
    journal = env["account.journal"].search([("company_id", "=", env.company.id), ("type", "=", "sale")], limit=1)
    bank = env["account.journal"].search([("company_id", "=", env.company.id), ("type", "=", "bank")], limit=1)
    partners = env["res.partner"].create(
        [{"name": f"Bench customer {i}", "is_company": True, "email": f"ap{i}@bench.example"} for i in range(customers)]
    )
    habits = {partner.id: rng.randint(0, 40) for partner in partners}

    def vals(partner, due, amount):
        return {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "journal_id": journal.id,
            "invoice_date": due - timedelta(days=30),
            "invoice_date_due": due,
            "invoice_payment_term_id": False,
            "invoice_line_ids": [Command.create({"name": "goods", "quantity": 1, "price_unit": amount, "tax_ids": []})],
        }

    open_vals, paid = [], []
    for partner in partners:
        for _n in range(per_customer):
            open_vals.append(vals(partner, today - timedelta(days=rng.randint(-5, 120)), rng.randint(50, 5000)))
        for _n in range(history):
            due = today - timedelta(days=rng.randint(60, 330))
            paid.append((partner, due, rng.randint(50, 5000)))
    moves = env["account.move"].create(open_vals)
    moves.action_post()
    history_moves = env["account.move"].create([vals(partner, due, amount) for partner, due, amount in paid])
    history_moves.action_post()
    for move in history_moves:
        late = max(habits[move.partner_id.id] + rng.randint(-5, 5), -10)
        pay_date = min(move.invoice_date_due + timedelta(days=late), today)
        env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
            {"payment_date": pay_date, "journal_id": bank.id}
        )._create_payments()
    env.flush_all()


def _prediction_mae(env, today):
    """Predict with the history paid before a cutoff (6 months ago), score on invoices paid after."""
    cutoff = today - timedelta(days=182)
    env.cr.execute(
        SQL(
            """
            WITH paid AS (
                SELECT m.commercial_partner_id AS partner_id, m.amount_total_signed AS amount,
                       m.invoice_date_due AS due, MAX(apr.max_date) AS paid_on
                  FROM account_move m
                  JOIN account_move_line aml ON aml.move_id = m.id AND aml.display_type = 'payment_term'
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                 WHERE m.company_id = %(company)s AND m.move_type = 'out_invoice' AND m.state = 'posted'
                   AND m.payment_state IN ('paid', 'in_payment')
              GROUP BY m.id
            ), habit AS (
                SELECT partner_id, SUM(amount * (paid_on - due)) / NULLIF(SUM(amount), 0) AS days
                  FROM paid WHERE paid_on <= %(cutoff)s AND paid_on > %(cutoff)s - 365 GROUP BY partner_id
            )
            SELECT AVG(ABS((p.paid_on - p.due) - COALESCE(h.days, %(default)s))), COUNT(*)
              FROM paid p LEFT JOIN habit h ON h.partner_id = p.partner_id
             WHERE p.paid_on > %(cutoff)s AND p.paid_on <= %(today)s
            """,
            company=env.company.id,
            cutoff=cutoff,
            today=today,
            default=env.company.collection_default_days_late,
        )
    )
    mae, count = env.cr.fetchone()
    return float(mae or 0.0), count


def _as_cron(context):
    """`context` without the keys that switch Odoo's chatter off (tracking, creation notes,
    followers): the cron sets none of them."""
    quiet = {"tracking_disable", "mail_notrack", "mail_create_nolog", "mail_create_nosubscribe"}
    return {key: value for key, value in context.items() if key not in quiet}


def _oca_run(oca_env, today):
    """OCA account_credit_control's run on `today`: (seconds, queries, control lines generated)."""
    company = oca_env.company
    policy = oca_env.ref("account_credit_control.credit_control_3_time")
    receivables = oca_env["account.account"].search(
        [("company_ids", "in", company.ids), ("account_type", "=", "asset_receivable")]
    )
    policy.account_ids = [Command.set(receivables.ids)]
    company.credit_policy_id = policy
    oca_env.flush_all()
    oca_env.invalidate_all()
    queries = oca_env.cr.sql_log_count
    start, cpu = time.perf_counter(), time.process_time()
    run = oca_env["credit.control.run"].create({"date": today, "policy_ids": [Command.set(policy.ids)]})
    run.generate_credit_lines()
    oca_env.flush_all()
    oca_env.cr.flush()
    return (
        time.perf_counter() - start,
        oca_env.cr.sql_log_count - queries,
        len(run.line_ids),
        time.process_time() - cpu,
    )


def measure(env, ctx=None, customers=200, per_customer=5, history=4, min_overdue=100, seed=42):
    oca_env = ctx.env("oca") if ctx is not None else None
    if oca_env is not None and "credit.control.run" not in oca_env:
        oca_env = None
    # the data is set up without chatter; both runs are measured as Odoo's cron runs them: with
    # tracking and creation notes, and with the commit's tracking step (`cr.flush()` runs Odoo's
    # precommit hooks, where the tracking messages are written)
    build_env = env(context=dict(env.context, tracking_disable=True, mail_notrack=True))
    env = env(context=_as_cron(env.context))
    today = fields.Date.context_today(env.user)
    strategy = _ensure_strategy(build_env)
    # letters are rendered by wkhtmltopdf, which needs the HTTP server for its assets: not here
    strategy.stage_ids.write({"email_fallback": "none"})
    if _overdue_count(build_env, today) < min_overdue:
        _build_dataset(build_env, customers, per_customer, history, today, random.Random(seed))
    without_email, customers_total = _give_emails(build_env)
    build_env.flush_all()
    overdue = _overdue_count(env, today)
    History = env["credit.collection.history"]
    histories_before = History.search_count([])
    Run = env["credit.collection.run"]
    cr = env.cr

    env.flush_all()
    cr.flush()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queries = cr.sql_log_count
    start, cpu = time.perf_counter(), time.process_time()
    Run._cron_collection_run(commit=False)
    env.flush_all()
    cr.flush()
    first = time.perf_counter() - start
    first_cpu = time.process_time() - cpu
    first_queries = cr.sql_log_count - queries
    acted = History.search_count([]) - histories_before
    # peak resident memory of the process (KiB on Linux); tracemalloc would slow the run several times
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    # what the chatter shows after the run (outside the timing): the handed-over invoices with
    # their tracked change of Legal / Agency, the legal provisions with their creation note
    cr.execute(
        """
        SELECT COUNT(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM mail_message mm JOIN mail_tracking_value t ON t.mail_message_id = mm.id
                    WHERE mm.model = 'account.move' AND mm.res_id = m.id AND t.field_id = f.id)),
               COUNT(*)
          FROM account_move m, ir_model_fields f
         WHERE m.collection_legal AND f.model = 'account.move' AND f.name = 'collection_legal'
        """
    )
    legal_tracked, legal_total = cr.fetchone()
    cr.execute(
        """
        SELECT COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM mail_message mm
                                              WHERE mm.model = 'credit.provision.specific' AND mm.res_id = s.id)),
               COUNT(*)
          FROM credit_provision_specific s WHERE s.origin = 'legal'
        """
    )
    provisions_noted, provisions_total = cr.fetchone()

    env.invalidate_all()
    queries = cr.sql_log_count
    start = time.perf_counter()
    Run._cron_collection_run(commit=False)
    env.flush_all()
    cr.flush()
    rerun = time.perf_counter() - start
    rerun_queries = cr.sql_log_count - queries

    oca_time = oca_queries = oca_lines = oca_cpu = ratio = None
    if oca_env is not None:
        oca_time, oca_queries, oca_lines, oca_cpu = _oca_run(oca_env(context=_as_cron(oca_env.context)), today)
        # the ratio of each call (both runs in the same minute): steadier than the ratio of medians
        # when the machine is shared
        ratio = round(first / oca_time, 3)
        oca_time, oca_cpu = round(oca_time, 3), round(oca_cpu, 3)
    mae, scored = _prediction_mae(env, today)
    return [
        {"metric": "collection overdue invoices", "value": overdue, "unit": "invoices"},
        {"metric": "collection customers without email", "value": without_email, "unit": "customers"},
        {"metric": "collection customers", "value": customers_total, "unit": "customers"},
        {"metric": "collection acted invoices (stage applied)", "value": acted, "unit": "invoices"},
        {
            "metric": "collection first run queries per acted invoice",
            "value": round(first_queries / max(acted, 1), 2),
            "unit": "queries",
        },
        {"metric": "collection first run", "value": round(first, 3), "unit": "s", "oca": oca_time},
        {"metric": "collection first run ÷ OCA's run, same call", "value": ratio, "unit": "×"},
        {
            "metric": "collection first run CPU time of this process (PostgreSQL's not counted)",
            "value": round(first_cpu, 3),
            "unit": "s",
            "oca": oca_cpu,
        },
        {
            "metric": "collection first run queries",
            "value": first_queries,
            "unit": "queries",
            "oca": oca_queries,
        },
        {
            "metric": "collection invoices acted on (OCA: control lines generated)",
            "value": acted,
            "unit": "invoices",
            "oca": oca_lines,
        },
        {
            "metric": "collection first run queries per invoice",
            "value": round(first_queries / max(overdue, 1), 2),
            "unit": "queries",
        },
        {"metric": "collection first run peak RSS", "value": round(rss_after / 1024, 1), "unit": "MiB"},
        {
            "metric": "collection first run peak RSS growth",
            "value": round((rss_after - rss_before) / 1024, 1),
            "unit": "MiB",
        },
        {"metric": "collection handed-over invoices (all)", "value": legal_total, "unit": "invoices"},
        {
            "metric": "collection handed-over invoices with the tracked change in their chatter",
            "value": legal_tracked,
            "unit": "invoices",
        },
        {"metric": "collection legal provisions (all)", "value": provisions_total, "unit": "provisions"},
        {
            "metric": "collection legal provisions with their creation note",
            "value": provisions_noted,
            "unit": "provisions",
        },
        {"metric": "collection re-run (nothing to do)", "value": round(rerun, 3), "unit": "s"},
        {"metric": "collection re-run queries", "value": rerun_queries, "unit": "queries"},
        {"metric": "prediction MAE", "value": round(mae, 2), "unit": "days"},
        {"metric": "prediction invoices scored", "value": scored, "unit": "invoices"},
    ]
