#!/usr/bin/env bash
# The test command (`make test`, called by .ci/run): lint, a throwaway PostgreSQL cluster, a fresh
# database with credit_collection and its stock bridge installed (demo data included), then every test with pytest-odoo,
# tours in headless Chromium through pytest-odoo's HTTP server. Exit non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"

find_odoo
info "Odoo 18 found: $ODOO_PY"
ensure_py_packages pytest=pytest pytest_odoo=pytest-odoo ruff=ruff pylint_odoo=pylint-odoo \
  websocket=websocket-client freezegun=freezegun xlsxwriter=XlsxWriter wheel=wheel setuptools=setuptools \
  pytest_rerunfailures=pytest-rerunfailures
ensure_chromium

# An installed copy of the addon would shadow this checkout in Odoo's addons namespace.
shadow=$("$ODOO_PY" -c 'import importlib.util as u; s=u.find_spec("odoo.addons.credit_collection"); print(s.origin if s else "")' 2>/dev/null || true)
if [ -n "$shadow" ] && [ "${shadow#"$REPO_ROOT"/}" = "$shadow" ]; then
  die "an installed copy of credit_collection ($shadow) would be tested instead of this checkout: pip uninstall credit_collection"
fi

failed=0
lint_ok=1
info "lint: ruff"
"$ODOO_PY" -m ruff check credit_collection credit_collection_stock bench tools setup.py || lint_ok=0
"$ODOO_PY" -m ruff format --check credit_collection credit_collection_stock bench tools setup.py || lint_ok=0
info "lint: pylint-odoo (the full Odoo check set; the exceptions are listed in .pylintrc)"
"$ODOO_PY" -m pylint --rcfile=.pylintrc credit_collection credit_collection_stock || lint_ok=0
[ "$lint_ok" = 1 ] || failed=1

WORK="$(mktemp -d /tmp/cc-test-XXXXXX)"
[ "$(id -u)" = 0 ] && chmod 755 "$WORK"
cleanup() { pg_stop "$WORK/pg"; rm -rf "$WORK"; }
trap cleanup EXIT
pg_start "$WORK/pg"
write_odoo_conf "$WORK/odoo.conf"
DB="cc_test_$$"

info "installing credit_collection and credit_collection_stock in a fresh database $DB"
if ! "$ODOO_PY" -m odoo -c "$WORK/odoo.conf" -d "$DB" -i credit_collection,credit_collection_stock --stop-after-init \
      --log-level=warn >"$WORK/install.log" 2>&1; then
  tail -60 "$WORK/install.log"; die "installing credit_collection failed"
fi
if grep -E "ERROR|CRITICAL" "$WORK/install.log" >/dev/null; then
  grep -E -A15 "ERROR|CRITICAL" "$WORK/install.log" | head -80
  die "errors while installing credit_collection (log above)"
fi

info "running the tests (pytest-odoo, HTTP server for the tours)"
# Reruns only for the browser's infrastructure hiccups under load (a tour page that never became
# ready; CPython 3.11.7's "AST constructor recursion depth mismatch" when server threads compile at
# once): a tour step that fails, or any assertion, fails at once.
set +e
PYTHONPATH="$REPO_ROOT/tools${PYTHONPATH:+:$PYTHONPATH}" "$ODOO_PY" -m pytest -p no:cacheprovider -p pytest_preload --odoo-config="$WORK/odoo.conf" --odoo-database="$DB" \
  --odoo-http --odoo-log-level=warn "${PYTEST_WARNING_FILTERS[@]}" \
  --reruns 2 --only-rerun TimeoutError --only-rerun "AST constructor recursion depth mismatch" \
  -o python_files='test_*.py' credit_collection/tests credit_collection_stock/tests "$@"
rc=$?
set -e
[ "$rc" = 0 ] || failed=1

# The first day of a real company: a second database installed WITHOUT demo data, where every
# company must be ready on its own (default strategy, grades, scorecard, late-fee product).
DB2="cc_nodemo_$$"
info "installing credit_collection without demo data in $DB2 (first-day tests)"
start=$SECONDS
if ! "$ODOO_PY" -m odoo -c "$WORK/odoo.conf" -d "$DB2" -i credit_collection --without-demo=all --stop-after-init \
      --log-level=warn >"$WORK/install_nodemo.log" 2>&1 || grep -E "ERROR|CRITICAL" "$WORK/install_nodemo.log" >/dev/null; then
  grep -E -A15 "ERROR|CRITICAL" "$WORK/install_nodemo.log" | head -80 || tail -60 "$WORK/install_nodemo.log"
  echo "installing credit_collection without demo data failed"
  failed=1
else
  set +e
  PYTHONPATH="$REPO_ROOT/tools${PYTHONPATH:+:$PYTHONPATH}" "$ODOO_PY" -m pytest -p no:cacheprovider -p pytest_preload \
    --odoo-config="$WORK/odoo.conf" --odoo-database="$DB2" --odoo-log-level=warn "${PYTEST_WARNING_FILTERS[@]}" \
    -o python_files='test_*.py' credit_collection/tests/test_first_day.py
  [ $? = 0 ] || failed=1
  set -e
fi
info "first-day step (install without demo + its tests): $((SECONDS - start)) s"
if [ "$lint_ok" != 1 ]; then echo "lint: 0 passed, 1 failed"; fi
exit "$failed"
