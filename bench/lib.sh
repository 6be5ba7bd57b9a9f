# shellcheck shell=bash
# Shared by the bench commands (sourced): the bench's own PostgreSQL cluster under bench/.data/pg,
# an odoo.conf whose addons path holds the OCA peers (bench databases only), template names.
source "$(dirname "${BASH_SOURCE[0]}")/../tools/common.sh"

BENCH_DIR="$REPO_ROOT/bench"
BENCH_DATA="$BENCH_DIR/.data"
BENCH_CONF="$BENCH_DATA/odoo.conf"
OCA_DIR="$BENCH_DATA/oca"
# Plain Odoo installed in every template; the addon and the OCA peers are added on copies.
BASE_MODULES="sale_management,account"

bench_env() {
  find_odoo
  command -v md5sum >/dev/null || die "md5sum not found"
  pg_start "$BENCH_DATA/pg"
  write_odoo_conf "$BENCH_CONF"
  if [ -d "$OCA_DIR/odoo/addons" ]; then
    sed -i "s#^addons_path = #addons_path = $OCA_DIR/odoo/addons,#" "$BENCH_CONF"
  fi
}

# gen_version: the generator's version = a hash of its code's syntax tree (comments and layout
# do not count, any change to what it does does).
gen_version() {
  "$ODOO_PY" -c 'import ast, hashlib, sys
print(hashlib.md5(ast.dump(ast.parse(open(sys.argv[1]).read())).encode()).hexdigest()[:12])' "$BENCH_DIR/gen_data.py"
}

template_name() { echo "ccb_tpl_$1"; }

# db_comment DB: the COMMENT the generator stored on a template ('' when none).
db_comment() {
  psql -d postgres -Atc "SELECT COALESCE(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = '$1'"
}

db_exists() { psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1; }

drop_db() {
  if db_exists "$1"; then
    psql -d postgres -qc "UPDATE pg_database SET datistemplate = FALSE WHERE datname = '$1'" >/dev/null
    psql -d postgres -qc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$1'" >/dev/null
    dropdb "$1"
  fi
}

# require_template SIZE: dies with a clear message unless a complete, current template exists.
require_template() {
  local size="$1" tpl comment
  tpl="$(template_name "$size")"
  db_exists "$tpl" || die "no bench template for SIZE=$size: run 'make bench-data SIZE=$size' first"
  comment="$(db_comment "$tpl")"
  case "$comment" in
    "credit_collection bench template generator=$(gen_version) size=$size "*) return 0 ;;
    *) die "template $tpl was built by another generator ('$comment', current $(gen_version)): run 'make bench-data SIZE=$size' to rebuild it" ;;
  esac
}
