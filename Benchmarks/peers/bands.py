"""Bands and bin weights shared by the numpy peers (analyze_numpy.py, streaming_numpy.py).

The rules of DESIGN.md: IEC 61260-1 base-10 third-octave bands; bands above fs/2 dropped; bands
narrower than the bin spacing merged upward (a narrow top joins the band below); bin k stands for
[(k-1/2)df, (k+1/2)df) clipped to [0, fs/2] and gives each band the fraction of that interval inside
it; the one-sided factor c_k is 1 at DC and Nyquist, 2 elsewhere. numpy only.
"""
import math

import numpy as np


def third_octave_bands(low=25.0, high=20000.0):
    idx = lambda f: int(round(10 * math.log10(f / 1000)))
    bands = []
    for x in range(idx(low), idx(high) + 1):
        mid = 1000 * 10 ** (x / 10)
        bands.append([mid * 10 ** (-1 / 20), mid * 10 ** (1 / 20), mid])
    for i in range(1, len(bands)):          # make shared edges identical
        bands[i][0] = bands[i - 1][1]
    return bands


def resolve_bands(bands, fs, n):
    nyq = fs / 2
    kept = [b for b in bands if b[1] <= nyq * (1 + 1e-12)]
    if not kept:
        raise SystemExit("no bands below Nyquist")
    min_w = fs / n * (1 - 1e-9)
    groups, start = [], 0
    for i, b in enumerate(kept):
        if b[1] - kept[start][0] >= min_w:
            groups.append((start, i + 1))
            start = i + 1
    if start < len(kept):                   # narrow remainder at the top joins the band below
        if not groups:
            raise SystemExit("all bands narrower than the bin spacing")
        groups[-1] = (groups[-1][0], len(kept))
    out = []
    for g0, g1 in groups:
        if g1 - g0 == 1:
            out.append(tuple(kept[g0]))
        else:
            lo, hi = kept[g0][0], kept[g1 - 1][1]
            out.append((lo, hi, math.sqrt(lo * hi)))
    return out


def band_matrix(bands, fs, n):
    """(bands x bins) weights a_{k,b} * c_k / (N * sum w^2)."""
    nbins = n // 2 + 1
    df = fs / n
    k = np.arange(nbins)
    lo = np.clip((k - 0.5) * df, 0, fs / 2)
    hi = np.clip((k + 0.5) * df, 0, fs / 2)
    width = hi - lo
    a = np.empty((len(bands), nbins))
    for b, (bl, bu, _) in enumerate(bands):
        a[b] = np.clip(np.minimum(hi, bu) - np.maximum(lo, bl), 0, None) / width
    c = np.full(nbins, 2.0)
    c[0] = c[-1] = 1.0
    return a, c
