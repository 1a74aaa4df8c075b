#!/usr/bin/env bash
# A throw-away PostgreSQL cluster on localhost for the tests (README, "Several desks").
#
#   source .ci/postgres.sh && pg_test_start    # exports FABRIQUE_TEST_DB
#   pg_test_stop                                # stops it and removes its files
#
# Debian's `postgresql` package (installed if missing); the cluster runs as the `postgres`
# system user in a temporary folder, listens on localhost only, and the tests connect as
# `fabrique`, an ordinary role (no superuser) allowed to create databases: each test database
# is copied from a template migrated once by that role.
set -euo pipefail

PG_TEST_PORT="${PG_TEST_PORT:-54329}"

_pg_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$found" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends postgresql
    found=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$found"
}

_as_postgres() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_test_start() {
  local bin
  bin=$(_pg_bin)
  PG_TEST_DIR=$(mktemp -d /tmp/fabrique-pg.XXXXXX)
  export PG_TEST_DIR
  if [ "$(id -u)" = "0" ]; then chown postgres "$PG_TEST_DIR"; fi
  _as_postgres "$bin/initdb" -D "$PG_TEST_DIR/data" -U postgres -A trust -E UTF8 \
    --locale=C.UTF-8 >"$PG_TEST_DIR/initdb.log"
  _as_postgres "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w \
    -o "-p $PG_TEST_PORT -k $PG_TEST_DIR -c listen_addresses=localhost -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
        -c autovacuum=off" start
  _as_postgres "$bin/psql" -h localhost -p "$PG_TEST_PORT" -U postgres -d postgres -q \
    -c "CREATE ROLE fabrique LOGIN CREATEDB PASSWORD 'fabrique'" \
    -c "CREATE DATABASE fabrique_tests OWNER fabrique"
  export FABRIQUE_TEST_DB="postgresql+psycopg://fabrique:fabrique@localhost:$PG_TEST_PORT/fabrique_tests"
  export PG_TEST_BIN="$bin"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on localhost:$PG_TEST_PORT"
}

pg_test_stop() {
  if [ -n "${PG_TEST_DIR:-}" ] && [ -d "$PG_TEST_DIR/data" ]; then
    if ! _as_postgres "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m fast -w stop >/dev/null; then
      echo "PostgreSQL test cluster did not stop cleanly (see $PG_TEST_DIR/server.log)" >&2
      return 1
    fi
    rm -rf "$PG_TEST_DIR"
  fi
}
