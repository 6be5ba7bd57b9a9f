#!/usr/bin/env bash
# The main job (`make demo`): a private PostgreSQL cluster under .run/, a database with
# credit_collection, Inventory and the stock bridge with their demo story, served on
# http://localhost:8069 (admin / admin).
# Safe to re-run: an existing demo database is upgraded and served again.
# --build-only: prepare the database and stop; --stop: stop the demo cluster.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
DB="${DEMO_DB:-credit_collection_demo}"
PORT="${DEMO_PORT:-8069}"

find_odoo
find_pg_bin
if [ "${1:-}" = "--stop" ]; then pg_stop "$RUN_DIR/pg"; info "demo cluster stopped"; exit 0; fi
ensure_py_packages xlsxwriter=XlsxWriter
ensure_wkhtmltopdf
pg_start "$RUN_DIR/pg"
write_odoo_conf "$RUN_DIR/odoo.conf"

if psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  info "upgrading credit_collection in the existing demo database $DB"
  "$ODOO_PY" -m odoo -c "$RUN_DIR/odoo.conf" -d "$DB" -u credit_collection -i credit_collection_stock --load-language=zh_CN --stop-after-init \
    --log-level=warn || die "upgrade of $DB failed"
else
  info "creating the demo database $DB (a few minutes)"
  # Chinese is loaded in a second step: a language loaded while the database is created becomes
  # every user's and the company's default (res.lang.install_lang), and the demo speaks English
  # except for cc_zh.
  if ! "$ODOO_PY" -m odoo -c "$RUN_DIR/odoo.conf" -d "$DB" -i credit_collection,credit_collection_stock \
       --stop-after-init --log-level=warn \
     || ! "$ODOO_PY" -m odoo -c "$RUN_DIR/odoo.conf" -d "$DB" --load-language=zh_CN \
       --stop-after-init --log-level=warn; then
    psql -d postgres -c "DROP DATABASE IF EXISTS \"$DB\"" >/dev/null 2>&1 || true
    die "creating $DB failed; nothing was kept, re-run 'make demo' after fixing the cause"
  fi
fi

if [ "${1:-}" = "--build-only" ]; then exit 0; fi

echo
echo "  credit_collection demo: http://localhost:$PORT/odoo   (login admin / password admin)"
echo "  other demo users (password = login): salesman 'cc_sales', credit manager 'cc_manager',"
echo "  collector 'cc_collector', and 'cc_zh', a credit manager who reads Chinese (中文)"
echo
exec "$ODOO_PY" -m odoo -c "$RUN_DIR/odoo.conf" -d "$DB" --db-filter="^$DB\$" \
  --http-interface=127.0.0.1 --http-port="$PORT" --log-level=info
