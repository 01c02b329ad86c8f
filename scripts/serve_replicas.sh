#!/usr/bin/env bash
# N app replicas on loopback behind nginx with cookie affinity (issue 18).
#
#   scripts/serve_replicas.sh [REPLICAS=2] [PORT=8600]
#
# Starts REPLICAS `python -m components serve` processes (`streamlit run app.py` that lets the
# runs in flight finish on SIGTERM, components/ui/serve.py) on 127.0.0.1:PORT+1 .. PORT+REPLICAS, all
# sharing one data folder and corpus store (ATLAS_UPLOADS, ATLAS_DB and the other ATLAS_*
# variables come from the environment, as for one process), then Debian's nginx on
# 127.0.0.1:PORT with deploy/nginx.conf (its `listen` and upstreams.conf set for loopback).
# Open http://127.0.0.1:PORT. Run files (PIDs, logs, the generated nginx files) go to
# ATLAS_RUN_DIR (default artifacts/replicas); `ready` appears there when nginx answers.
# Ctrl-C or SIGTERM stops everything: the replicas get SIGTERM, nginx a graceful QUIT.
# A replica that dies is not restarted (the survivors keep serving; see bench/README.md).
# ATLAS_APP runs another copy of app.py (default: the repository's; the tests run a copy in a
# temporary folder so that Leaflet is copied into its static/, not the repository's).
# ATLAS_LOAD_TEST=1 exempts 127.0.0.1 from nginx's per-address rate limits (the load
# benchmark's sessions all come from loopback); never set it in a deployment.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2}
PORT=${2:-8600}
RUN=${ATLAS_RUN_DIR:-$PWD/artifacts/replicas}
APP=${ATLAS_APP:-$PWD/app.py}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
if [ ! -x "$NGINX" ]; then
  echo "serve_replicas.sh: nginx not found; install Debian's package: apt-get install -y nginx" >&2
  exit 2
fi
case "$N" in ''|*[!0-9]*|0) echo "serve_replicas.sh: REPLICAS must be a whole number of 1 or more, not '$N'" >&2; exit 2;; esac

rm -rf "$RUN"
mkdir -p "$RUN/logs" "$RUN/tmp"
# Leaflet into static/ once, before the replicas start (each would otherwise copy it at once).
python3 -c "import sys; from pathlib import Path; from components.offline import ensure_leaflet_assets as e; e(Path(sys.argv[1]))" \
  "$(dirname "$APP")/static"

PIDS=()
NGINX_PID=""
stop() {
  trap - TERM INT EXIT
  [ -n "$NGINX_PID" ] && kill -QUIT "$NGINX_PID" 2>/dev/null || true
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait || true
  rm -f "$RUN/ready"
}
trap stop TERM INT EXIT

: > "$RUN/upstreams.conf"
for i in $(seq 1 "$N"); do
  port=$((PORT + i))
  PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" python3 -m components serve --app "$APP" --server.address 127.0.0.1 --server.port "$port" --server.fileWatcherType none \
    > "$RUN/logs/replica-$i.log" 2>&1 &
  PIDS+=("$!")
  echo "$!" > "$RUN/replica-$i.pid"
  echo "server 127.0.0.1:$port max_fails=3 fail_timeout=10s;" >> "$RUN/upstreams.conf"
done

healthy() { python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$1" 2>/dev/null; }
for i in $(seq 1 "$N"); do
  for _ in $(seq 1 240); do
    healthy "http://127.0.0.1:$((PORT + i))/_stcore/health" && break
    kill -0 "${PIDS[$((i - 1))]}" 2>/dev/null || { echo "replica $i exited; see $RUN/logs/replica-$i.log" >&2; exit 1; }
    sleep 0.5
  done
done

if [ "${ATLAS_LOAD_TEST:-0}" = 1 ]; then
  echo "127.0.0.1 1;" > "$RUN/rate_limit_exempt.conf"
else
  cp deploy/rate_limit_exempt.conf "$RUN/rate_limit_exempt.conf"
fi
sed "s/^\(\s*\)listen 8080;/\1listen 127.0.0.1:$PORT;/" deploy/nginx.conf > "$RUN/nginx.conf"
"$NGINX" -p "$RUN" -c "$RUN/nginx.conf" -e "$RUN/logs/error.log" -g "daemon off;" &
NGINX_PID=$!
for _ in $(seq 1 60); do
  healthy "http://127.0.0.1:$PORT/_stcore/health" && break
  kill -0 "$NGINX_PID" 2>/dev/null || { echo "nginx exited; see $RUN/logs/error.log" >&2; exit 1; }
  sleep 0.5
done
echo "$NGINX_PID" > "$RUN/nginx.pid.master"
touch "$RUN/ready"
echo "De-escalation Atlas: $N replicas behind nginx on http://127.0.0.1:$PORT (run files in $RUN)"
wait "$NGINX_PID"
