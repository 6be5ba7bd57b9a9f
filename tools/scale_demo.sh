#!/usr/bin/env bash
# `make scale-demo`: Odoo as it runs when one database server is not enough — a PostgreSQL primary
# and a streaming read replica (pg_basebackup), both private clusters under .run/scale/ on Unix
# sockets, the demo database, and Odoo with 4 HTTP workers, 2 cron threads and db_replica_host set.
# Then it proves the routing: the aging read over RPC shows in the replica's statement statistics
# (pg_stat_statements) and not in the primary's; an order confirmation runs on the primary.
#   make scale-demo                      # build/start, check, serve on http://localhost:8071 (Ctrl-C stops all)
#   bash tools/scale_demo.sh --check     # build/start, check, stop everything (exit 1 if the routing is wrong)
#   bash tools/scale_demo.sh --stop      # stop Odoo and both clusters
# It uses its own clusters and ports only (never .run/pg, .run/devpg or bench/.data).
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
BASE="$RUN_DIR/scale"
PRIMARY="$BASE/primary"
REPLICA="$BASE/replica"
PSOCK="$BASE/sock-primary"
RSOCK="$BASE/sock-replica"
PORT="${SCALE_PORT:-8071}"
DB="${SCALE_DB:-credit_collection_scale}"
CONF="$BASE/odoo.conf"
PIDFILE="$BASE/odoo.pid"
mode="${1:-serve}"

find_odoo
find_pg_bin
# With --workers, Odoo starts its websocket server by running its own script again (sys.argv[0]):
# serve through odoo-bin where there is one (`-m odoo` would hand it __main__.py, which fails).
ODOO_SERVE=("$ODOO_PY" -m odoo)
odoo_bin="$("$ODOO_PY" -c 'import odoo, os; print(os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin"))')"
[ -f "$odoo_bin" ] && ODOO_SERVE=("$ODOO_PY" "$odoo_bin")

stop_all() {
  if [ -f "$PIDFILE" ]; then
    local pid
    pid="$(cat "$PIDFILE")"
    # Odoo stops gracefully on SIGTERM (workers finish their request, cron threads their job); a
    # second SIGTERM forces it; its own worker processes last, by their parent's id
    local children
    children="$(pgrep -P "$pid" 2>/dev/null || true)"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -TERM "$pid" 2>/dev/null || true
      for _i in $(seq 1 10); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    for child in $children; do kill -KILL "$child" 2>/dev/null || true; done
    rm -f "$PIDFILE"
  fi
  pg_stop "$REPLICA"
  pg_stop "$PRIMARY"
}

if [ "$mode" = "--stop" ]; then stop_all; info "scale demo stopped"; exit 0; fi
# whatever ends this script (Ctrl-C, kill, a failure, --check done) stops what it started
trap 'stop_all; info "scale demo stopped"' EXIT
trap 'exit 130' INT TERM

start_cluster() {  # DATADIR: start it, with its log beside it
  if ! _pg_as "$PG_BIN/pg_ctl" -D "$1" status >/dev/null 2>&1; then
    _pg_as "$PG_BIN/pg_ctl" -D "$1" -l "$1/server.log" -w -t 120 start >/dev/null \
      || { tail -20 "$1/server.log" >&2; die "PostgreSQL did not start in $1 (log above)"; }
  fi
}

mkdir -p "$BASE" "$PSOCK" "$RSOCK"
[ "$(id -u)" = 0 ] && { _pg_as true; chown postgres "$BASE" "$PSOCK" "$RSOCK"; }

# --- the primary: a private cluster that streams its WAL to replicas
if [ ! -f "$PRIMARY/PG_VERSION" ]; then
  mkdir -p "$PRIMARY"; [ "$(id -u)" = 0 ] && chown postgres "$PRIMARY"
  _pg_as "$PG_BIN/initdb" -D "$PRIMARY" -U odoo --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
    || die "initdb failed for $PRIMARY"
  # initdb's pg_hba.conf already trusts local replication connections
  cat >>"$PRIMARY/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$PSOCK'
