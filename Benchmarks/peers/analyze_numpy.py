#!/usr/bin/env python3
"""Independent numpy/scipy peer of `soundprofile analyze FILE --format jsonl`.

Per channel: frames of N samples (4096 at 48 kHz, scaled with the rate) advancing by hop = N/2,
periodic Hann window, one-sided rfft power spectrum c_k|X_k|^2 (c=1 at DC/Nyquist, else 2),
band power P_b = sum_k a_{k,b} c_k |X_k|^2 / (N * sum w^2), where a_{k,b} is the fraction of
bin k's interval [(k-1/2)df, (k+1/2)df) clipped to [0, fs/2] lying inside band b's [lower, upper).
Bands: IEC 61260 base-10 third octaves 25 Hz..20 kHz, edges mid*10^(+-1/20); bands with
upper > fs/2 dropped; bands narrower than df merged upward (narrow top remainder joins the band
below). Level = 10 log10(max(P, 1e-20)) + fullScale. Statistics over frames per band: Leq,
L10/L50/L90 (np.percentile 90/50/10), min, max.

Default: vectorised (frames x bins matrix in blocks, band weights as a matrix product).
--per-frame: a Python loop with one rfft per frame (prototype of a streaming pod).
Trailing samples that do not fill a frame are ignored; a file shorter than one frame is one
zero-padded frame. Output: one JSON line per file.
"""
import argparse
import json
import math
import sys

import numpy as np
import soundfile as sf

from bands import band_matrix, resolve_bands, third_octave_bands


def hann(n):
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)


def channel_levels_vectorised(x, n, hop, w, weights, cnorm, block=1024, rfft=np.fft.rfft):
    """Returns (frames x bands) power and (frames,) overall power."""
    if len(x) < n:
        x = np.concatenate([x, np.zeros(n - len(x), x.dtype)])
    view = np.lib.stride_tricks.sliding_window_view(x, n)[::hop]
    bp, op = [], []
    wt = weights.T
    for s in range(0, view.shape[0], block):
        spec = rfft(view[s:s + block] * w, axis=1)
        p = spec.real ** 2 + spec.imag ** 2          # |X_k|^2, frames x bins
        bp.append(p @ wt)
        op.append(p @ cnorm)
    return np.concatenate(bp), np.concatenate(op)


def channel_levels_per_frame(x, n, hop, w, weights, cnorm, rfft=np.fft.rfft):
    if len(x) < n:
        x = np.concatenate([x, np.zeros(n - len(x), x.dtype)])
    nframes = (len(x) - n) // hop + 1
    bp = np.empty((nframes, weights.shape[0]))
    op = np.empty(nframes)
    for f in range(nframes):
        spec = rfft(x[f * hop:f * hop + n] * w)
        p = spec.real ** 2 + spec.imag ** 2
        bp[f] = weights @ p
        op[f] = p @ cnorm
    return bp, op


def analyze(path, per_frame=False, full_scale=100.0, n=None, hop=None, rfft=np.fft.rfft):
    data, fs = sf.read(path, dtype="float32", always_2d=True)
    return analyze_array(path, data, fs, per_frame, full_scale, n, hop, rfft)


