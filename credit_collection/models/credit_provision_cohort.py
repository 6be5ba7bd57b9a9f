"""Historical loss rates per bucket (cohort method): the evidence the provision matrix rests on."""

from odoo import models
from odoo.tools import SQL


class CreditProvisionRun(models.Model):
    _inherit = "credit.provision.run"

    # ------------------------------------------------------------------ suggested rates (cohort)
    def _suggested_rates(self):
        """Historical loss rate per bucket, cohort method (docs/reports.md, "Provision for doubtful debts"):
        eventual loss of a cohort ÷ the part of it still unpaid on entering the bucket.
        Returns {bucket id: {"rate": % or None, "count": invoices still unpaid on entering the
        bucket, "amount": their unpaid amount}}: the evidence the rate rests on.

        Cohort: the customer invoices (debit items) that entered the last bucket within the twelve
        months before the run's date (so they have fully aged). Paid = settled by any counterpart
        but a write-off; a write-off is a counterpart whose entry touches the allowance account
        (Dr allowance / Cr receivable). Lost = amount still open at the date + amounts written off.
        Entering a bucket = reaching its lower bound (days past due, or started years)."""
        self.ensure_one()
        buckets = self.bucket_set_id.bucket_ids
        last = buckets.filtered(lambda b: not b.has_max)
        if not buckets or not last or not self.allowance_account_id:
            return {}
        years = self.bucket_set_id.unit == "years"
        start = SQL("COALESCE(m.invoice_date, aml.date)") if years else SQL("COALESCE(aml.date_maturity, aml.date)")

        def entry(item_start, min_value):
            # the first day at which an item's age reaches a lower bound
            if years:
                return SQL(
                    "(%s + make_interval(years => GREATEST(%s - 1, 0)) + interval '1 day')::date", item_start, min_value
                )
            return SQL("(%s + %s)", item_start, min_value)

        # The buckets with a lower bound, by entry day: bucket k (1-based) is entered on the k-th of
        # an item's entry days. The open-below bucket (rank 0) is entered at once: its denominator
        # is the whole sale. A date's rank = how many of the entry days it reached (width_bucket on
        # the sorted days): a payment of rank r came before entering the buckets ranked above r; an
        # invoice fully paid on a day of rank r was still unpaid on entering the buckets up to r.
        bounded = buckets.filtered("has_min").sorted(lambda b: (b.min_value, b.id))
        ranks = [(b.id, 0) for b in buckets - bounded] + [(b.id, k) for k, b in enumerate(bounded, 1)]

        def rank(day, item_start):
            if not bounded:
                return SQL("0")
            entries = SQL(", ").join(entry(item_start, b.min_value) for b in bounded)
            return SQL("width_bucket(%s, ARRAY[%s]::date[])", day, entries)

        last_entry_cutoff = SQL(
            "(%s::date - make_interval(years => GREATEST(%s - 1, 0)) - interval '1 day')::date"
            if years
            else "(%s::date - %s)",
            self.date,
            last.min_value,
        )
        self.env.flush_all()
        query = SQL(
            """
            WITH cohort AS (
                SELECT aml.id, aml.balance, %(start)s AS start
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                  %(move_join)s
                 WHERE %(receivable)s
                   AND aml.company_id = %(company_id)s AND aml.balance > 0
                   AND %(start)s <= %(cutoff)s
                   AND %(start)s > (%(cutoff)s - interval '1 year')::date
            ),
            write_off_lines AS (
                -- a write-off is a loss, not a payment: the lines of the write-off wizard's entries
                -- and of any entry touching the allowance account (a few entries a month)
                SELECT l.id
                  FROM account_move_line o JOIN account_move_line l ON l.move_id = o.move_id
                 WHERE o.account_id = %(allowance)s
                 UNION
                SELECT l.id
                  FROM account_move w JOIN account_move_line l ON l.move_id = w.collection_writeoff_move_id
                 WHERE w.collection_writeoff_move_id IS NOT NULL
            ),
            settled AS (
                -- what paid the cohort by the run's date. The partial reconciliations are read in
                -- one pass and hashed against the cohort ("+ 0" keeps the planner, which cannot
                -- estimate the cohort's size, from probing the index once per cohort invoice:
                -- 4 s at a million invoices)
                SELECT apr.debit_move_id AS item_id, apr.max_date, apr.amount, c.balance, c.start
                  FROM account_partial_reconcile apr
                  JOIN cohort c ON c.id = apr.debit_move_id + 0
                 WHERE apr.max_date <= %(as_of)s
                   AND NOT EXISTS (SELECT 1 FROM write_off_lines x WHERE x.id = apr.credit_move_id)
            ),
            paid_off AS (
                -- the day each cohort invoice became fully paid: the first payment date at which
                -- the running total of its payments reaches its amount (none: never by the date)
                SELECT item_id, MIN(max_date) FILTER (WHERE running >= balance) AS paid_off
                  FROM (SELECT item_id, max_date, balance,
                               SUM(amount) OVER (PARTITION BY item_id ORDER BY max_date) AS running
                          FROM settled) r
                 GROUP BY item_id
            ),
            -- Per rank, not per invoice and bucket (a million invoices x buckets spilled to disk),
            -- each histogram made once (MATERIALIZED: read by every bucket's row):
            -- the invoices by the rank of their paid-off day (never paid: every bucket) ...
            invoices AS MATERIALIZED (
                SELECT COALESCE(%(paid_off_rank)s, %(top)s) AS reached, COUNT(*) AS invoices
                  FROM cohort c LEFT JOIN paid_off po ON po.item_id = c.id
                 GROUP BY 1
            ),
            -- ... and the payments by the rank of their day
            payments AS MATERIALIZED (
                SELECT %(payment_rank)s AS reached, SUM(s.amount) AS paid
                  FROM settled s
                 GROUP BY 1
            ),
            totals AS (
                SELECT (SELECT COALESCE(SUM(balance), 0) FROM cohort) AS balance,
                       (SELECT COALESCE(SUM(paid), 0) FROM payments) AS paid
            )
            -- lost (the same for every bucket) = cohort - paid; the rate rests on the invoices still
            -- unpaid on entering the bucket (fully paid on or after that day, or never) and on their
            -- unpaid amount (the cohort - what paid it before that day)
            SELECT b.bucket_id,
                   t.balance - t.paid AS lost,
                   t.balance - COALESCE((SELECT SUM(p.paid) FROM payments p WHERE p.reached < b.rank), 0) AS unpaid,
                   COALESCE((SELECT SUM(i.invoices) FROM invoices i WHERE i.reached >= b.rank), 0) AS invoices
              FROM (VALUES %(ranks)s) b (bucket_id, rank)
             CROSS JOIN totals t
            """,
            start=start,
            move_join=SQL("JOIN account_move m ON m.id = aml.move_id") if years else SQL(),
            receivable=self.env["credit.aging.engine"]._receivable_item_sql(),
            company_id=self.company_id.id,
            cutoff=last_entry_cutoff,
            allowance=self.allowance_account_id.id,
            as_of=self.date,
            paid_off_rank=rank(SQL("po.paid_off"), SQL("c.start")),
            payment_rank=rank(SQL("s.max_date"), SQL("s.start")),
            top=len(bounded),
            ranks=SQL(", ").join(SQL("(%s, %s)", bucket_id, k) for bucket_id, k in ranks),
        )
        # JIT off: it would compile this statement for as long as it runs (its cost estimate grows
        # with the cohort it cannot estimate: 2 s of compiling for 2 s of work at a million invoices)
        self.env["credit.aging.engine"]._without_jit()
        self.env.cr.execute(query)
        cur = self.currency_id
        return {
            bucket_id: {
                "rate": round(100.0 * lost / unpaid, 2) if unpaid > 0 else None,
                "count": invoices,
                "amount": cur.round(unpaid),
            }
            for bucket_id, lost, unpaid, invoices in self.env.cr.fetchall()
        }
