#!/usr/bin/env bash
# Export each addon's i18n/<addon>.pot from the current code (`make pot`), the way
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
"$ODOO_PY" -m odoo -c "$RUN_DIR/dev.conf" -d "$DB" -i credit_collection,credit_collection_stock \
  --stop-after-init --log-level=warn >/dev/null 2>&1 || die "installing the addons failed"
for addon in credit_collection credit_collection_stock; do
  mkdir -p "$addon/i18n"
  "$ODOO_PY" -m odoo -c "$RUN_DIR/dev.conf" -d "$DB" --i18n-export="$addon/i18n/$addon.pot" \
    --modules="$addon" --stop-after-init --log-level=warn >/dev/null 2>&1 || die "export of $addon failed"
  info "wrote $addon/i18n/$addon.pot ($(grep -c '^msgid' "$addon/i18n/$addon.pot") entries)"
done
