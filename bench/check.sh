#!/usr/bin/env bash
# make bench-check SIZE=N: the invariants of bench/check_data.py on the template of N invoices.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SIZE="${1:-${SIZE:-10000}}"
[[ "$SIZE" =~ ^[0-9]+$ ]] && [ "$SIZE" -ge 1 ] || die "SIZE must be a whole number of invoices >= 1 (got '$SIZE')"
bench_env
info "self-test of the bench runner (no database, < 1 s)"
"$ODOO_PY" -m pytest -q -p no:odoo -p no:cacheprovider "$BENCH_DIR/tests" || die "the bench runner's self-test failed"
require_template "$SIZE"
exec "$ODOO_PY" "$BENCH_DIR/check_data.py" --db "$(template_name "$SIZE")"
