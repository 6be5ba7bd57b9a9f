#!/usr/bin/env bash
# make bench-load [SIZE=10000] [CLIENTS=8] [ROUNDS=5]: N concurrent clients confirming orders over
# JSON-RPC on Odoo with --workers=4, on two copies of the same template: credit_collection (limit on)
# and plain Odoo. Writes bench/LOAD.md. Needs `make bench-data SIZE=N` first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SIZE="${1:-10000}"
CLIENTS="${CLIENTS:-8}"
ROUNDS="${ROUNDS:-5}"
PORT="${LOAD_PORT:-8076}"
bench_env
cd "$REPO_ROOT"
# With --workers, Odoo starts its websocket server by running its own script again (sys.argv[0]):
# serve through odoo-bin where there is one (`-m odoo` would hand it __main__.py, which fails).
ODOO_SERVE=("$ODOO_PY" -m odoo)
odoo_bin="$("$ODOO_PY" -c 'import odoo, os; print(os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin"))')"
[ -f "$odoo_bin" ] && ODOO_SERVE=("$ODOO_PY" "$odoo_bin")
require_template "$SIZE"
ensure_py_packages requests=requests
tpl="$(template_name "$SIZE")"
RES="$BENCH_DATA/load"
mkdir -p "$RES"
PIDFILE="$RES/odoo.pid"

stop_odoo() {
  [ -f "$PIDFILE" ] || return 0
  local pid children
  pid="$(cat "$PIDFILE")"
  children="$(pgrep -P "$pid" 2>/dev/null || true)"
  kill -TERM "$pid" 2>/dev/null || true
  for _i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -KILL "$pid" 2>/dev/null || true
  for child in $children; do kill -KILL "$child" 2>/dev/null || true; done
  rm -f "$PIDFILE"
}
trap stop_odoo EXIT

for variant in cc odoo; do
  db="ccb_load_${SIZE}_${variant}"
  drop_db "$db"
  createdb -T "$tpl" "$db"
  if [ "$variant" = cc ]; then
    info "installing credit_collection in $db"
    "$ODOO_PY" -m odoo -c "$BENCH_CONF" -d "$db" -i credit_collection --stop-after-init --log-level=warn \
      >"$RES/install.log" 2>&1 || { tail -20 "$RES/install.log"; die "install failed"; }
  fi
  info "$variant: Odoo --workers=4 on port $PORT, $CLIENTS clients x $ROUNDS orders"
  "${ODOO_SERVE[@]}" -c "$BENCH_CONF" -d "$db" --db-filter="^$db\$" --workers=4 --max-cron-threads=0 \
    --http-interface=127.0.0.1 --http-port="$PORT" --gevent-port=$((PORT + 1)) --pidfile="$PIDFILE" \
    --limit-time-real=600 --logfile="$RES/odoo_$variant.log" --log-level=warn &
  for _i in $(seq 1 120); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/web/login" && break; sleep 1; done
  "$ODOO_PY" "$BENCH_DIR/load_confirm.py" "http://127.0.0.1:$PORT" "$db" "$variant" "$CLIENTS" "$ROUNDS" \
    >"$RES/$variant.json"
  stop_odoo
  drop_db "$db"
done

"$ODOO_PY" - "$RES/cc.json" "$RES/odoo.json" "$SIZE" >"$BENCH_DIR/LOAD.md" <<'PY'
import json, sys, datetime, os
cc, odoo = (json.load(open(p)) for p in sys.argv[1:3])
print("# Load: concurrent order confirmations on Odoo --workers=4\n")
print(f"{datetime.date.today()}, template of {sys.argv[3]} invoices, {cc['clients']} clients x {cc['rounds']} orders each, "
      f"{os.cpu_count()} cores shared, load average {open('/proc/loadavg').read().split()[0]} (bench/load.sh).\n")
print("| phase | variant | confirmations/s | median ms | p95 ms | outcomes |")
print("|---|---|---:|---:|---:|---|")
for phase in ("different customers", "same customer"):
    for name, run in (("credit_collection", cc), ("plain Odoo", odoo)):
        r = run["results"][phase]
        outcomes = ", ".join(f"{k} {v}" for k, v in r["outcomes"].items() if v)
        print(f"| {phase} | {name} | {r['throughput']:.1f} | {r['median_ms']:.0f} | {r['p95_ms']:.0f} | {outcomes} |")
same = cc["results"]["same customer"]
print(f"\nSame customer, limit fits 5 orders: {same['confirmed_in_db']} confirmed with credit_collection "
      f"(limit {'held' if same['limit_held'] else 'EXCEEDED'}); plain Odoo confirms every one.")
if same["errors"] or cc["results"]["different customers"]["errors"]:
    print("\nOther errors: " + "; ".join(same["errors"] + cc["results"]["different customers"]["errors"]))
PY
cat "$BENCH_DIR/LOAD.md"
