"""The open receivables of a customer summed per due date, so that the order-time check reads a few
hundred rows for a customer with 10 000 open invoices instead of 10 000 index entries.

Table ``credit_open_item_sum`` (plain SQL, no ORM model): rows of (journal-item partner, company,
account, due date = date_maturity or date) with the sum of the open residuals, the sum of the
positive ones and how many are positive. "Open" is exactly the exposure statement's filter on
journal items: posted, not reconciled, residual not zero (the receivable accounts are chosen when
reading, so an account whose type changes needs nothing rebuilt).

Maintained by a PostgreSQL row trigger on account_move_line: every insert, update or delete of an
item that was or is open appends a row with the difference it makes (minus the old contribution,
plus the new one). The table is an insert-only log, with no unique key: two postings or payments
never write the same row, whatever their customers, so they neither wait for each other nor get
serialization failures (an upsert into one row per key would make two payments of one customer
due the same day collide under REPEATABLE READ). A cron folds each key's rows into one
(``_cron_compact_open_item_sum``); readers sum whatever rows their snapshot holds, which is exact
before, during and after a compaction (the fold deletes and inserts in one statement).

Filled from the journal items when the trigger is created (install, or upgrade from a version
without it), and filled again from a fresh snapshot right after that transaction commits: writes
committed by other workers while the install ran are then in the journal items the second fill
reads, and every later write goes through the trigger (CREATE TRIGGER waits for the writers in
progress). ``_open_item_sum_mismatches`` compares the table with the journal items.
"""

import logging

from odoo import api, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


def _open(row):
    """The open-item condition (the exposure statement's filter on journal items) on `row`: the
    trigger's OLD or NEW, or a table alias."""
    return SQL(
        "%(r)s.parent_state = 'posted' AND %(r)s.reconciled IS NOT TRUE AND %(r)s.amount_residual <> 0"
        " AND %(r)s.partner_id IS NOT NULL",
        r=SQL(row),
    )


# the columns whose change can change an item's contribution
_TRACKED_COLUMNS = (
    "amount_residual",
    "parent_state",
    "reconciled",
    "partner_id",
    "company_id",
    "account_id",
    "date_maturity",
    "date",
)
_TRACKED = SQL(", ").join(SQL.identifier(name) for name in _TRACKED_COLUMNS)
# the trigger's row names stay unquoted: PostgreSQL knows them as old and new
_TRACKED_OLD = SQL(", ").join(SQL("OLD.%s", SQL.identifier(name)) for name in _TRACKED_COLUMNS)
_TRACKED_NEW = SQL(", ").join(SQL("NEW.%s", SQL.identifier(name)) for name in _TRACKED_COLUMNS)