def analyze_array(path, data, fs, per_frame=False, full_scale=100.0, n=None, hop=None, rfft=np.fft.rfft):
    """data: frames x channels float32. n, hop: FFT size and frame advance (default as the CLI)."""
    n = n or max(16, min(65536, 1 << int(round(math.log2(4096 * fs / 48000)))))
    hop = hop or n // 2
    bands = resolve_bands(third_octave_bands(), fs, n)
    a, c = band_matrix(bands, fs, n)
    w = hann(n)
    norm = 1.0 / (n * np.sum(w * w))
    weights = a * c * norm
    cnorm = c * norm
    fn = channel_levels_per_frame if per_frame else channel_levels_vectorised
    channels = []
    for ch in range(data.shape[1]):
        x = np.ascontiguousarray(data[:, ch], dtype=np.float64)
        bp, op = fn(x, n, hop, w, weights, cnorm, rfft=rfft)
        lev = 10 * np.log10(np.maximum(bp, 1e-20)) + full_scale      # frames x bands
        leq = 10 * np.log10(np.mean(10 ** (lev / 10), axis=0))
        l10, l50, l90 = np.percentile(lev, [90, 50, 10], axis=0)
        mn, mx = lev.min(axis=0), lev.max(axis=0)
        overall = 10 * np.log10(np.mean(op)) + full_scale
        r = lambda v: round(float(v), 3)
        channels.append({
            "channel": ch,
            "overallLeqDB": r(overall),
            "bands": [{"centerHz": b[2], "lowerHz": b[0], "upperHz": b[1],
                       "leqDB": r(leq[i]), "l10DB": r(l10[i]), "l50DB": r(l50[i]),
                       "l90DB": r(l90[i]), "minDB": r(mn[i]), "maxDB": r(mx[i])}
                      for i, b in enumerate(bands)],
        })
    return {"file": path, "sampleRate": fs, "channelCount": data.shape[1],
            "durationSeconds": data.shape[0] / fs, "fftSize": n, "hop": hop,
            "fullScaleDBSPL": full_scale, "channels": channels}


def synthetic(seconds, fs=48000):
    """The benchmark's in-memory signal (Benchmarks/.../States.swift testSignal, same shape, numpy's
    own noise): noise and a 1 kHz tone under a 4 Hz envelope, float32, one channel."""
    rng = np.random.default_rng(1)
    t = np.arange(int(seconds * fs)) / fs
    env = 0.55 + 0.45 * np.sin(2 * np.pi * 4 * t)
    x = env * (0.04 * rng.uniform(-1, 1, t.size) + 0.03 * np.sin(2 * np.pi * 1000 * t))
    return x.astype(np.float32)[:, None], fs


def time_synthetic(seconds, per_frame, runs):
    """Times the analysis of an in-memory signal (no file I/O), as the Swift benchmark
    'Analysis 60 s 48 kHz in memory' does; prints one JSON line with the median."""
    import time
    data, fs = synthetic(seconds)
    times = []
    for _ in range(runs):
        s = time.perf_counter()
        analyze_array("<memory>", data, fs, per_frame)
        times.append(time.perf_counter() - s)
    times.sort()
    med = times[len(times) // 2]
    print(json.dumps({"peer": "analyze_numpy.py " + ("per-frame" if per_frame else "vectorised"),
                      "seconds": seconds, "runs": runs, "medianSeconds": med, "minSeconds": times[0],
                      "timesRealTime": seconds / med}))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--synthetic", type=float, metavar="SECONDS",
                    help="time the analysis of SECONDS of an in-memory 48 kHz signal instead of reading files")
    ap.add_argument("--runs", type=int, default=5, help="with --synthetic: timed runs (median reported)")
    ap.add_argument("--per-frame", action="store_true", help="Python loop, one rfft per frame")
    ap.add_argument("--full-scale-db-spl", type=float, default=100.0)
    ap.add_argument("--fft-size", type=int, help="FFT length (default: 4096 at 48 kHz, scaled with the rate)")
    ap.add_argument("--hop", type=int, help="frame advance (default: half the FFT length)")
    ap.add_argument("--pyfftw", action="store_true", help="FFTs by pyfftw (FFTW, one thread, cached plans) instead of numpy's pocketfft")
    args = ap.parse_args()
    rfft = np.fft.rfft
    if args.pyfftw:
        import pyfftw
        import pyfftw.interfaces.numpy_fft as fftw_numpy
        pyfftw.interfaces.cache.enable()
        rfft = lambda a, axis=-1: fftw_numpy.rfft(a, axis=axis, threads=1, planner_effort="FFTW_ESTIMATE")
    if args.synthetic:
        time_synthetic(args.synthetic, args.per_frame, args.runs)
        return
    if not args.files:
        ap.error("give FILES or --synthetic SECONDS")
    for f in args.files:
        rec = analyze(f, args.per_frame, args.full_scale_db_spl, args.fft_size, args.hop, rfft)
        sys.stdout.write(json.dumps(rec, sort_keys=True, separators=(",", ":")) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
