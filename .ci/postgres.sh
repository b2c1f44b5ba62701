#!/usr/bin/env bash
# Start a PostgreSQL server for the tests of the shared database (issue 18) and print the URL of its
# maintenance database; tests/pg.py makes a fresh database on it for each test that asks.
#   as root on Debian: the packaged cluster (pg_ctlcluster), with a superuser role for root;
#   otherwise: a private throw-away cluster (initdb) listening on a socket in a temporary folder.
set -euo pipefail
# Only the URL goes to stdout: the server's own chatter ("Removed stale pid file.") goes to stderr, or
# the caller would take it for part of the URL. The server itself must not inherit fd 3 (`3>&-`), or
# it would hold the caller's $(...) open for as long as it runs.
exec 3>&1 1>&2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "no PostgreSQL server installed (/usr/lib/postgresql/*/bin)" >&2; exit 1; }
version=$(basename "$(dirname "$bin")")
if [ "$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null 2>&1; then
  pg_lsclusters -h 2>/dev/null | awk '{print $2}' | grep -qx main || pg_createcluster "$version" main >/dev/null
  pg_ctlcluster "$version" main status >/dev/null 2>&1 || pg_ctlcluster "$version" main start 3>&-
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'root'\"" | grep -qx 1 \
    || su postgres -c "createuser --superuser root"
  echo "postgresql:///postgres" >&3
else
  dir=$(mktemp -d "${TMPDIR:-/tmp}/kpidesk-pg.XXXXXX")
  "$bin/initdb" -D "$dir/data" -A trust -U kpidesk >/dev/null
  "$bin/pg_ctl" -D "$dir/data" -o "-k $dir -c listen_addresses=''" -l "$dir/server.log" -w start >/dev/null 3>&-
  echo "postgresql://kpidesk@/postgres?host=$dir" >&3
fi
