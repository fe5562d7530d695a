#!/usr/bin/env bash
# Ours against the numpy peers on the same work, in one go, and the ratios:
#   per block at pod24k (24 kHz, hop 32, FFT 128): ProfileProcessor (Swift benchmark
#     'Block mono pod24k') vs streaming_numpy.py, a numpy per-block loop of the same pipeline;
#   the FFT pair of 128 points: FFTW ('FFT pair N=128') vs numpy.fft.rfft + irfft;
#   batch analysis of 60 s at 48 kHz held in memory ('Analysis 60 s 48 kHz in memory') vs
#     analyze_numpy.py --synthetic 60 (vectorised numpy; no file I/O on either side).
# Every time is per operation, each operation timed on its own, single thread. numpy's BLAS is
# pinned to one thread, as in compare_analyze.sh. Run on a quiet machine: a compile on the other
# core moves p99 by milliseconds on both sides.
#
# Usage: Benchmarks/peers/compare_streaming.sh      (env: BENCH_SCRATCH, default .build;
#        BLOCKS, numpy blocks to time, default 20000)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BENCH="$(dirname "$HERE")"
SCRATCH="${BENCH_SCRATCH:-.build}"
OUT="$(mktemp -d -t sp-compare.XXXXXX)"
trap 'rm -rf "$OUT"' EXIT
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

echo "== ours: swift package benchmark (release), 4 benchmarks" >&2
(cd "$BENCH" && SOUNDPROFILE_BENCH_RUN="${SOUNDPROFILE_BENCH_RUN:-short}" \
  swift package --scratch-path "$SCRATCH" --disable-sandbox benchmark --target SoundProfileBenchmarks \
  --filter '^(Block mono pod24k|Block stereo pod24k|FFT pair N=128|Analysis 60 s 48 kHz in memory)$' \
  --format jmh --path "$OUT" --no-progress >"$OUT/swift.log" 2>&1) || { cat "$OUT/swift.log" >&2; exit 1; }

echo "== numpy: per-block loop at pod24k, and the vectorised analysis of 60 s in memory" >&2
python3 "$HERE/streaming_numpy.py" --blocks "${BLOCKS:-20000}" > "$OUT/numpy_stream.json"
python3 "$HERE/analyze_numpy.py" --synthetic 60 --runs 5 > "$OUT/numpy_batch.json"

python3 - "$OUT" "$BENCH" <<'PY'
import json, sys
out, bench = sys.argv[1], sys.argv[2]
sys.path.insert(0, bench)
from check_budgets import load_results, fmt_ns
ours = load_results(out)
stream = json.load(open(f"{out}/numpy_stream.json"))
batch = json.load(open(f"{out}/numpy_batch.json"))
mono, stereo, fft = ours["Block_mono_pod24k"], ours["Block_stereo_pod24k"], ours["FFT_pair_N=128"]
blk, npfft = stream["block"], stream["fftPair"]
print(f"Per block, pod24k: 24 kHz, hop 32, FFT 128 (block period {stream['blockPeriodNs']/1e3:.0f} µs; "
      f"budget 2 % = {stream['blockPeriodNs']*0.02/1e3:.1f} µs)")
print(f"  {'':34} {'p50':>10} {'p99':>10} {'p99.9':>10}")
rows = [("ours, one ear (Swift + FFTW)", mono), ("ours, both ears", stereo),
        (f"numpy per-block loop, one ear", blk)]
for label, r in rows:
    print(f"  {label:34} {fmt_ns(r['p50']):>10} {fmt_ns(r['p99']):>10} {fmt_ns(r['p99.9']):>10}")
print(f"  {'ratio numpy / ours (one ear)':34} {blk['p50']/mono['p50']:>9.0f}x {blk['p99']/mono['p99']:>9.0f}x {blk['p99.9']/mono['p99.9']:>9.0f}x")
print(f"FFT pair, 128 points (r2c + c2r)")
print(f"  {'FFTW (FFT_MEASURE, shared wisdom)':34} {fmt_ns(fft['p50']):>10} {fmt_ns(fft['p99']):>10} {fmt_ns(fft['p99.9']):>10}")
print(f"  {'numpy.fft rfft + irfft':34} {fmt_ns(npfft['p50']):>10} {fmt_ns(npfft['p99']):>10} {fmt_ns(npfft['p99.9']):>10}")
print(f"  {'ours per block / FFTW pair':34} {mono['p50']/fft['p50']:>9.1f}x {mono['p99']/fft['p99']:>9.1f}x")
print(f"  {'numpy per block / numpy pair':34} {blk['p50']/npfft['p50']:>9.1f}x {blk['p99']/npfft['p99']:>9.1f}x")
an = ours["Analysis_60_s_48_kHz_in_memory"]
ours_rt = 60e9 / an["p50"]
print(f"Batch analysis, 60 s at 48 kHz in memory (third-octave 25 Hz-20 kHz, N 4096, hop 2048, statistics)")
print(f"  ours (Swift)          {an['p50']/1e6:8.1f} ms median  {ours_rt:7.0f}x real time")
print(f"  numpy vectorised      {batch['medianSeconds']*1e3:8.1f} ms median  {batch['timesRealTime']:7.0f}x real time")
print(f"  ratio numpy / ours    {batch['medianSeconds']*1e9/an['p50']:8.1f}x")
print(f"(numpy {stream['numpy']}, Python {stream['python']}; numpy clock overhead {stream['clockOverheadNs']} ns not subtracted)")
PY
