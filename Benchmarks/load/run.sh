#!/usr/bin/env bash
# Load figures for GET /healthz, GET /v1/profiles/{id} and POST /v1/profiles: starts `soundprofile serve` on
# 127.0.0.1 (in a fresh temporary data directory), seeds demo users/audiograms/profiles with
# `soundprofile seed-demo`, and drives the server from a second process with wrk.
#
#   Benchmarks/load/run.sh BIN [DATABASE_URL]
#     BIN           the soundprofile executable (a release build)
#     DATABASE_URL  optional postgres://… (must hold no demo users yet); default: SQLite in
#                   the temporary data directory
#   Environment: DURATION (15s), THREADS (2), CONNECTIONS (16), PORT (8089).
set -euo pipefail
BIN=$(realpath "$1")
DATABASE=${2:-}
HERE=$(cd "$(dirname "$0")" && pwd)
DURATION=${DURATION:-15s} THREADS=${THREADS:-2} CONNECTIONS=${CONNECTIONS:-16} PORT=${PORT:-8089}
WORK=$(mktemp -d -t soundprofile-load.XXXXXX)
cd "$WORK"
DB_ARGS=()
[ -n "$DATABASE" ] && DB_ARGS=(--database "$DATABASE")

# Seed first (one process at a time on the SQLite file), then serve.
SEED=$("$BIN" seed-demo "${DB_ARGS[@]}")
echo "$SEED"
LINE=$(grep '^created .*ada@example.com' <<<"$SEED") || { echo "seed-demo did not create the demo users (database not empty?)" >&2; exit 1; }
export SP_USER=$(awk '{print $2}' <<<"$LINE")
export SP_AUDIOGRAM=$(awk '{print $5}' <<<"$LINE")
export SP_PROFILE=$(awk '{print $7}' <<<"$LINE")
# No server has run here yet, so no secret exists: make it now; `serve` below signs with it.
export SP_TOKEN=$("$BIN" token create --user "$SP_USER" --create-secret)

# Request logs at info would measure the terminal; warnings and errors still print.
"$BIN" serve --port "$PORT" --log-level warning "${DB_ARGS[@]}" > serve.log 2>&1 &
SERVE=$!
trap 'kill "$SERVE" 2>/dev/null; wait "$SERVE" 2>/dev/null; rm -rf "$WORK"' EXIT
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do
    kill -0 "$SERVE" 2>/dev/null || { cat serve.log >&2; exit 1; }
    sleep 0.2
done
URL="http://127.0.0.1:$PORT"
curl -sf -o /dev/null -H "Authorization: Bearer $SP_TOKEN" "$URL/v1/profiles/$SP_PROFILE"

if [ -n "$DATABASE" ]; then echo "== database: $(sed -E 's#//([^:]*):[^@]*@#//\1:***@#' <<<"$DATABASE")"; else echo "== database: SQLite file"; fi
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# Runs wrk, prints its report, then the server's CPU time per request over the run (user +
# system, from /proc): a figure that other work on a shared machine disturbs far less than
# requests per second or latency.
measure() {
    local before after requests
    before=$(awk '{print $14 + $15}' "/proc/$SERVE/stat")
    wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency "$@" | tee wrk.out
    after=$(awk '{print $14 + $15}' "/proc/$SERVE/stat")
    requests=$(awk '/requests in/ {print $1}' wrk.out)
    awk -v t="$((after - before))" -v hz="$(getconf CLK_TCK)" -v n="$requests" \
        'BEGIN { if (n > 0) printf "server CPU per request: %.0f us (%d requests)\n", t / hz * 1e6 / n, n }'
}
echo "== GET /healthz (the framework's floor, same run)  ($THREADS threads, $CONNECTIONS connections, $DURATION)"
measure "$URL/healthz"
echo "== GET /v1/profiles/{id}  ($THREADS threads, $CONNECTIONS connections, $DURATION)"
measure -s "$HERE/get-profile.lua" "$URL"
echo "== POST /v1/profiles  ($THREADS threads, $CONNECTIONS connections, $DURATION)"
measure -s "$HERE/post-profile.lua" "$URL/v1/profiles"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== server warnings/errors during the run:"
cat serve.log
