"""Install/uninstall hooks.

At install, every existing company gets the defaults of its first day (companies created later get
them from res.company.create).

The addon's own tables and columns leave with it; the indexes it adds to Odoo's tables (in the
models' ``init()``) on core columns would stay behind, so the uninstall hook drops them.
"""

from odoo.tools import SQL

# index name -> table it is created on (see the init() of account_move, credit_exposure,
# credit_exposure_summary and credit_aging_engine): Odoo's tables, and the summary of open items,
# a plain SQL table the hook drops with its trigger
CORE_TABLE_INDEXES = {
    "account_move_credit_draft_idx": "account_move",
    "account_move_collection_disputed_idx": "account_move",
    "account_move_line_credit_open_idx": "account_move_line",
    "credit_collection_partial_reconcile_max_date_idx": "account_partial_reconcile",
    "account_move_collection_run_idx": "account_move",
    "credit_open_item_sum_partner_due_idx": "credit_open_item_sum",
    "credit_open_item_sum_unfolded_idx": "credit_open_item_sum",
}


def post_init_hook(env):
    """Every company starts with a collection strategy, grades A-E, a scorecard and a late-fee
    product (runs after the demo data: a kind the demo already gave a company is left alone)."""
    env["res.company"].search([])._credit_install_defaults()


def uninstall_hook(env):
    for name in CORE_TABLE_INDEXES:
        env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
    # the summary of open items (credit_exposure_summary.py): its triggers on account_move_line
    # first, or every journal item written after the uninstall would call a function that is gone
    for name in ("credit_open_item_sum_ins", "credit_open_item_sum_upd", "credit_open_item_sum_del"):
        env.cr.execute(SQL("DROP TRIGGER IF EXISTS %s ON account_move_line", SQL.identifier(name)))
    env.cr.execute("DROP FUNCTION IF EXISTS credit_open_item_sum_track()")
    env.cr.execute("DROP TABLE IF EXISTS credit_open_item_sum")
    # the open orders' invoiced amounts of the exposure statement (credit_exposure.py, init())
    env.cr.execute("DROP FUNCTION IF EXISTS credit_sale_order_invoiced(integer[])")
