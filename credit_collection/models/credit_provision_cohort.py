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

        # the first day at which an item's age reaches the bucket's lower bound
        if years:
            entry = SQL("(c.start + make_interval(years => GREATEST(b.min_value - 1, 0)) + interval '1 day')::date")
        else:
            entry = SQL("(c.start + b.min_value)")

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
                  JOIN account_move m ON m.id = aml.move_id
                 WHERE %(receivable)s
                   AND aml.company_id = %(company_id)s AND aml.balance > 0
                   AND %(start)s <= %(cutoff)s
                   AND %(start)s > (%(cutoff)s - interval '1 year')::date
            ),
            settled AS (
                -- what paid the cohort by the run's date; a write-off is a loss, not a payment:
                -- the write-off wizard's entries, and any entry touching the allowance account
                SELECT c.id AS item_id, apr.max_date, apr.amount
                  FROM cohort c
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = c.id AND apr.max_date <= %(as_of)s
                  JOIN account_move_line cr ON cr.id = apr.credit_move_id
                 WHERE NOT EXISTS (SELECT 1 FROM account_move_line o
                                    WHERE o.move_id = cr.move_id AND o.account_id = %(allowance)s)
                   AND NOT EXISTS (SELECT 1 FROM account_move w
                                    WHERE w.collection_writeoff_move_id = cr.move_id)
            ),
            totals AS (
                SELECT (SELECT COALESCE(SUM(balance), 0) FROM cohort) AS balance,
                       (SELECT COALESCE(SUM(amount), 0) FROM settled) AS paid
            ),
            paid_off AS (
                -- the day each cohort invoice became fully paid: the first payment date at which
                -- the running total of its payments reaches its amount (none: never by the date)
                SELECT item_id, MIN(max_date) FILTER (WHERE running >= balance) AS paid_off
                  FROM (SELECT s.item_id, s.max_date, c.balance,
                               SUM(s.amount) OVER (PARTITION BY s.item_id ORDER BY s.max_date) AS running
                          FROM settled s JOIN cohort c ON c.id = s.item_id) r
                 GROUP BY item_id
            ),
            -- Per bucket, summed straight from buckets x invoices and buckets x payments (no group
            -- per invoice and bucket: at a million invoices those millions of groups spilled to disk).
            -- Unpaid on entering the bucket = the invoices' amounts - what paid them before that
            -- day; an invoice counts while it was not fully paid before that day.
            entered AS (
                SELECT b.id AS bucket_id, SUM(c.balance) AS balance,
                       COUNT(*) FILTER (WHERE po.paid_off IS NULL OR po.paid_off >= %(entry)s) AS invoices
                  FROM credit_aging_bucket b
                  CROSS JOIN cohort c
                  LEFT JOIN paid_off po ON po.item_id = c.id
                 WHERE b.set_id = %(set_id)s
                 GROUP BY b.id
            ),
            paid_before AS (
                SELECT b.id AS bucket_id, SUM(s.amount) FILTER (WHERE s.max_date < %(entry)s) AS paid
                  FROM credit_aging_bucket b
                  CROSS JOIN settled s
                  JOIN cohort c ON c.id = s.item_id
                 WHERE b.set_id = %(set_id)s
                 GROUP BY b.id
            )
            -- lost (the same for every bucket) = cohort - paid; the rate rests on the invoices still
            -- unpaid on entering the bucket and on their unpaid amount
            SELECT b.id,
                   t.balance - t.paid AS lost,
                   COALESCE(e.balance, 0) - COALESCE(pb.paid, 0) AS unpaid,
                   COALESCE(e.invoices, 0) AS invoices
              FROM credit_aging_bucket b
              CROSS JOIN totals t
              LEFT JOIN entered e ON e.bucket_id = b.id
              LEFT JOIN paid_before pb ON pb.bucket_id = b.id
             WHERE b.set_id = %(set_id)s
            """,
            start=start,
            receivable=self.env["credit.aging.engine"]._receivable_item_sql(),
            company_id=self.company_id.id,
            cutoff=last_entry_cutoff,
            allowance=self.allowance_account_id.id,
            as_of=self.date,
            # the open-below first bucket is entered at once: its denominator is the whole sale
            entry=SQL("CASE WHEN b.has_min THEN %s ELSE c.start - 36500 END", entry),
            set_id=self.bucket_set_id.id,
        )
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
