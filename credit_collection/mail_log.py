"""Log notes and tracked changes on many records at once, as Odoo writes them.

The collection run hands thousands of invoices over to legal in one batch, and each gets a note in
its chatter. Odoo's `_message_log_batch` creates them through the ORM one record at a time inside
its create (defaults, the body sanitized twice, the inverse fields: about 0.4 ms a note, a third of
a run's time at 10 000 invoices). Here Odoo writes the first note of each distinct body itself, and
the others are copies of that row made by one INSERT ... SELECT, so every column (author, sender,
subtype, message id shared by the batch, sanitized body, dates...) is what Odoo computed. A log note
has nothing else in Odoo (no recipient, notification, follower, attachment nor tracking value):
a module that added per-note side effects would see the first note of each body only.

The same holds for the tracking message Odoo logs at commit on each record whose tracked field
changed (`_message_track`, one message create per record): `log_tracking_batch` lets Odoo compute
and log it for the first record of each distinct change, and copies the message and its tracking
values for the others."""

from collections import defaultdict

from odoo.tools import SQL, clean_context

_DOCUMENT_FIELDS = ["message_ids", "message_needaction", "message_needaction_counter"]


def _stored_columns(model, skip):
    return [name for name, field in model._fields.items() if field.store and field.column_type and name not in skip]


def _copy_messages(env, first, res_ids):
    """Copies of message `first` on the records `res_ids` (same model), in one INSERT: their ids,
    in the order of `res_ids`."""
    if not res_ids:
        return []
    columns = _stored_columns(env["mail.message"], ("id", "res_id"))
    env.cr.execute(
        SQL(
            "INSERT INTO mail_message (res_id, %s) SELECT r.res_id, %s"
            " FROM mail_message m, unnest(%s::int[]) WITH ORDINALITY AS r(res_id, n) WHERE m.id = %s"
            " ORDER BY r.n RETURNING id",
            SQL(", ").join(SQL.identifier(name) for name in columns),
            SQL(", ").join(SQL.identifier("m", name) for name in columns),
            res_ids,
            first.id,
        )
    )
    return [row[0] for row in env.cr.fetchall()]


def _copy_tracking_values(env, first, message_ids):
    """Copies of the tracking values of message `first` on the messages `message_ids`, in one INSERT."""
    if not message_ids:
        return
    columns = _stored_columns(env["mail.tracking.value"], ("id", "mail_message_id"))
    env.cr.execute(
        SQL(
            # The first message's values are read once (MATERIALIZED), then crossed with the copies:
            # joined directly, PostgreSQL may scan mail_tracking_value once per copy when its
            # statistics predate the batch (25 s for 11 598 copies on a fresh database).
            "WITH t AS MATERIALIZED (SELECT * FROM mail_tracking_value WHERE mail_message_id = %s)"
            " INSERT INTO mail_tracking_value (mail_message_id, %s) SELECT c.message_id, %s"
            " FROM t, unnest(%s::int[]) WITH ORDINALITY AS c(message_id, n)"
            " ORDER BY c.n, t.id",
            first.id,
            SQL(", ").join(SQL.identifier(name) for name in columns),
            SQL(", ").join(SQL.identifier("t", name) for name in columns),
            message_ids,
        )
    )


def log_batch(records, bodies):
    """Log `bodies` ({record id: body}) on `records` (a mail.thread recordset) by the current
    user, as `records._message_log_batch(bodies=bodies)` would: the created messages (sudo)."""
    Message = records.env["mail.message"].sudo()
    by_body = defaultdict(list)
    for record in records:
        by_body[bodies.get(record.id, "")].append(record.id)
    message_ids = []
    for body, res_ids in by_body.items():
        first = records.browse(res_ids[0])._message_log_batch(bodies={res_ids[0]: body})
        first.flush_recordset()
        message_ids += first.ids + _copy_messages(records.env, first, res_ids[1:])
    # what Odoo's message create does for each document (its chatter is read again)
    records.invalidate_recordset(_DOCUMENT_FIELDS)
    return Message.browse(message_ids)


def log_tracking_batch(records, initial_values):
    """Log on `records` the tracking messages Odoo's `_message_track` logs at commit after a write
    of tracked fields, `initial_values` = {record id: {field name: value before the write}} (the
    write itself made with `mail_notrack`). Odoo computes every record's tracking values
    (`_mail_track`, no query) and logs the first record's message; the other messages are copies
    of it (one INSERT), their tracking values copies of the first of each distinct change (one
    INSERT per distinct change shared by several records) or created in one ORM create. A change
    Odoo posts with a subtype (which notifies the followers) or logs with a body of its own is
    logged record by record, as Odoo does. The messages (sudo)."""
    Model = records.sudo().with_context(clean_context(records.env.context))
    env = Model.env
    fnames = sorted(Model._track_get_fields() & {name for vals in initial_values.values() for name in vals})
    if not fnames:
        return env["mail.message"]
    tracked_fields = Model.fields_get(fnames, attributes=("string", "type", "selection", "currency_field"))
    message_ids, batch = [], []
    for record in Model.browse(list(initial_values)):
        before = initial_values[record.id]
        changes, tracking_value_ids = record._mail_track(tracked_fields, before)
        if not changes:
            continue
        subtype = record._track_subtype({name: before[name] for name in changes})
        body = record._track_get_default_log_message(changes)
        if subtype:
            message_ids += record.message_post(
                body=body, subtype_id=subtype.id, tracking_value_ids=tracking_value_ids
            ).ids
        elif body:
            message_ids += record._message_log(body=body, tracking_value_ids=tracking_value_ids).ids
        else:
            batch.append((record, [command[2] for command in tracking_value_ids]))
    if not batch:
        return env["mail.message"].browse(message_ids)
    first, first_values = batch[0]
    message = first._message_log(tracking_value_ids=[(0, 0, vals) for vals in first_values])
    env.flush_all()
    copies = _copy_messages(env, message, [record.id for record, _values in batch[1:]])
    message_ids += message.ids + copies
    # the tracking values: the same change shares its rows' values (copied from its first message)
    by_change = defaultdict(list)
    for (_record, values), message_id in zip(batch, message.ids + copies, strict=True):
        key = tuple(tuple(sorted(vals.items())) for vals in values)
        by_change[key].append((message_id, values))
    first_key = tuple(tuple(sorted(vals.items())) for vals in first_values)
    sources, new_values = {first_key: message.id}, []
    for key, items in by_change.items():
        if key not in sources:
            sources[key] = items[0][0]
            new_values += [dict(vals, mail_message_id=items[0][0]) for vals in items[0][1]]
    env["mail.tracking.value"].create(new_values)
    env.flush_all()
    for key, items in by_change.items():
        rest = [message_id for message_id, _values in items if message_id != sources[key]]
        _copy_tracking_values(env, env["mail.message"].browse(sources[key]), rest)
    Model.invalidate_recordset(_DOCUMENT_FIELDS)
    return env["mail.message"].browse(message_ids)
