"""Read replicas (Odoo 18 ``db_replica_host``): what the addon serves from a replica.

With a replica configured, Odoo serves an RPC call (``/web/dataset/call_kw`` and ``call_button``)
on a read-only cursor of the replica when the method carries ``@api.readonly``; HTTP routes do so
with ``readonly=True``. A write on that cursor fails (the replica is a hot standby) and Odoo's
request layer then runs the whole call again on the primary (``odoo.http`` ``_transactioning``):
correct, but the work is done twice. Without a replica the same methods run on the primary.

A replica replays the primary's changes a moment later (streaming replication lag). A record
created by one request and read by the next one may not be there yet: the reads that follow a
write of the same user are kept on the primary, or fall back to it (``retry_on_primary``).
docs/reports.md ("Read replica") lists what runs where and why.
"""

import psycopg2.errors

from odoo import fields


def primary(method):
    """Keep an RPC method on the primary although the core method it overrides is read-only: web's
    dataset controller takes the first ``_readonly`` it finds along the model's class hierarchy, so
    an override without this marker would still be served by the replica."""
    method._readonly = False
    return method


def retry_on_primary(records):
    """Records created a moment ago on the primary (a transient screen opened by the request before
    this one) may not have reached the replica yet: when some of `records` are missing on a
    read-only cursor, ask Odoo's request layer to run the call again on the primary, as it does for
    a write attempted on a replica, instead of failing with "record does not exist"."""
    if records.env.cr.readonly and len(records.exists()) < len(records):
        raise psycopg2.errors.ReadOnlySqlTransaction(
            f"{records._name}{records.ids} not on the replica yet (replication lag)"
        )


def retry_on_primary_if_older(record, written):
    """A link made on the primary carries the record's ``write_date`` then (`written`, a string):
    on a replica that has not replayed that write yet, the record is older than the link; run the
    request again on the primary rather than serve the figures as they were before."""
    written = fields.Datetime.to_datetime(written) if written else None
    if record.env.cr.readonly and written and (not record.write_date or record.write_date < written):
        raise psycopg2.errors.ReadOnlySqlTransaction(
            f"{record._name}({record.id}) written at {written} not on the replica yet (replication lag)"
        )
