#!/usr/bin/env python3
"""numpy peer of the streaming ProfileProcessor: a per-block loop, as a Python prototype of the
pod would run it, timed one block at a time.

Per block of `hop` new samples (defaults: the pod24k preset, 24 kHz, hop 32, FFT 128):
  slide the input history; analysis window √Hann; rfft; power c_k|X_k|² per bin; band powers
  through the fractional bin→band weights (third-octave 125 Hz–8 kHz, bands narrower than the bin
  spacing merged, the rule DESIGN.md states); levels in dB SPL (10·log10, full scale 100 dB);
  attack/release one-pole smoothing in dB per band; WDRC gain per band (gain at 65 dB SPL speech,
  kneepoint, compression ratio above it, expansion below a threshold, MPO cap); gains spread to
  bins by linear interpolation between band centres; irfft; synthesis window √Hann with the WOLA
  scale 2·hop/N; overlap-add; `hop` samples out.
The same steps as ProfileProcessor.process in the same order, so the two do the same work per
block; the curve's numbers are fixed (a sloping moderate loss) rather than fitted, which changes
no step. The per-bin MPO check on the main lobe is left out (it would only add numpy calls).

Prints one JSON object: per-block percentiles in ns, plus numpy's own rfft+irfft pair for
comparison with the FFTW floor.
"""
import argparse
import json
import math
import sys
import time

import numpy as np

from bands import band_matrix, resolve_bands, third_octave_bands


class Pod:
    def __init__(self, fs, hop, n, full_scale=100.0):
        self.fs, self.hop, self.n = fs, hop, n
        hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)
        self.win = np.sqrt(hann)
        self.syn = self.win * (2 * hop / n)
        resolved = resolve_bands(third_octave_bands(125.0, 8000.0), fs, n)
        self.bands = [(lo, hi) for lo, hi, _ in resolved]
        nb = len(self.bands)
        a, c = band_matrix(resolved, fs, n)
        self.w = a * c
        self.norm = 1.0 / (n * np.sum(self.win ** 2))
        self.full_scale = full_scale
        centres = np.array([math.sqrt(lo * hi) for lo, hi in self.bands])
        # A sloping moderate loss: 10 dB at the bottom rising to 30 dB at the top.
        self.gain65 = np.linspace(10, 30, nb)
        self.level65 = np.full(nb, 55.0)
        self.knee = np.full(nb, 45.0)
        self.cr = np.full(nb, 2.0)
        self.exp_thr = np.full(nb, 30.0)
        self.exp_ratio = np.full(nb, 0.7)
        self.mpo = np.full(nb, 110.0)
        block_s = hop / fs
        self.attack = np.full(nb, math.exp(-block_s / 0.005))
        self.release = np.full(nb, math.exp(-block_s / 0.050))
        self.smoothed = np.full(nb, 40.0)
        freqs = np.arange(n // 2 + 1) * fs / n
        self.bin_pos = np.interp(freqs, centres, np.arange(nb))   # fractional band index per bin
        self.bin_lo = np.minimum(np.floor(self.bin_pos).astype(int), nb - 2)
        self.bin_frac = self.bin_pos - self.bin_lo
        self.history = np.zeros(n)
        self.acc = np.zeros(n)

    def gain_db(self, level):
        g = self.gain65 + (1 / self.cr - 1) * (level - self.level65)
        g_knee = self.gain65 + (1 / self.cr - 1) * (self.knee - self.level65)
        g = np.where(level < self.knee, g_knee, g)
        g = np.where(level < self.exp_thr, g_knee + (1 / self.exp_ratio - 1) * (self.exp_thr - level), g)
        return np.minimum(g, self.mpo - level)

    def process(self, block):
        n, hop = self.n, self.hop
        self.history[:-hop] = self.history[hop:]
        self.history[-hop:] = block
        spec = np.fft.rfft(self.history * self.win)
        p = spec.real ** 2 + spec.imag ** 2
        level = 10 * np.log10(np.maximum(self.w @ p * self.norm, 1e-20)) + self.full_scale
        a = np.where(level > self.smoothed, self.attack, self.release)
        self.smoothed = level + (self.smoothed - level) * a
        lin = 10 ** (self.gain_db(self.smoothed) / 20)
        g = lin[self.bin_lo] * (1 - self.bin_frac) + lin[self.bin_lo + 1] * self.bin_frac
        y = np.fft.irfft(spec * g, n)
        self.acc += y * self.syn
        out = self.acc[:hop].copy()
        self.acc[:-hop] = self.acc[hop:]
        self.acc[-hop:] = 0
        return out


def percentiles(ns):
    a = np.sort(np.asarray(ns, dtype=np.float64))
    pick = lambda q: float(a[min(len(a) - 1, int(math.ceil(q / 100 * len(a))) - 1)])
    return {"count": len(a), "p50": pick(50), "p90": pick(90), "p99": pick(99), "p99.9": pick(99.9),
            "max": float(a[-1]), "mean": float(a.mean())}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample-rate", type=int, default=24000)
    ap.add_argument("--hop", type=int, default=32)
    ap.add_argument("--fft-size", type=int, default=128)
    ap.add_argument("--blocks", type=int, default=20000)
    ap.add_argument("--warmup", type=int, default=1000)
    args = ap.parse_args()
    fs, hop, n = args.sample_rate, args.hop, args.fft_size
    pod = Pod(fs, hop, n)
    total = args.warmup + args.blocks
    rng = np.random.default_rng(1)
    t = np.arange(total * hop) / fs
    x = (0.55 + 0.45 * np.sin(2 * np.pi * 4 * t)) * (0.04 * rng.uniform(-1, 1, t.size) + 0.03 * np.sin(2 * np.pi * 1000 * t))
    clock = time.perf_counter_ns
    times = []
    for b in range(total):
        blk = x[b * hop:(b + 1) * hop]
        s = clock()
        pod.process(blk)
        e = clock()
        if b >= args.warmup:
            times.append(e - s)
    # numpy's own FFT pair of the same size, one pair at a time, for the ratio to FFTW's.
    frame = np.zeros(n)
    fft_times = []
    for i in range(args.warmup + args.blocks):
        s = clock()
        np.fft.irfft(np.fft.rfft(frame), n)
        e = clock()
        if i >= args.warmup:
            fft_times.append(e - s)
    def back_to_back():
        a = clock()
        return clock() - a
    overhead = min(back_to_back() for _ in range(1000))
    out = {
        "peer": "numpy per-block loop (streaming_numpy.py)",
        "numpy": np.__version__, "python": sys.version.split()[0],
        "sampleRate": fs, "hop": hop, "fftSize": n, "bands": len(pod.bands),
        "blockPeriodNs": hop / fs * 1e9,
        "clockOverheadNs": overhead,
        "block": percentiles(times),
        "fftPair": percentiles(fft_times),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
