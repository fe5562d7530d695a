#!/usr/bin/env bash
# Times `soundprofile analyze` against the numpy peer (analyze_numpy.py) on a 10-minute
# 48 kHz mono 16-bit WAV (white noise + 1 kHz tone), alternating runs, median of RUNS each,
# and prints the largest band-Leq difference between the two outputs.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BIN="${BIN:-$HERE/../../.build/release/soundprofile}"
PEER="$HERE/analyze_numpy.py"
RUNS="${RUNS:-3}"
DIR=/tmp/soundprofile-compare
A="$DIR/noise_tone_10min_a.wav"; B="$DIR/noise_tone_10min_b.wav"
DUR=600

if [[ ! -x "$BIN" ]]; then echo "release binary missing: $BIN (build it with swift build -c release)"; exit 1; fi
python3 -c 'import soundfile' 2>/dev/null || pip install -q soundfile
mkdir -p "$DIR"
if [[ ! -f "$A" ]]; then
  python3 - "$A" "$DUR" <<'PY'
import sys, numpy as np, soundfile as sf
path, dur = sys.argv[1], int(sys.argv[2]); fs = 48000
rng = np.random.default_rng(1)
t = np.arange(dur * fs) / fs
x = 0.1 * rng.standard_normal(t.size) + 0.25 * np.sin(2 * np.pi * 1000 * t)
sf.write(path, np.clip(x, -1, 1).astype(np.float32), fs, subtype="PCM_16")
PY
fi
[[ -f "$B" ]] || cp "$A" "$B"

# numpy's BLAS (used by the band-weight matrix product) is pinned to one thread so that "1 file"
# compares one core with one core and the 2-process run is not oversubscribed; the row
# "numpy vectorised, default BLAS threads" shows numpy as run out of the box.
CPUS=$(nproc)  # before the export: nproc honours OMP_NUM_THREADS
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
blas_default() { env -u OMP_NUM_THREADS -u OPENBLAS_NUM_THREADS -u MKL_NUM_THREADS "$@"; }

now() { date +%s.%N; }
# run NAME CMD... : times CMD once, appends seconds to $DIR/t_NAME, output to $DIR/o_NAME
run() { local name=$1; shift; local s e; s=$(now); "$@" > "$DIR/o_$name"; e=$(now)
        echo "$e - $s" | bc -l >> "$DIR/t_$name"; }
par_numpy() { python3 "$PEER" "$A" > "$DIR/p1" & local p1=$!; python3 "$PEER" "$B" > "$DIR/p2" & local p2=$!
              wait $p1; wait $p2; cat "$DIR/p1" "$DIR/p2"; }
rm -f "$DIR"/t_*

echo "file: $A (${DUR} s, 48 kHz mono PCM16), runs: $RUNS each, alternating; $CPUS CPUs; numpy BLAS 1 thread unless noted"
for i in $(seq "$RUNS"); do
  run ours1      "$BIN" analyze "$A" --format jsonl --quiet --jobs 1
  run numpy1     python3 "$PEER" "$A"
  run ours2      "$BIN" analyze "$A" "$B" --format jsonl --quiet --jobs 2
  run numpy2seq  python3 "$PEER" "$A" "$B"
  run numpy2par  par_numpy
  run numpyloop  python3 "$PEER" --per-frame "$A"
  run numpyblas   blas_default python3 "$PEER" "$A"
done

python3 - "$DIR" "$DUR" <<'PY'
import json, statistics, sys
d, dur = sys.argv[1], float(sys.argv[2])
med = lambda n: statistics.median(float(l) for l in open(f"{d}/t_{n}"))
rows = [("(a) ours  --jobs 1, 1 file", "ours1", 1),
        ("(c) numpy vectorised, 1 file", "numpy1", 1),
        ("    numpy vectorised, default BLAS thr.", "numpyblas", 1),
        ("    numpy --per-frame loop, 1 file", "numpyloop", 1),
        ("(b) ours  --jobs 2, 2 files", "ours2", 2),
        ("(b) numpy 2 files sequential", "numpy2seq", 2),
        ("(b) numpy 2 files, 2 processes", "numpy2par", 2)]
t = {k: med(k) for _, k, _ in rows}
print(f"{'case':38s} {'median s':>9s} {'x real-time':>12s}")
for label, k, nf in rows:
    print(f"{label:38s} {t[k]:9.3f} {nf * dur / t[k]:12.1f}")
print("ratios numpy/ours (time):")
print(f"  1 file : vectorised {t['numpy1'] / t['ours1']:.2f}x, default BLAS threads {t['numpyblas'] / t['ours1']:.2f}x, per-frame loop {t['numpyloop'] / t['ours1']:.2f}x")
print(f"  2 files: sequential {t['numpy2seq'] / t['ours2']:.2f}x, 2 processes {t['numpy2par'] / t['ours2']:.2f}x")

def recs(n): return [json.loads(l) for l in open(f"{d}/o_{n}") if l.strip()]
ours, peer, loop = recs("ours1")[0], recs("numpy1")[0], recs("numpyloop")[0]
def diff(x, y):
    worst = (0.0, None, None)
    for cx, cy in zip(x["channels"], y["channels"]):
        assert len(cx["bands"]) == len(cy["bands"]), "band counts differ"
        for bx, by in zip(cx["bands"], cy["bands"]):
            for key in ("leqDB",):
                dd = abs(bx[key] - by[key])
                if dd > worst[0]: worst = (dd, bx["centerHz"], key)
    return worst
w = diff(ours, peer)
print(f"bands: ours {len(ours['channels'][0]['bands'])}, numpy {len(peer['channels'][0]['bands'])}")
print(f"largest band Leq difference ours vs numpy: {w[0]:.4f} dB (band {w[1] or 0:.1f} Hz)")
print(f"overall Leq: ours {ours['channels'][0]['overallLeqDB']} dB, numpy {peer['channels'][0]['overallLeqDB']} dB")
stat = max(abs(bx[k] - by[k]) for bx, by in zip(ours["channels"][0]["bands"], peer["channels"][0]["bands"])
           for k in ("l10DB", "l50DB", "l90DB", "minDB", "maxDB"))
print(f"largest L10/L50/L90/min/max difference: {stat:.4f} dB (percentile definitions differ)")
print(f"numpy vectorised vs per-frame loop, largest Leq difference: {diff(peer, loop)[0]:.4f} dB")
PY
