"""Install/uninstall hooks.

The addon's own tables and columns leave with it; the indexes it adds to Odoo's tables (in the
models' ``init()``) on core columns would stay behind, so the uninstall hook drops them.
"""

from odoo.tools import SQL

# index name -> core table it is created on (see the init() of account_move, credit_exposure and
# credit_aging_engine)
CORE_TABLE_INDEXES = {
    "account_move_credit_draft_idx": "account_move",
    "account_move_collection_disputed_idx": "account_move",
    "account_move_line_credit_open_idx": "account_move_line",
    "credit_collection_partial_reconcile_max_date_idx": "account_partial_reconcile",
}


def uninstall_hook(env):
    for name in CORE_TABLE_INDEXES:
        env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