fsync = off
full_page_writes = on
shared_buffers = 128MB
max_connections = 100
wal_level = replica
max_wal_senders = 4
hot_standby = on
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
CONF
fi
start_cluster "$PRIMARY"
export PGHOST="$PSOCK" PGPORT=5432 PGUSER=odoo PGDATABASE=postgres

# --- the demo database, on the primary
write_conf() {
  cat >"$CONF" <<CONF
[options]
addons_path = $REPO_ROOT,$(odoo_addons_dirs)
db_host = $PSOCK
db_port = 5432
db_user = odoo
db_password = False
db_replica_host = $RSOCK
db_replica_port = 5432
data_dir = $BASE/filestore
admin_passwd = admin
list_db = False
dbfilter = ^$DB\$
workers = 4
max_cron_threads = 2
http_interface = 127.0.0.1
http_port = $PORT
gevent_port = $((PORT + 3))
limit_time_real = 600
limit_time_cpu = 300
logfile = $BASE/odoo.log
pidfile = $PIDFILE
CONF
}
write_conf
if ! psql -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  info "creating the demo database $DB on the primary (a few minutes)"
  ensure_py_packages xlsxwriter=XlsxWriter
  # built before the replica exists: a configuration without it (one process, no cron)
  grep -v -e '^db_replica' -e '^workers' -e '^logfile' -e '^pidfile' "$CONF" >"$BASE/build.conf"
  "$ODOO_PY" -m odoo -c "$BASE/build.conf" -d "$DB" -i credit_collection --max-cron-threads=0 \
    --stop-after-init --log-level=warn 2>&1 | grep -v "security risk" || true
  psql -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 || die "creating $DB failed"
fi
psql -d "$DB" -qc "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null

# --- the replica: a base backup of the primary, kept up to date by streaming replication
if [ ! -f "$REPLICA/PG_VERSION" ]; then
  info "cloning the primary into a streaming replica (pg_basebackup)"
  mkdir -p "$REPLICA"; [ "$(id -u)" = 0 ] && chown postgres "$REPLICA"
  chmod 700 "$REPLICA"
  # -R writes standby.signal and primary_conninfo: the copy starts as a hot standby of the primary
  _pg_as "$PG_BIN/pg_basebackup" -h "$PSOCK" -p 5432 -U odoo -D "$REPLICA" -R -X stream -c fast \
    || die "pg_basebackup failed"
  cat >>"$REPLICA/postgresql.conf" <<CONF
# the replica's own socket (the lines above are the primary's)
unix_socket_directories = '$RSOCK'
CONF
fi
start_cluster "$REPLICA"
[ "$(psql -h "$RSOCK" -Atc 'SELECT pg_is_in_recovery()')" = t ] || die "$REPLICA is not a standby"

# --- Odoo: 4 workers, 2 cron threads, reads marked read-only served by the replica
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  info "Odoo already running (pid $(cat "$PIDFILE"))"
else
  rm -f "$PIDFILE"
  "${ODOO_SERVE[@]}" -c "$CONF" -d "$DB" --log-level=info >/dev/null 2>&1 &
  for _i in $(seq 1 90); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/web/login" && break
    sleep 1
  done
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/web/login" || { tail -30 "$BASE/odoo.log" >&2; die "Odoo did not start"; }
fi

info "checking the routing"
status=0
PSOCK="$PSOCK" RSOCK="$RSOCK" "$ODOO_PY" tools/scale_check.py "http://127.0.0.1:$PORT" "$DB" || status=$?

if [ "$mode" = "--check" ] || [ "$status" != 0 ]; then exit "$status"; fi
echo
echo "  scale demo: http://localhost:$PORT/odoo  (admin / admin; 4 workers, replica at $RSOCK)"
echo "  Ctrl-C stops Odoo and both clusters; log: $BASE/odoo.log"
echo
while kill -0 "$(cat "$PIDFILE" 2>/dev/null || echo 0)" 2>/dev/null; do sleep 2; done
