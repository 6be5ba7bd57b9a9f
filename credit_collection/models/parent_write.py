"""Checks on a whole set of children (a scorecard's weights, a bucket set's coverage) that must run
once, on the final state, when the parent writes its one2many, and at once when a child is written
on its own (RPC, import).

The marker lives on the database cursor, for the duration of the parent's own `write`: an RPC
caller can choose its context, never the cursor's state, so no caller can skip the check.
"""

from contextlib import contextmanager


@contextmanager
def parent_writing(records):
    """While the body runs, `records` (the parents) are marked as writing their children."""
    marks = records.env.cr.cache.setdefault("credit_collection_parent_write", {}).setdefault(records._name, [])
    marks.append(set(records.ids))
    try:
        yield
    finally:
        marks.pop()


def not_writing(parents):
    """The parents whose children are written on their own: they are checked now."""
    marks = parents.env.cr.cache.get("credit_collection_parent_write", {}).get(parents._name, [])
    busy = set().union(*marks) if marks else set()
    return parents.filtered(lambda parent: parent.id not in busy)
