#!/usr/bin/env bash
# Developer loop: a persistent cluster under .run/devpg and a database (default "dev", with demo
# data) that is created once and upgraded on every call; then pytest-odoo on the given tests.
#   bash tools/dev.sh credit_collection/tests/test_exposure.py -k down_payment
#   DEV_DB=other bash tools/dev.sh          # another database
#   bash tools/dev.sh --shell               # an Odoo shell on the dev database
#   bash tools/dev.sh credit_collection_stock/tests   # installs the stock bridge (and Inventory) first
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
DB="${DEV_DB:-dev}"
find_odoo
pg_start "$RUN_DIR/devpg"
write_odoo_conf "$RUN_DIR/dev.conf"
if [ "${1:-}" = "--shell" ]; then
  exec "$ODOO_PY" -m odoo shell -c "$RUN_DIR/dev.conf" -d "$DB" --log-level=warn
fi
# The stock bridge (and Inventory with it) only when its tests are asked for, or DEV_STOCK=1.
modules=credit_collection
case " $* " in *credit_collection_stock*) DEV_STOCK=1 ;; esac
[ "${DEV_STOCK:-0}" = 1 ] && modules=credit_collection,credit_collection_stock
if psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  action=(-u "$modules")
  if [ "${DEV_STOCK:-0}" = 1 ] && ! psql -d "$DB" -Atc \
      "SELECT 1 FROM ir_module_module WHERE name = 'credit_collection_stock' AND state = 'installed'" | grep -q 1; then
    action=(-u credit_collection -i credit_collection_stock)
  fi
else
  action=(-i "$modules")
fi
"$ODOO_PY" -m odoo -c "$RUN_DIR/dev.conf" -d "$DB" "${action[@]}" --stop-after-init --log-level=warn 2>&1 \
  | grep -v "security risk" || true
[ $# -gt 0 ] || set -- credit_collection/tests
PYTHONPATH="$REPO_ROOT/tools${PYTHONPATH:+:$PYTHONPATH}" exec "$ODOO_PY" -m pytest -p no:cacheprovider -p pytest_preload --odoo-config="$RUN_DIR/dev.conf" --odoo-database="$DB" \
  --odoo-log-level=warn "${PYTEST_WARNING_FILTERS[@]}" -q "$@"
