#!/usr/bin/env bash
# Export credit_collection/i18n/credit_collection.pot from the current code (`make pot`), the way
# Odoo exports it, on a throwaway database of the developer cluster. With the demo data, as Odoo
# exports its own templates: the demo strategies, stages and grades are translated for Chinese demos.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
find_odoo
pg_start "$RUN_DIR/devpg"
write_odoo_conf "$RUN_DIR/dev.conf"
DB="cc_pot_$$"
trap 'psql -d postgres -qc "DROP DATABASE IF EXISTS \"$DB\"" >/dev/null 2>&1 || true' EXIT
"$ODOO_PY" -m odoo -c "$RUN_DIR/dev.conf" -d "$DB" -i credit_collection \
  --stop-after-init --log-level=warn >/dev/null 2>&1 || die "installing credit_collection failed"
mkdir -p credit_collection/i18n
"$ODOO_PY" -m odoo -c "$RUN_DIR/dev.conf" -d "$DB" --i18n-export=credit_collection/i18n/credit_collection.pot \
  --modules=credit_collection --stop-after-init --log-level=warn >/dev/null 2>&1 || die "export failed"
info "wrote credit_collection/i18n/credit_collection.pot ($(grep -c '^msgid' credit_collection/i18n/credit_collection.pot) entries)"
