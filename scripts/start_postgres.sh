#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the storage tests, from Debian's packages.
# Installs postgresql if missing (needs root and apt), starts a cluster under $PGTMP (default
# /tmp/jemput-pg) on port $PGPORT (default 5433) as user postgres, and prints the URL to export:
#   export JEMPUT_TEST_POSTGRES_URL=$(bash scripts/start_postgres.sh)
# Running it again reuses the running cluster.
set -euo pipefail
PGTMP=${PGTMP:-/tmp/jemput-pg}
PGPORT=${PGPORT:-5433}
URL="postgresql://postgres@127.0.0.1:${PGPORT}/postgres"

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

if [ -z "$(bindir)" ]; then
  echo "installing postgresql from Debian's packages" >&2
  if [ "$(id -u)" -ne 0 ]; then echo "need root to apt-get install postgresql" >&2; exit 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
BIN=$(bindir)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; then echo "$URL"; exit 0; fi
mkdir -p "$PGTMP"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGTMP"
if [ ! -f "$PGTMP/data/PG_VERSION" ]; then
  as_pg "$BIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >&2
fi
as_pg "$BIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w -t 60 \
  -o "-p $PGPORT -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2
echo "$URL"
