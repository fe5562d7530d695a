#!/usr/bin/env bash
# Instructions a whole `soundprofile` command costs, start-up included, counted by valgrind's
# callgrind (the same count on every run). Usage:
#   Benchmarks/startup/count.sh [BIN] -- ARGS...     e.g.  count.sh -- analyze Fixtures/audio/x.wav
# BIN defaults to .build/release/soundprofile. The binary is counted from a copy without debug
# information (valgrind 3.19 cannot read the Swift compiler's DWARF), with a sigsuspend shim
# preloaded (see sigshim.c). Prints the total and the ten costliest functions (inclusive).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BIN="$HERE/../../.build/release/soundprofile"
if [[ "${1:-}" != "--" ]]; then BIN="$1"; shift; fi
[[ "${1:-}" == "--" ]] && shift
WORK=$(mktemp -d -t sp-startup.XXXXXX); trap 'rm -rf "$WORK"' EXIT
cc -O2 -shared -fPIC -o "$WORK/sigshim.so" "$HERE/sigshim.c"
# Keep the name and folder layout: `soundprofile serve` execs soundprofile-service next to it.
cp "$BIN" "$WORK/$(basename "$BIN")"; objcopy --strip-debug "$WORK/$(basename "$BIN")"
LD_PRELOAD="$WORK/sigshim.so" valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" \
  "$WORK/$(basename "$BIN")" "$@" > "$WORK/stdout" 2> "$WORK/stderr" || true
grep -E "Collected" "$WORK/stderr" | sed 's/^==[0-9]*== //'
callgrind_annotate --inclusive=yes "$WORK/cg.out" 2>/dev/null | sed -n '/^Ir/,$p' | sed -n '3,14p' | cut -c1-160