class CreditExposure(models.AbstractModel):
    _inherit = "credit.exposure"

    def init(self):
        res = super().init()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
            CREATE TABLE IF NOT EXISTS credit_open_item_sum (
                partner_id integer NOT NULL,
                company_id integer NOT NULL,
                account_id integer NOT NULL,
                due date NOT NULL,
                amount numeric NOT NULL,        -- sum of the residuals
                debit_amount numeric NOT NULL,  -- sum of the positive residuals (what can be overdue)
                debit_count integer NOT NULL,   -- how many residuals are positive
                folded boolean NOT NULL DEFAULT FALSE
            );
            -- a customer's rows in due date order: sums read from the index alone, and the oldest
            -- date with an open debit found by reading the oldest rows only
            CREATE INDEX IF NOT EXISTS credit_open_item_sum_partner_due_idx ON credit_open_item_sum (partner_id, due)
                INCLUDE (company_id, account_id, amount, debit_amount, debit_count);
            CREATE INDEX IF NOT EXISTS credit_open_item_sum_unfolded_idx ON credit_open_item_sum (partner_id)
                WHERE NOT folded;
            CREATE OR REPLACE FUNCTION credit_open_item_sum_track() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                old_open boolean := FALSE;
                new_open boolean := FALSE;
            BEGIN
                IF TG_OP <> 'INSERT' THEN
                    old_open := %(open_old)s;
                END IF;
                IF TG_OP <> 'DELETE' THEN
                    new_open := %(open_new)s;
                END IF;
                IF old_open AND new_open
                   AND (OLD.partner_id, OLD.company_id, OLD.account_id, COALESCE(OLD.date_maturity, OLD.date))
                       = (NEW.partner_id, NEW.company_id, NEW.account_id, COALESCE(NEW.date_maturity, NEW.date)) THEN
                    -- the same key (a partial payment): one row with the difference
                    IF NEW.amount_residual <> OLD.amount_residual THEN
                        INSERT INTO credit_open_item_sum
                        (partner_id, company_id, account_id, due, amount, debit_amount, debit_count)
                        VALUES (NEW.partner_id, NEW.company_id, NEW.account_id, COALESCE(NEW.date_maturity, NEW.date),
                                NEW.amount_residual - OLD.amount_residual,
                                GREATEST(NEW.amount_residual, 0) - GREATEST(OLD.amount_residual, 0),
                                (NEW.amount_residual > 0)::integer - (OLD.amount_residual > 0)::integer);
                    END IF;
                    RETURN NULL;
                END IF;
                IF old_open THEN
                    INSERT INTO credit_open_item_sum
                        (partner_id, company_id, account_id, due, amount, debit_amount, debit_count)
                    VALUES (OLD.partner_id, OLD.company_id, OLD.account_id, COALESCE(OLD.date_maturity, OLD.date),
                            -OLD.amount_residual, -GREATEST(OLD.amount_residual, 0),
                            -(OLD.amount_residual > 0)::integer);
                END IF;
                IF new_open THEN
                    INSERT INTO credit_open_item_sum
                        (partner_id, company_id, account_id, due, amount, debit_amount, debit_count)
                    VALUES (NEW.partner_id, NEW.company_id, NEW.account_id, COALESCE(NEW.date_maturity, NEW.date),
                            NEW.amount_residual, GREATEST(NEW.amount_residual, 0), (NEW.amount_residual > 0)::integer);
                END IF;
                RETURN NULL;
            END
            $$;
            """,
                open_old=_open("OLD"),
                open_new=_open("NEW"),
            )
        )
        cr.execute("SELECT 1 FROM pg_trigger WHERE tgname = %s", ["credit_open_item_sum_upd"])
        if cr.fetchone():
            return res
        # The WHEN clauses keep drafts and settled items out of the function call: posting a draft
        # line calls it once, writing a draft or a reconciled item not at all.
        cr.execute(
            SQL(
                """
            CREATE TRIGGER credit_open_item_sum_ins AFTER INSERT ON account_move_line FOR EACH ROW
                WHEN (%(open_new)s) EXECUTE FUNCTION credit_open_item_sum_track();
            CREATE TRIGGER credit_open_item_sum_del AFTER DELETE ON account_move_line FOR EACH ROW
                WHEN (%(open_old)s) EXECUTE FUNCTION credit_open_item_sum_track();
            CREATE TRIGGER credit_open_item_sum_upd AFTER UPDATE OF %(tracked)s ON account_move_line FOR EACH ROW
                WHEN ((%(open_old)s OR %(open_new)s)
                      AND (%(old_row)s) IS DISTINCT FROM (%(new_row)s))
                EXECUTE FUNCTION credit_open_item_sum_track();
            """,
                open_old=_open("OLD"),
                open_new=_open("NEW"),
                tracked=_TRACKED,
                old_row=_TRACKED_OLD,
                new_row=_TRACKED_NEW,
            )
        )
        self._fill_open_item_sum(cr)
        registry = self.env.registry

        def refill():
            with registry.cursor() as new_cr:
                self._fill_open_item_sum(new_cr)

        # once committed, again from a snapshot that holds every write made before the trigger existed
        cr.postcommit.add(refill)
        return res

    @api.model
    def _fill_open_item_sum(self, cr):
        """Replace the table's visible rows by the journal items' open residuals, in `cr`'s snapshot:
        a write committed after that snapshot keeps the row its trigger appended."""
        cr.execute(
            SQL(
                """
            DELETE FROM credit_open_item_sum;
            INSERT INTO credit_open_item_sum
                   (partner_id, company_id, account_id, due, amount, debit_amount, debit_count, folded)
            SELECT aml.partner_id, aml.company_id, aml.account_id, COALESCE(aml.date_maturity, aml.date),
                   SUM(aml.amount_residual), SUM(GREATEST(aml.amount_residual, 0)),
                   COUNT(*) FILTER (WHERE aml.amount_residual > 0), TRUE
              FROM account_move_line aml
             WHERE %(open_aml)s
             GROUP BY 1, 2, 3, 4
            """,
                open_aml=_open("aml"),
            )
        )
        _logger.info("credit_open_item_sum: %s rows filled from the journal items", cr.rowcount)
        # statistics for the planner at once (autovacuum would take its time): it then reads a
        # customer's rows from the index
        cr.execute("ANALYZE credit_open_item_sum")

    @api.model
    def _cron_compact_open_item_sum(self):
        """Fold the rows of every key that received new rows into one (dropping keys that sum to
        nothing), in one statement: a reader sees all the old rows or the folded one."""
        self.env.cr.execute(
            """
            WITH keys AS (
                SELECT DISTINCT partner_id, company_id, account_id, due FROM credit_open_item_sum WHERE NOT folded
            ), gone AS (
                DELETE FROM credit_open_item_sum s
                 USING keys k
                 WHERE (s.partner_id, s.company_id, s.account_id, s.due)
                     = (k.partner_id, k.company_id, k.account_id, k.due)
             RETURNING s.*
            )
            INSERT INTO credit_open_item_sum
                   (partner_id, company_id, account_id, due, amount, debit_amount, debit_count, folded)
            SELECT partner_id, company_id, account_id, due, SUM(amount), SUM(debit_amount), SUM(debit_count), TRUE
              FROM gone
             GROUP BY 1, 2, 3, 4
            HAVING SUM(amount) <> 0 OR SUM(debit_amount) <> 0 OR SUM(debit_count) <> 0
            """
        )

    @api.model
    def _open_item_sum_mismatches(self, limit=20):
        """Keys where the table's sums differ from the journal items' (both in this snapshot):
        [(partner, company, account, due, table amount, items amount, table debit, items debit,
        table count, items count)]. Empty when the summary is exact."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH summary AS (
                    SELECT partner_id, company_id, account_id, due,
                           SUM(amount) AS amount, SUM(debit_amount) AS debit, SUM(debit_count) AS n
                      FROM credit_open_item_sum
                     GROUP BY 1, 2, 3, 4
                ), items AS (
                    SELECT aml.partner_id, aml.company_id, aml.account_id, COALESCE(aml.date_maturity, aml.date) AS due,
                           SUM(aml.amount_residual) AS amount, SUM(GREATEST(aml.amount_residual, 0)) AS debit,
                           COUNT(*) FILTER (WHERE aml.amount_residual > 0) AS n
                      FROM account_move_line aml
                     WHERE %(open_aml)s
                     GROUP BY 1, 2, 3, 4
                )
                SELECT partner_id, company_id, account_id, due, s.amount, i.amount, s.debit, i.debit, s.n, i.n
                  FROM summary s
                  FULL JOIN items i USING (partner_id, company_id, account_id, due)
                 WHERE (COALESCE(s.amount, 0), COALESCE(s.debit, 0), COALESCE(s.n, 0))
                       IS DISTINCT FROM (COALESCE(i.amount, 0), COALESCE(i.debit, 0), COALESCE(i.n, 0))
                 ORDER BY 1, 2, 3, 4
                 LIMIT %(limit)s
                """,
                open_aml=_open("aml"),
                limit=limit,
            )
        )
        return self.env.cr.fetchall()
