#!/usr/bin/env bash
# `make screenshots`: build (or upgrade) the demo database, serve it on a side port, and take the
# README's screenshots into docs/screenshots/ with headless Chromium. Re-run whenever screens change.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
PORT="${SHOT_PORT:-8071}"
DB="${DEMO_DB:-credit_collection_demo}"
bash tools/demo.sh --build-only
find_odoo
ensure_chromium
ensure_py_packages websocket=websocket-client
pg_start "$RUN_DIR/pg"
"$ODOO_PY" -m odoo -c "$RUN_DIR/odoo.conf" -d "$DB" --db-filter="^$DB\$" --http-interface=127.0.0.1 \
  --http-port="$PORT" --log-level=warn --max-cron-threads=0 >"$RUN_DIR/screenshots-server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _i in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/web/login" >/dev/null 2>&1 && break
  sleep 1
done
"$ODOO_PY" tools/screenshots.py --url "http://127.0.0.1:$PORT" --db "$DB" "$@"
