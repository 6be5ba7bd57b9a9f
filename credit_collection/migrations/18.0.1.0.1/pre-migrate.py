"""The shipped aging buckets now have XML ids (so their names can be translated). Databases
installed before were given the same buckets without ids: give them their ids here, matched by
bucket set and sequence, so that the upgrade translates them instead of adding a second copy
(which would break the set's no-gap rule)."""

SHIPPED = {
    "aging_bucket_set_days": {
        10: "aging_bucket_days_not_due",
        20: "aging_bucket_days_1_30",
        30: "aging_bucket_days_31_60",
        40: "aging_bucket_days_61_90",
        50: "aging_bucket_days_91_120",
        60: "aging_bucket_days_121_180",
        70: "aging_bucket_days_181_365",
        80: "aging_bucket_days_over_365",
    },
    "aging_bucket_set_years": {
        10: "aging_bucket_years_1",
        20: "aging_bucket_years_2",
        30: "aging_bucket_years_3",
        40: "aging_bucket_years_4",
        50: "aging_bucket_years_5",
        60: "aging_bucket_years_over_5",
    },
}


def migrate(cr, version):
    for set_xmlid, buckets in SHIPPED.items():
        cr.execute(
            "SELECT res_id FROM ir_model_data WHERE module = 'credit_collection' AND name = %s",
            [set_xmlid],
        )
        row = cr.fetchone()
        if not row:
            continue
        for sequence, xmlid in buckets.items():
            # the first bucket of that sequence in the set, if the user kept one there
            cr.execute(
                """
                INSERT INTO ir_model_data (module, name, model, res_id, noupdate)
                SELECT 'credit_collection', %s, 'credit.aging.bucket', b.id, TRUE
                  FROM credit_aging_bucket b
                 WHERE b.set_id = %s AND b.sequence = %s
                   AND NOT EXISTS (SELECT 1 FROM ir_model_data d
                                    WHERE d.module = 'credit_collection' AND d.name = %s)
                   AND NOT EXISTS (SELECT 1 FROM ir_model_data d
                                    WHERE d.model = 'credit.aging.bucket' AND d.res_id = b.id)
                 ORDER BY b.id
                 LIMIT 1
                """,
                [xmlid, row[0], sequence, xmlid],
            )
