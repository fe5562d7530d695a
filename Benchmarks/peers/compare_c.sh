#!/usr/bin/env bash
# `soundprofile analyze` against the C + FFTW loop of the same analysis (analyze_c.c), side by
# side in one window: a 10-minute 48 kHz mono 16-bit WAV (white noise + 1 kHz tone),
# --fft-size 512 --hop 128, third-octave 25 Hz–20 kHz, whole processes timed alternately,
# median of RUNS each. The C program gets exactly the bands soundprofile reports. Also times
# `--jobs 2` on two copies of the file, and the numpy peer (analyze_numpy.py, vectorised, with
# pyfftw's FFTW when it is installed, else numpy's own FFT; BLAS pinned to one thread) on the same
# file and settings. Prints the largest level difference between ours and the C loop.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BIN="${BIN:-$HERE/../../.build/release/soundprofile}"
RUNS="${RUNS:-7}"
DIR=/tmp/soundprofile-compare
A="$DIR/noise_tone_10min_a.wav"; B="$DIR/noise_tone_10min_b.wav"
N=512; HOP=128

if [[ ! -x "$BIN" ]]; then echo "release binary missing: $BIN (make build)"; exit 1; fi
mkdir -p "$DIR"
cc -O2 -o "$DIR/analyze_c" "$HERE/analyze_c.c" $(pkg-config --cflags --libs fftw3f sndfile) -lm
if [[ ! -f "$A" ]]; then
  python3 -c 'import soundfile' 2>/dev/null || pip install -q soundfile
  python3 - "$A" 600 <<'PY'
import sys, numpy as np, soundfile as sf
path, dur = sys.argv[1], int(sys.argv[2]); fs = 48000
rng = np.random.default_rng(1)
t = np.arange(dur * fs) / fs
x = 0.1 * rng.standard_normal(t.size) + 0.25 * np.sin(2 * np.pi * 1000 * t)
sf.write(path, np.clip(x, -1, 1).astype(np.float32), fs, subtype="PCM_16")
PY
fi
[[ -f "$B" ]] || cp "$A" "$B"

export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
NUMPY=(python3 "$HERE/analyze_numpy.py" --fft-size "$N" --hop "$HOP")
if python3 -c 'import pyfftw' 2>/dev/null; then NUMPY+=(--pyfftw); fi

python3 - "$BIN" "$DIR" "$A" "$B" "$N" "$HOP" "$RUNS" "${NUMPY[@]}" <<'PY'
import json, statistics, subprocess, sys, time
bin_, d, a, b, n, hop, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], int(sys.argv[7])
numpy = sys.argv[8:] + [a]
ours = [bin_, "analyze", "--fft-size", n, "--hop", hop, "--bands", "third-octave", "--format", "jsonl", "--quiet"]
rec = json.loads(subprocess.run(ours + ["--jobs", "1", a], capture_output=True, text=True, check=True).stdout.splitlines()[0])
bands = rec["channels"][0]["bands"]
edges = [f"{x:.17g}" for band in bands for x in (band["lowerHz"], band["upperHz"])]
peer = [f"{d}/analyze_c", a, n, hop, f"{rec['fullScaleDBSPL']:g}"] + edges
frames = (int(round(rec["durationSeconds"] * rec["sampleRate"])) - int(n)) // int(hop) + 1

def timed(cmd):
    s = time.perf_counter(); out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - s, out

t = {"ours1": [], "c": [], "ours2": [], "numpy": []}
for _ in range(runs):
    dt, _ = timed(ours + ["--jobs", "1", a]); t["ours1"].append(dt)
    dt, cout = timed(peer); t["c"].append(dt)
    dt, _ = timed(ours + ["--jobs", "2", a, b]); t["ours2"].append(dt)
    dt, _ = timed(numpy); t["numpy"].append(dt)
m = {k: statistics.median(v) for k, v in t.items()}
print(f"file {a}: {rec['durationSeconds']:.0f} s, {rec['sampleRate']} Hz mono, {frames} frames of {n} (hop {hop}), {len(bands)} bands; median of {runs} alternating runs")
print(f"{'case':44s} {'median s':>9s} {'frames/s':>10s} {'x real time':>12s}")
rows = [("ours  analyze --jobs 1, 1 file", "ours1", 1), ("C + FFTW loop (analyze_c.c, gcc -O2), 1 file", "c", 1),
        ("ours  analyze --jobs 2, 2 files", "ours2", 2),
        ("numpy vectorised" + (" + pyfftw" if "--pyfftw" in numpy else "") + ", 1 file", "numpy", 1)]
for label, k, files in rows:
    print(f"{label:44s} {m[k]:9.3f} {files * frames / m[k]:10.0f} {files * rec['durationSeconds'] / m[k]:12.0f}")
print(f"ours / C frames per second (--jobs 1): {m['c'] / m['ours1']:.2f}")
print(f"--jobs 2 on 2 files vs --jobs 1 on 1 file, throughput: {2 * m['ours1'] / m['ours2']:.2f}x")
cl = [l.split() for l in cout.splitlines() if not l.startswith("frames")]
worst = max(abs(float(c[2 + i]) - band[key]) for c, band in zip(cl, bands) for i, key in enumerate(["leqDB", "l10DB", "l50DB", "l90DB", "minDB", "maxDB"]))
print(f"largest difference ours vs C over Leq, L10, L50, L90, min, max of every band: {worst:.3f} dB")
PY
