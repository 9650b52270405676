#!/usr/bin/env bash
# One way to run jemput for real on one host: PostgreSQL, N web processes, M job runners, nginx in front.
#   bash deploy/web/run.sh start [N] [M]    # default N=2 web processes, M=1 runner; nginx on 127.0.0.1:8080
#   bash deploy/web/run.sh stop
# PostgreSQL comes from scripts/start_postgres.sh (Debian's package, a throwaway cluster) unless
# DATABASE_URL is set; nginx from Debian's package (apt-get install nginx-light). Logs and pids go to
# $JEMPUT_RUN (default /tmp/jemput-run). Keys: JEMPUT_BOOTSTRAP_KEYS or `jemput keys create`.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUN=${JEMPUT_RUN:-/tmp/jemput-run}
JEMPUT=${JEMPUT:-jemput}
command -v "$JEMPUT" >/dev/null || JEMPUT="$ROOT/.venv/bin/jemput"

stop() {
  [ -f "$RUN/nginx/nginx.pid" ] && kill "$(cat "$RUN/nginx/nginx.pid")" 2>/dev/null || true
  for f in "$RUN"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; rm -f "$f"; done
  echo "stopped" >&2
}

start() {
  local web=${1:-2} runners=${2:-1}
  mkdir -p "$RUN/nginx"
  if [ -z "${DATABASE_URL:-}" ]; then
    admin=$(bash "$ROOT/scripts/start_postgres.sh")
    psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname='jemput'" | grep -q 1 || psql "$admin" -qc "CREATE DATABASE jemput"
    export DATABASE_URL="${admin%/*}/jemput"
  fi
  "$JEMPUT" serve --host 127.0.0.1 --port 8000 --workers "$web" --no-runner --log-level warning \
    >"$RUN/web.log" 2>&1 & echo $! >"$RUN/web.pid"
  for i in $(seq 1 "$runners"); do
    "$JEMPUT" worker >"$RUN/worker-$i.log" 2>&1 & echo $! >"$RUN/worker-$i.pid"
  done
  nginx -p "$RUN/nginx" -c "$HERE/nginx.conf" -e "$RUN/nginx/error.log"
  for _ in $(seq 1 100); do
    curl -fsS http://127.0.0.1:8080/readyz >/dev/null 2>&1 && { echo "ready: http://127.0.0.1:8080 ($web web, $runners runner(s), $DATABASE_URL)"; return; }
    sleep 0.3
  done
  echo "not ready: see $RUN/*.log" >&2; exit 1
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  *) echo "usage: $0 start [WEB_PROCESSES] [RUNNERS] | stop" >&2; exit 2 ;;
esac
