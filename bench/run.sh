#!/usr/bin/env bash
# make bench [SIZES="10000 30000 100000"] [REPEAT=7] [BENCHES=bench_credit_check]: bench/bench_*.py against copies of the
# templates (make bench-data SIZE=N builds them), one table on stdout and in bench/RESULTS.md.
# Per size, three copies of the same template (createdb -T, seconds):
#   ccb_run_N_cc    + credit_collection          (the env given to measure())
#   ccb_run_N_odoo  plain Odoo                   (ctx.env("odoo"))
#   ccb_run_N_oca   + the OCA peers, if present  (ctx.env("oca"))
set -euo pipefail
source "$(dirname "$0")/lib.sh"
REPEAT="${REPEAT:-7}"
OCA_MODULES="${OCA_MODULES:-sale_financial_risk,account_financial_risk,account_credit_control,account_financial_report}"
bench_env
cd "$REPO_ROOT"
if [ $# -eq 0 ]; then
  # default: every size whose template exists
  read -r -a sizes <<<"$(psql -d postgres -Atc "SELECT string_agg(substr(datname, 9), ' ' ORDER BY substr(datname, 9)::int)
                                                FROM pg_database WHERE datname ~ '^ccb_tpl_[0-9]+$'")"
  [ "${#sizes[@]}" -gt 0 ] || die "no bench template: run 'make bench-data SIZE=10000' first"
else
  read -r -a sizes <<<"$*"
fi
for s in "${sizes[@]}"; do
  [[ "$s" =~ ^[0-9]+$ ]] && [ "$s" -ge 1 ] || die "sizes must be whole numbers >= 1 (got '$s')"
  require_template "$s"
done

# The OCA peers: wheels from PyPI, unpacked into bench/.data/oca (bench databases only).
if [ ! -d "$OCA_DIR/odoo/addons/sale_financial_risk" ]; then
  info "downloading the OCA peers' 18.0 wheels from PyPI into $BENCH_DATA/wheels"
  mkdir -p "$BENCH_DATA/wheels"
  if "$ODOO_PY" -m pip download -q --no-deps -d "$BENCH_DATA/wheels" \
      "odoo-addon-account-financial-risk>=18.0,<18.1" "odoo-addon-sale-financial-risk>=18.0,<18.1" \
      "odoo-addon-account-financial-report>=18.0,<18.1" "odoo-addon-account-credit-control>=18.0,<18.1" \
      "odoo-addon-date-range>=18.0,<18.1" "odoo-addon-report-xlsx>=18.0,<18.1" \
     && "$ODOO_PY" -m pip install -q --no-deps --target "$OCA_DIR" "$BENCH_DATA"/wheels/*.whl; then
    write_odoo_conf "$BENCH_CONF"; bench_env
  else
    info "WARNING: the OCA wheels could not be fetched: benchmarking without the OCA peers"
  fi
fi

RES="$BENCH_DATA/results"
rm -rf "$RES"; mkdir -p "$RES"
failed=0
install() {  # install DB MODULES LOG
  "$ODOO_PY" -m odoo -c "$BENCH_CONF" -d "$1" -i "$2" --stop-after-init --log-level=warn >"$3" 2>&1 \
    && ! grep -qE "ERROR|CRITICAL" "$3"
}
for size in "${sizes[@]}"; do
  tpl="$(template_name "$size")"
  cc="ccb_run_${size}_cc"; plain="ccb_run_${size}_odoo"; oca="ccb_run_${size}_oca"
  for db in "$cc" "$plain" "$oca"; do drop_db "$db"; createdb -T "$tpl" "$db"; done
  info "size $size: installing credit_collection in $cc"
  install "$cc" credit_collection "$RES/install_cc_$size.log" \
    || { tail -30 "$RES/install_cc_$size.log"; die "installing credit_collection failed"; }
  if [ -d "$OCA_DIR/odoo/addons/sale_financial_risk" ]; then
    info "size $size: installing the OCA peers ($OCA_MODULES) in $oca"
    if ! install "$oca" "$OCA_MODULES" "$RES/install_oca_$size.log"; then
      info "WARNING: installing $OCA_MODULES failed (log: $RES/install_oca_$size.log); trying sale_financial_risk alone"
      drop_db "$oca"; createdb -T "$tpl" "$oca"
      install "$oca" sale_financial_risk "$RES/install_oca_$size.log" || { drop_db "$oca"; oca=""; }
    fi
  else
    drop_db "$oca"; oca=""
  fi
  for file in "$BENCH_DIR"/${BENCHES:-bench_*}.py; do
    module="$(basename "$file" .py)"
    info "size $size: $module ($REPEAT repetitions + 1 warm-up)"
    (cd "$BENCH_DIR" && "$ODOO_PY" harness.py measure --module "$module" --size "$size" --db "$cc" \
        --odoo "$plain" ${oca:+--oca "$oca"} --repeat "$REPEAT" --out "$RES/${module}_$size.json") \
      || { failed=1; info "WARNING: $module failed at size $size (traceback above)"; }
  done
done
machine="$(uname -srm), $(nproc) cores, load average at the end $(cut -d' ' -f1-3 /proc/loadavg), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}')"
sizes_info="$(for s in "${sizes[@]}"; do psql -d "$(template_name "$s")" -Atc "SELECT '$s: ' || string_agg(key || '=' || value, ', ' ORDER BY key) FROM bench_meta WHERE key IN ('customers', 'build_seconds', 'generator')"; done | paste -sd ';')"
(cd "$BENCH_DIR" && "$ODOO_PY" harness.py report --machine "$machine; templates $sizes_info" "$RES"/*.json)
exit "$failed"
