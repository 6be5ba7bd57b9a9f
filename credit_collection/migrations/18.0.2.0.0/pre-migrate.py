"""The collector, the snooze date and the broken-promise count become per company (jsonb keyed by
company id, as Odoo stores company-dependent fields). A value set before applied to every company:
it is kept for each of them."""

from odoo.tools import SQL

COLUMNS = ("credit_collector_id", "collection_snooze_until", "collection_broken_promise_count")


def migrate(cr, version):
    for column in COLUMNS:
        cr.execute(
            "SELECT udt_name FROM information_schema.columns WHERE table_name = 'res_partner' AND column_name = %s",
            [column],
        )
        row = cr.fetchone()
        if not row or row[0] == "jsonb":
            continue
        old = f"{column}_before_company"
        cr.execute(SQL("ALTER TABLE res_partner RENAME COLUMN %s TO %s", SQL.identifier(column), SQL.identifier(old)))
        cr.execute(SQL("ALTER TABLE res_partner ADD COLUMN %s jsonb", SQL.identifier(column)))
        cr.execute(
            SQL(
                """
                UPDATE res_partner p
                   SET %(new)s = (SELECT jsonb_object_agg(c.id::text, to_jsonb(p.%(old)s)) FROM res_company c)
                 WHERE p.%(old)s IS NOT NULL AND p.%(old)s::text NOT IN ('0')
                """,
                new=SQL.identifier(column),
                old=SQL.identifier(old),
            )
        )
        cr.execute(SQL("ALTER TABLE res_partner DROP COLUMN %s CASCADE", SQL.identifier(old)))
