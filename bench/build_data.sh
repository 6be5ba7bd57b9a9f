#!/usr/bin/env bash
# make bench-data SIZE=N [CUSTOMERS=2000]: a PostgreSQL TEMPLATE database ccb_tpl_N with N customer
# invoices (and their payments, refunds, orders) on plain Odoo (sale_management + account, a chart of
# accounts, no demo data), on the bench's own cluster. Reused while the generator is unchanged; built
# under a temporary name and renamed only once complete and checked.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SIZE="${1:-${SIZE:-10000}}"
CUSTOMERS="${CUSTOMERS:-2000}"
[[ "$SIZE" =~ ^[0-9]+$ ]] && [ "$SIZE" -ge 1 ] || die "SIZE must be a whole number of invoices >= 1 (got '$SIZE')"
[[ "$CUSTOMERS" =~ ^[0-9]+$ ]] && [ "$CUSTOMERS" -ge 1 ] || die "CUSTOMERS must be a whole number >= 1 (got '$CUSTOMERS')"
bench_env
cd "$REPO_ROOT"
VERSION="$(gen_version)"
TPL="$(template_name "$SIZE")"
COMMENT="credit_collection bench template generator=$VERSION size=$SIZE customers=$CUSTOMERS"

if db_exists "$TPL"; then
  current="$(db_comment "$TPL")"
  if [ "$current" = "$COMMENT" ]; then
    info "template $TPL is up to date ($COMMENT): nothing to do"
    exit 0
  fi
  info "template $TPL was built by another generator or with other options ('$current'): rebuilding it"
fi

# 1. Plain Odoo, once per module list and Odoo version (a few minutes), kept as a template too.
BASE_KEY="$(printf '%s %s' "$BASE_MODULES" "$("$ODOO_PY" -c 'import odoo.release as r; print(r.version)')" | md5sum | cut -c1-8)"
BASE="ccb_base_$BASE_KEY"
if ! db_exists "$BASE" || [ "$(db_comment "$BASE")" != "complete" ]; then
  drop_db "$BASE"; drop_db "${BASE}_tmp"
  info "installing plain Odoo ($BASE_MODULES, no demo data) in $BASE"
  "$ODOO_PY" -m odoo -c "$BENCH_CONF" -d "${BASE}_tmp" -i "$BASE_MODULES" --without-demo=all \
    --stop-after-init --log-level=warn >"$BENCH_DATA/base_install.log" 2>&1 \
    || { tail -30 "$BENCH_DATA/base_install.log"; die "installing $BASE_MODULES failed (log above)"; }
  psql -d postgres -qc "ALTER DATABASE ${BASE}_tmp RENAME TO $BASE" -c "COMMENT ON DATABASE $BASE IS 'complete'" \
    -c "UPDATE pg_database SET datistemplate = TRUE WHERE datname = '$BASE'" >/dev/null
fi

# 2. The receivables, under a temporary name.
BUILD="${TPL}_building"
drop_db "$BUILD"
createdb -T "$BASE" "$BUILD"
info "generating $SIZE invoices for $CUSTOMERS customers in $BUILD"
start=$(date +%s)
if ! "$ODOO_PY" "$BENCH_DIR/gen_data.py" --db "$BUILD" --size "$SIZE" --customers "$CUSTOMERS" --version "$VERSION"; then
  drop_db "$BUILD"; die "the generator failed: nothing kept"
fi
gen_time=$(( $(date +%s) - start ))
info "generated in ${gen_time}s; checking it"
if ! "$ODOO_PY" "$BENCH_DIR/check_data.py" --db "$BUILD"; then
  drop_db "$BUILD"; die "the generated data failed the check: nothing kept"
fi
psql -d "$BUILD" -qc "INSERT INTO bench_meta VALUES ('build_seconds', '$gen_time')" >/dev/null
# 3. Replace the old template only now that the new one is complete.
drop_db "$TPL"
psql -d postgres -qc "ALTER DATABASE $BUILD RENAME TO $TPL" -c "COMMENT ON DATABASE $TPL IS '$COMMENT'" \
  -c "UPDATE pg_database SET datistemplate = TRUE WHERE datname = '$TPL'" >/dev/null
info "template $TPL ready ($COMMENT), built in ${gen_time}s (+ check $(( $(date +%s) - start - gen_time ))s)"
