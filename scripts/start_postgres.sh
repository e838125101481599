#!/usr/bin/env bash
# A throwaway PostgreSQL + PostGIS server for the tests and benchmarks of the PostGIS store.
#
#   bash scripts/start_postgres.sh          # install if missing, start, print the URL (last line of stdout)
#   bash scripts/start_postgres.sh stop     # stop the server this script started on the port
#   export GEO_TEST_POSTGRES_URL="$(bash scripts/start_postgres.sh)"
#
# What it does, idempotently:
#   * installs Debian's postgresql and the postgresql-<major>-postgis-3 package matching the
#     installed server's major version, when either is missing (apt-get, as root or via sudo);
#   * initdb's a fresh cluster in $GEO_PG_DIR (default ${TMPDIR:-/tmp}/geo-pg-<port>) owned by
#     the postgres user when run as root (initdb refuses root), trust auth on loopback only;
#   * starts it on 127.0.0.1:$GEO_PG_PORT (default 54329), sockets in the data folder, with
#     durability off (fsync, synchronous_commit: it is a test server);
#   * creates the database $GEO_PG_DB (default geo_test) with CREATE EXTENSION postgis;
#   * writes the URL to .pg_url in the project root and prints it as the last line of stdout.
# A server already answering on the port is reused (only the database/extension are ensured).
# Progress and errors go to stderr; exit status is non-zero when the server cannot be had.
set -euo pipefail

PORT="${GEO_PG_PORT:-54329}"
DB="${GEO_PG_DB:-geo_test}"
DATA="${GEO_PG_DIR:-${TMPDIR:-/tmp}/geo-pg-${PORT}}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
URL="postgresql://postgres@127.0.0.1:${PORT}/${DB}"

say() { echo "start_postgres: $*" >&2; }
die() { say "error: $*"; exit 1; }

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi

pg_bindir() {
  # The newest installed server's bin folder (Debian keeps one per major version).
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; fi
}

postgis_installed() {  # $1 = major
  ls /usr/share/postgresql/"$1"/extension/postgis.control >/dev/null 2>&1
}

apt_install() {
  command -v apt-get >/dev/null || die "PostgreSQL/PostGIS missing and no apt-get to install them"
  if [ -z "${_APT_UPDATED:-}" ]; then
    say "apt-get update"
    $SUDO apt-get update -qq >&2
    _APT_UPDATED=1
  fi
  say "installing $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >&2
}

as_owner() {
  # Run a command as the cluster's owner: postgres when we are root, else ourselves.
  if [ "$(id -u)" = 0 ]; then
    if command -v runuser >/dev/null; then runuser -u postgres -- "$@"; else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
  else
    "$@"
  fi
}

stop_server() {
  local bin
  bin="$(pg_bindir)"
  if [ -n "$bin" ] && [ -f "$DATA/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$DATA" -m fast -w stop >&2 || true
  fi
}

if [ "${1:-}" = "stop" ]; then
  stop_server
  exit 0
fi

# -- install --------------------------------------------------------------------------
BIN="$(pg_bindir)"
if [ -z "$BIN" ]; then
  apt_install postgresql
  BIN="$(pg_bindir)"
  [ -n "$BIN" ] || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb found"
fi
MAJOR="$(basename "$(dirname "$BIN")")"
if ! postgis_installed "$MAJOR"; then
  apt_install "postgresql-${MAJOR}-postgis-3"
  postgis_installed "$MAJOR" || die "postgresql-${MAJOR}-postgis-3 installed but postgis.control is missing"
fi
PSQL="$BIN/psql"
[ -x "$PSQL" ] || PSQL="$(command -v psql || true)"
[ -n "$PSQL" ] || die "no psql client found"

psql_do() {  # $1 = database, rest = psql args
  local db="$1"; shift
  "$PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d "$db" "$@"
}

ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres >/dev/null 2>&1; }

# -- start ----------------------------------------------------------------------------
if ready; then
  say "reusing the server already on 127.0.0.1:$PORT"
else
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    die "no postgres user (the postgresql package creates it)"
  fi
  # A throwaway cluster: a stale folder from an earlier run is replaced, never reused.
  stop_server
  if [ -e "$DATA" ] && [ -n "$(ls -A "$DATA" 2>/dev/null)" ] && [ ! -f "$DATA/PG_VERSION" ]; then
    die "$DATA exists and is not a PostgreSQL data folder: refusing to replace it (set GEO_PG_DIR)"
  fi
  rm -rf "$DATA"
  mkdir -p "$DATA"
  chmod 700 "$DATA"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$DATA"; fi
  say "initdb $DATA (PostgreSQL $MAJOR)"
  as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$DATA.initdb.log" 2>&1 \
    || as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --no-locale >"$DATA.initdb.log" 2>&1 \
    || { cat "$DATA.initdb.log" >&2; die "initdb failed"; }
  say "starting on 127.0.0.1:$PORT"
  if ! as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start \
      -o "-p $PORT -c listen_addresses=127.0.0.1 -k $DATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" >&2; then
    cat "$DATA/server.log" >&2 || true
    die "the server did not start"
  fi
  for _ in $(seq 1 50); do ready && break; sleep 0.2; done
  ready || die "the server does not answer on 127.0.0.1:$PORT"
fi

# -- database -------------------------------------------------------------------------
if [ "$(psql_do postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
  psql_do postgres -c "CREATE DATABASE \"$DB\"" >&2
fi
psql_do "$DB" -c "CREATE EXTENSION IF NOT EXISTS postgis" >&2
echo "$URL" >"$ROOT/.pg_url"
say "ready: $URL (also in .pg_url; stop with: bash scripts/start_postgres.sh stop)"
echo "$URL"
