#!/usr/bin/env bash
# Builds every libFuzzer target (ASan + libFuzzer, debug) and runs each for FUZZ_SECONDS
# (default 60), seeded from Fixtures/. Exits 1 on any crash, leak or timeout, naming the input
# that caused it (kept in Fuzz/crashes/); prints the executions per target.
#   make fuzz FUZZ_SECONDS=60 [FUZZ_TARGETS="FuzzAudioAnalysis …"]
set -uo pipefail
cd "$(dirname "$0")"
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-"FuzzAudioAnalysis FuzzAudiogramFit FuzzProfilePrepare FuzzGainTableBlob"}
FLAGS=(-c debug -Xswiftc -sanitize=fuzzer,address --scratch-path .build)

seeds() {  # the seed files of a target, from Fixtures/
    case "$1" in
        FuzzAudioAnalysis) ls ../Fixtures/audio/formats/*.{wav,flac,aiff,ogg} ../Fixtures/audio/bad/* ../Fixtures/crash/*.wav \
                              ../Fixtures/audio/tone-1k-44k1-24bit.wav ../Fixtures/audio/speech-16k.flac ;;
        FuzzAudiogramFit) ls ../Fixtures/audiograms/*.json ../Fixtures/crash/audiogram-*.json ;;
        FuzzProfilePrepare) ls ../Fixtures/fitting/golden/N1-*.json ../Fixtures/fitting/golden/S3-*.json ;;
        FuzzGainTableBlob) ls ../Fixtures/gaintable/*.bin ;;
    esac
}

status=0
for target in $TARGETS; do
    echo "== $target: build"
    swift build "${FLAGS[@]}" --product "$target" 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]|Cannot export local symbol|CMakeLists|unhandled; explicitly' | tail -n 5
    if [ "${PIPESTATUS[0]}" -ne 0 ]; then echo "$target did not build" >&2; status=1; continue; fi
    bin=$(swift build "${FLAGS[@]}" --show-bin-path)/$target
    [ -x "$bin" ] || { echo "$target was not built" >&2; status=1; continue; }
    corpus=.corpus/$target seeddir=.seeds/$target
    mkdir -p "$corpus" "$seeddir" crashes
    rm -f "$seeddir"/*; for f in $(seeds "$target"); do cp "$f" "$seeddir/"; done
    max_len=4096; [ "$target" = FuzzAudioAnalysis ] && max_len=65536
    [ "$target" = FuzzProfilePrepare ] && max_len=32768
    [ "$target" = FuzzGainTableBlob ] && max_len=8192
    echo "== $target: $FUZZ_SECONDS s"
    log=$(mktemp)
    ASAN_OPTIONS=detect_leaks=0 "$bin" "$corpus" "$seeddir" -max_total_time="$FUZZ_SECONDS" -max_len="$max_len" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="crashes/$target-" >"$log" 2>&1
    rc=$?
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    echo "$target: ${execs:-?} executions in $FUZZ_SECONDS s, corpus $(ls "$corpus" | wc -l) inputs, exit $rc"
    if [ "$rc" -ne 0 ]; then
        status=1
        grep -E 'ERROR|Fatal error|SUMMARY|Test unit written|==[0-9]+==' "$log" | head -n 20
    fi
    rm -f "$log"
done
exit "$status"
