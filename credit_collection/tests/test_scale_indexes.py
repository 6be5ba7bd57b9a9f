import re

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestScaleIndexes(CreditCommon):
    """The indexes the statements over every open invoice rely on at a million invoices stay in step
    with those statements (a column added to a statement and not to its index makes the planner read
    every invoice's row again; a tiny test database would not show it in a plan)."""

    def _index(self, name):
        """(key columns in order, included columns, predicate) of an index."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """SELECT ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k (attnum, n)
                                  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                                 ORDER BY k.n),
                          i.indnkeyatts, pg_get_expr(i.indpred, i.indrelid)
                     FROM pg_index i WHERE i.indexrelid = %s::regclass""",
                name,
            )
        )
        columns, keys, predicate = cr.fetchone()
        return columns[:keys], columns[keys:], predicate

    def test_collection_planning_reads_its_index_alone(self):
        query = self.env["credit.collection.run"]._collection_candidates_query(self.company, fields.Date.today())
        keys, included, predicate = self._index("account_move_collection_run_idx")
        read = set(re.findall(r"\bm\.(\w+)", query.code))
        in_predicate = {column for column in read if re.search(rf"\b{column}\b", predicate)}
        self.assertEqual(read - set(keys) - set(included) - in_predicate, set(), "every column read is in the index")
        order = re.search(r"ORDER BY (.*)", query.code).group(1).strip()
        self.assertEqual(["company_id", *re.findall(r"\bm\.(\w+)", order)], keys, "the index gives the order")
        for condition in ("move_type = 'out_invoice'", "state = 'posted'", "amount_residual_signed > "):
            self.assertIn(condition, query.code)
            self.assertIn(condition.split()[0], predicate)
        # and the planner uses it where the invoices are many (here: once the rest is forbidden)
        self._invoice(100.0)
        self.env.flush_all()
        cr = self.env.cr
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cr.execute(SQL("SET LOCAL %s = off", SQL.identifier(setting)))
        cr.execute(SQL("EXPLAIN %s", query))
        plan = "\n".join(row[0] for row in cr.fetchall())
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cr.execute(SQL("RESET %s", SQL.identifier(setting)))
        self.assertIn("account_move_collection_run_idx", plan, plan)
