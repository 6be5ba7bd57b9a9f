# shellcheck shell=bash
# Shared helpers for the demo, test and bench commands: find Odoo 18, own a PostgreSQL cluster.
# Sourced, never executed.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="$REPO_ROOT/.run"
# A minimal environment (CI, cron, env -i) may lack the system folders: runuser, useradd and
# apt-get live there.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" ;; esac
export PATH

die() { echo "ERROR: $*" >&2; exit 2; }
info() { echo "==> $*" >&2; }

# find_odoo: sets ODOO_PY to a Python interpreter that imports Odoo 18.0.
# Order: $ODOO_PYTHON, python3 on PATH, then the usual install places.
find_odoo() {
  local candidates=() c
  [ -n "${ODOO_PYTHON:-}" ] && candidates+=("$ODOO_PYTHON")
  candidates+=("$(command -v python3 2>/dev/null)")
  for c in /opt/odoo*/venv/bin/python /opt/odoo*/.venv/bin/python /opt/odoo/*/bin/python \
           /usr/local/odoo*/venv/bin/python "$HOME"/odoo*/venv/bin/python /usr/bin/python3; do
    [ -x "$c" ] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    [ -n "$c" ] && [ -x "$c" ] || continue
    if "$c" -c 'import odoo.release as r, sys; sys.exit(0 if r.version_info[:2] == (18, 0) else 1)' >/dev/null 2>&1; then
      ODOO_PY="$c"
      export ODOO_PY
      return 0
    fi
  done
  cat >&2 <<MSG
ERROR: Odoo 18.0 was not found.
  credit_collection is an Odoo 18.0 addon: install Odoo 18.0 (Community or Enterprise) with its
  Python requirements first (https://www.odoo.com/documentation/18.0/administration/on_premise.html),
  then either make 'python3 -c "import odoo"' work, or point ODOO_PYTHON at the Python that runs Odoo:
      ODOO_PYTHON=/path/to/odoo/venv/bin/python make test
MSG
  exit 2
}

# odoo_addons_dirs: Odoo's own addons folder(s), printed comma-separated.
odoo_addons_dirs() {
  "$ODOO_PY" - <<'PY'
import os, odoo, odoo.addons
paths = [os.path.join(os.path.dirname(odoo.__file__), "addons")]
root = os.path.dirname(os.path.dirname(odoo.__file__))
if os.path.isdir(os.path.join(root, "addons", "web")):
    paths.append(os.path.join(root, "addons"))
print(",".join(p for p in paths if os.path.isdir(p)))
PY
}

# ensure_py_packages PKG...: pip-installs what Odoo's Python lacks (import name=pip name).
ensure_py_packages() {
  local missing=() spec mod pkg
  for spec in "$@"; do
    mod="${spec%%=*}"; pkg="${spec#*=}"
    "$ODOO_PY" -c "import $mod" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    info "installing Python packages into Odoo's Python: ${missing[*]}"
    "$ODOO_PY" -m pip install -q "${missing[@]}" || die "could not pip install ${missing[*]}"
  fi
}

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    die "missing $*: install the Debian package(s) '$*' (as root: apt-get install $*)"
  fi
  info "installing Debian packages: $*"
  if [ -z "${_APT_UPDATED:-}" ]; then apt-get update -q >/dev/null 2>&1 || true; _APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null || die "apt-get install $* failed"
}

# find_pg_bin: sets PG_BIN to the folder holding initdb/pg_ctl; installs PostgreSQL as root if absent.
find_pg_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")"; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then PG_BIN="$d"; export PG_BIN; return 0; fi
  done
  apt_install postgresql
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ]; then PG_BIN="$d"; export PG_BIN; return 0; fi
  done
  die "PostgreSQL server binaries (initdb, pg_ctl) not found"
}

# Odoo prints PDFs (statements, collection letters, invoices attached to reminders) with wkhtmltopdf.
ensure_wkhtmltopdf() {
  command -v wkhtmltopdf >/dev/null 2>&1 || apt_install wkhtmltopdf
}

ensure_chromium() {
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
    || command -v google-chrome >/dev/null 2>&1 || apt_install chromium
}

# PostgreSQL refuses to run as root: as root we run the cluster as the 'postgres' system user.
_pg_as() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# pg_start DATADIR: init (once) and start a private cluster listening on a Unix socket only.
# Sets PGHOST (socket folder), PGPORT, PGUSER=odoo for Odoo and psql.
pg_start() {
  local data="$1" sock
  find_pg_bin
  # The socket path must stay short (107 bytes): keep it in /tmp, named after the data folder.
  sock="/tmp/cc-pg-$(printf '%s' "$data" | md5sum | cut -c1-10)"
  mkdir -p "$sock" "$(dirname "$data")"
  if [ "$(id -u)" = 0 ]; then _pg_as true; chown postgres "$sock"; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"; [ "$(id -u)" = 0 ] && chown postgres "$data"
    _pg_as "$PG_BIN/initdb" -D "$data" -U odoo --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
      || die "initdb failed for $data"
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$sock'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 512MB
max_connections = 100
CONF
  fi
  if ! _pg_as "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    _pg_as "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null \
      || { tail -20 "$data/server.log" >&2; die "PostgreSQL did not start (log above)"; }
  fi
  export PGHOST="$sock" PGPORT=5432 PGUSER=odoo PGDATABASE=postgres
}

pg_stop() {
  local data="$1"
  [ -f "$data/PG_VERSION" ] && _pg_as "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
}

# write_odoo_conf FILE EXTRA_ADDONS: an odoo.conf for the private cluster.
write_odoo_conf() {
  local file="$1" addons
  addons="$REPO_ROOT,$(odoo_addons_dirs)"
  mkdir -p "$(dirname "$file")"
  cat >"$file" <<CONF
[options]
addons_path = $addons
db_host = $PGHOST
db_port = $PGPORT
db_user = odoo
db_password = False
data_dir = $(dirname "$file")/filestore
admin_passwd = admin
list_db = True
CONF
}

# pytest's warning filters for the addon's tests: only two DeprecationWarnings are hidden, both raised
# by third-party libraries Odoo core imports (passlib imports `crypt`, babel imports `cgi`, modules
# removed in Python 3.13); any other warning, the addon's included, is shown.
PYTEST_WARNING_FILTERS=(-W "ignore::DeprecationWarning:passlib.utils" -W "ignore::DeprecationWarning:babel.messages.catalog")
