#!/usr/bin/env bash
# Start a PostgreSQL server from Debian's packages for the database tests (installing it when
# missing), with a role and database "placelens"; prints the URL the tests use.
set -euo pipefail
# The server started below (by apt-get's postinst or pg_ctlcluster) outlives this script, so it
# must inherit no pipe of the caller's (fd 3 below, or one a CI runner passed down): a reader of
# that pipe, such as $(...), would wait for the server to exit and never return.
for fd_path in /proc/$$/fd/*; do
    fd=${fd_path##*/}
    case $fd in 0 | 1 | 2 | 255) ;; *) eval "exec $fd>&-" 2>/dev/null || true ;; esac
done
exec 3>&1 1>&2    # everything but the URL goes to stderr, so callers can capture the URL
if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /usr/lib/postgresql/*/bin/postgres 2>/dev/null)" ]; then
    echo "Installing PostgreSQL (apt-get)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 3>&-
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
    pg_createcluster "$version" main >/dev/null 3>&-
fi
pg_ctlcluster "$version" main start 3>&- 2>/dev/null || true
for _ in $(seq 1 30); do
    su postgres -c "psql -qAtc 'select 1'" >/dev/null 2>&1 && break
    sleep 1
done
su postgres -c "psql -qAtc \"select 1 from pg_roles where rolname='placelens'\"" | grep -q 1 ||
    su postgres -c "psql -qc \"create role placelens login password 'placelens'\""
su postgres -c "psql -qAtc \"select 1 from pg_database where datname='placelens_test'\"" | grep -q 1 ||
    su postgres -c "createdb -O placelens placelens_test"
echo "postgresql+psycopg://placelens:placelens@127.0.0.1:5432/placelens_test" >&3
