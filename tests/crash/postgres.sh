# A throwaway PostgreSQL server for the crash trials, sourced by them: Debian's server
# binaries, a data folder in a temp folder owned by the `postgres` user (the server refuses
# to run as root), trust authentication, loopback only, stopped when the trial script exits.
# After `pg_start`, `pg_url NAME` is a database's URL, `pg_clone FROM TO` makes TO a copy of
# FROM (a template copy, no connection held) and `pg_drop NAME` removes one.
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
as_server() { (cd / && if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi); }
pg_start() {
  local bin; bin=$(pg_bin)
  [ -n "$bin" ] || { echo "no PostgreSQL server: apt-get install postgresql" >&2; return 1; }
  PG_DIR=$(mktemp -d)
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DIR"
  PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_server "$bin/initdb" -D "$PG_DIR/data" -A trust -U mentorflow -E UTF8 --locale=C --no-sync >/dev/null
  as_server "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off" start >/dev/null
  PG_BIN=$bin
}
pg_stop() { [ -n "${PG_DIR:-}" ] && as_server "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1; rm -rf "${PG_DIR:-/nonexistent}"; }
pg_url() { echo "postgres://mentorflow@127.0.0.1:$PG_PORT/$1"; }
pg_sql() { PGOPTIONS='-c client_min_messages=warning' psql -q -h 127.0.0.1 -p "$PG_PORT" -U mentorflow -d postgres -v ON_ERROR_STOP=1 -c "$1" >/dev/null; }
pg_drop() { pg_sql "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; }
pg_clone() { pg_drop "$2"; pg_sql "CREATE DATABASE $2 TEMPLATE $1"; }
