#!/usr/bin/env python3
"""Short and tail-heavy files for the end-frame tests, and their reference levels.

Writes the WAVs next to this script and reference.json: for each file, computed here with numpy
alone (not with soundprofile), the overall Leq (exact mean square of every sample) and the
octave-band (125 Hz–8 kHz) Leq, min and max under the analysis definition in
docs/CONVENTIONS.md ("Frames"): periodic-Hann frames of N samples every hop; when samples remain
after the last full frame, the file's last N samples are one more frame, counting u/hop of a
frame in the Leq (u: the samples no full frame reached); a file shorter than one frame is one
frame of its samples centred in the window and zero-padded, its band powers divided by the share
of the window energy its positions carry.
Run: python3 Fixtures/partial/make_partial.py (numpy, soundfile).
"""
import json, os
import numpy as np
import soundfile as sf

HERE = os.path.dirname(os.path.abspath(__file__))
CAL = 100.0
FLOOR = 1e-20


def octave_bands():
    bands = []
    for x in range(-9, 10, 3):
        mid = 1000 * 10 ** (x / 10)
        bands.append([mid, mid * 10 ** -0.15, mid * 10 ** 0.15])
    for i in range(1, len(bands)):
        bands[i][1] = bands[i - 1][2]
    return bands


def band_powers(frame, fs, scale, bands):
    n = len(frame)
    w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)
    spectrum = np.abs(np.fft.rfft(frame * w)) ** 2
    c = np.full(len(spectrum), 2.0)
    c[0] = 1
    c[-1] = 1
    p = c * spectrum / (n * np.sum(w * w)) * scale
    df = fs / n
    k = np.arange(len(spectrum))
    lo = np.clip((k - 0.5) * df, 0, fs / 2)
    hi = np.clip((k + 0.5) * df, 0, fs / 2)
    out = []
    for _, blo, bhi in bands:
        overlap = np.clip(np.minimum(hi, bhi) - np.maximum(lo, blo), 0, None)
        width = hi - lo
        a = np.where(width > 0, overlap / np.where(width > 0, width, 1), 0)
        out.append(float(np.sum(a * p)))
    return out


def reference(x, fs, n):
    hop = n // 2
    bands = octave_bands()
    frames = []  # (powers, weight)
    start = 0
    while start + n <= len(x):
        frames.append((band_powers(x[start:start + n], fs, 1.0, bands), 1.0))
        start += hop
    partial = 0
    if frames and len(x) > start - hop + n:
        u = len(x) - (start - hop + n)
        frames.append((band_powers(x[len(x) - n:], fs, 1.0, bands), u / hop))
        partial = 1
    elif not frames:
        held = x
        m = len(held)
        offset = (n - m) // 2
        frame = np.zeros(n)
        frame[offset:offset + m] = held
        w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)
        scale = np.sum(w * w) / np.sum(w[offset:offset + m] ** 2)
        frames.append((band_powers(frame, fs, scale, bands), 1.0))
        partial = 1
    result = {"samples": len(x), "fftSize": n, "hop": hop, "partialFrames": partial,
              "overallLeqDB": 10 * np.log10(max(np.mean(x.astype(np.float64) ** 2), FLOOR)) + CAL, "bands": []}
    total_weight = sum(wt for _, wt in frames)
    for b, (mid, _, _) in enumerate(bands):
        if bands[b][2] > fs / 2:
            continue
        powers = [max(p[b], FLOOR) for p, _ in frames]
        leq = sum(p * wt for p, (_, wt) in zip(powers, frames)) / total_weight
        levels = [10 * np.log10(p) + CAL for p in powers]
        result["bands"].append({"centerHz": mid, "leqDB": 10 * np.log10(leq) + CAL,
                                "minDB": min(levels), "maxDB": max(levels)})
    return result


def main():
    fs = 48000
    tone = lambda count, f=1000.0: (0.5 * np.sin(2 * np.pi * f * np.arange(count) / fs))
    rng = np.random.default_rng(13)
    files = {
        "tone-1-sample-48k.wav": (tone(1) + 0.5 * (np.arange(1) == 0), fs),   # one sample of 0.5
        "tone-100-samples-48k.wav": (tone(100), fs),
        "tone-1000-samples-48k.wav": (tone(1000), fs),
        "tone-4095-samples-48k.wav": (tone(4095), fs),
        "zeros-then-tone-48k.wav": (np.concatenate([np.zeros(4096), tone(2047)]), fs),
        "noise-with-tail-16k.wav": (0.1 * rng.standard_normal(16000 + 777), 16000),
    }
    refs = {}
    for name, (x, rate) in files.items():
        x = x.astype(np.float32)
        sf.write(os.path.join(HERE, name), x, rate, subtype="FLOAT")
        y, _ = sf.read(os.path.join(HERE, name), dtype="float64")
        n = 4096 if rate == 48000 else 1024
        refs[name] = reference(y, rate, n)
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump(refs, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
