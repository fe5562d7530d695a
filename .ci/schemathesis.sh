#!/usr/bin/env bash
# Contract test: schemathesis (every check) against a live `serve` on 127.0.0.1 with an empty
# SQLite data directory and an admin token; the server is stopped and the directory removed on
# exit. Usage: .ci/schemathesis.sh [BINARY]   (default: the debug build's service binary)
# ST_EXAMPLES (default 20) bounds the examples per operation so the run takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-}
if [ -z "$BIN" ]; then
  for candidate in .build/debug/soundprofile-service .build/debug/soundprofile; do
    if [ -x "$candidate" ]; then BIN=$candidate; break; fi
  done
fi
[ -n "$BIN" ] || { echo "no service binary; build first" >&2; exit 1; }
command -v st >/dev/null 2>&1 || python3 -m pip install -q --disable-pip-version-check 'schemathesis>=4.3,<5' >/dev/null 2>&1
DATA=$(mktemp -d -t sp-schemathesis.XXXXXX)
PORT=$(python3 .ci/ports.py)
"$BIN" serve --data-dir "$DATA" --host 127.0.0.1 --port "$PORT" --log-level error >"$DATA/serve.log" 2>&1 &
SERVER=$!
stop() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$DATA"; }
trap stop EXIT
for _ in $(seq 1 150); do
  python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)" "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$DATA/serve.log" >&2; exit 1; }
  sleep 0.2
done
TOKEN=$("$BIN" token create --admin --user "$(python3 -c 'import uuid; print(uuid.uuid4())')" --data-dir "$DATA")
set +e
timeout 600 st --config-file .ci/schemathesis.toml run "http://127.0.0.1:$PORT/openapi.yaml" \
  -H "Authorization: Bearer $TOKEN" --checks all --max-examples "${ST_EXAMPLES:-20}" --workers 1 \
  --seed "${ST_SEED:-14}" --suppress-health-check all --no-color 2>&1 | grep -vE '^\s*$' | tail -n "${ST_TAIL:-60}"
status=${PIPESTATUS[0]}
set -e
if grep -q "unhandled error" "$DATA/serve.log"; then echo "the server logged unhandled errors:" >&2; grep "unhandled error" "$DATA/serve.log" | head >&2; status=1; fi
exit "$status"
