#!/usr/bin/env python3
"""Independent reference implementation of SoundProfile's fitting rules (numpy only).

Rerun from the repository root:

    python3 Fixtures/fitting/make_goldens.py

It (re)writes
  Fixtures/audiograms/<NAME>.json                      Bisgaard et al. (2010) standard audiograms
  Fixtures/fitting/golden/<NAME>-<rule>.json           fitted profile (DESIGN.md "Formats")
  Fixtures/fitting/golden/<NAME>-<rule>.gaintable.json static WDRC curve per band, 30..100 dB SPL
  Fixtures/fitting/golden/ltass-bands.json             LTASS split into a few other band layouts
  Fixtures/fitting/golden/wdrc-curve-cases.json        hand-picked points on every curve branch
for NAME in N1..N7, S1..S3 and rule in nal-r, nal-rp, half-gain, pogo; third-octave bands
125 Hz..8 kHz, compression ratio 2.0, fullScaleDBSPL 100. It then prints a summary table and
asserts a few values that were computed by hand (see hand_checks()).

This file is written from the project's conventions (/work/shared/DESIGN.md and the fitting
brief) and from published numbers only; it shares no code with the Swift implementation or
with any other project. Numbers are kept at full double precision in the JSON output.
"""

import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.dirname(HERE)
AUDIOGRAM_DIR = os.path.join(FIXTURES, "audiograms")
GOLDEN_DIR = os.path.join(HERE, "golden")

# ---------------------------------------------------------------------------------------------
# Published facts
# ---------------------------------------------------------------------------------------------

# Bisgaard, Vlaming & Dahlquist (2010), "Standard audiograms for the IEC 60118-15 measurement
# procedure", Trends in Amplification 14(2):113-120, Tables 2 (N1-N7) and 4 (S1-S3).
# dB HL at these ten frequencies; the paper gives no 125 Hz or 8000 Hz value.
BISGAARD_FREQS = [250, 375, 500, 750, 1000, 1500, 2000, 3000, 4000, 6000]
BISGAARD = {
    "N1": [10, 10, 10, 10, 10, 10, 15, 20, 30, 40],
    "N2": [20, 20, 20, 22.5, 25, 30, 35, 40, 45, 50],
    "N3": [35, 35, 35, 35, 40, 45, 50, 55, 60, 65],
    "N4": [55, 55, 55, 55, 55, 60, 65, 70, 75, 80],
    "N5": [65, 67.5, 70, 72.5, 75, 80, 80, 80, 80, 80],
    "N6": [75, 77.5, 80, 82.5, 85, 90, 90, 95, 100, 100],
    "N7": [90, 92.5, 95, 100, 105, 105, 105, 105, 105, 105],
    "S1": [10, 10, 10, 10, 10, 10, 15, 30, 55, 70],
    "S2": [20, 20, 20, 22.5, 25, 35, 55, 75, 95, 95],
    "S3": [30, 30, 35, 47.5, 60, 70, 75, 80, 80, 85],
}

# International LTASS (Byrne et al. 1994, JASA 96(4):2108-2120), third-octave band levels in
# dB SPL for speech at 70 dB SPL overall, nominal 63 Hz .. 16 kHz (25 bands), combined
# male+female ("universal") values: male values up to 160 Hz, mean of male and female from
# 200 Hz up. Their power sum is 70.03 dB.
LTASS_70 = [38.6, 43.5, 54.4, 57.7, 56.8, 60.2, 60.3, 59.0, 62.1, 62.1, 60.5, 56.8, 53.7,
            53.0, 52.0, 48.7, 48.1, 46.8, 45.6, 44.5, 44.3, 43.7, 43.4, 41.3, 40.7]
LTASS_X = list(range(-12, 13))  # IEC band numbers: 1000*10^(x/10) = 63.1 Hz .. 15.85 kHz

# The nine NAL-R frequencies and the NAL-R constants k(f) (Byrne & Dillon 1986).
NAL_FREQS = [250, 500, 750, 1000, 1500, 2000, 3000, 4000, 6000]
NAL_R_K = [-17, -8, -3, 1, 1, -1, -2, -2, -2]
POGO_K = [-10, -5, 0, 0, 0, 0, 0, 0, 0]

# NAL-RP extra gain for HTL(2000 Hz) >= 95 dB HL (Byrne, Parkinson & Newall 1990/1991), as
# published at 250, 500, 1000, 1500, 2000, 3000, 4000, 6000 Hz (no 750 Hz column in the source
# we could verify). Rows: HTL2000 = 95, 100, 105, 110, 115, 120 dB HL.
NAL_RP_HTL2000 = [95, 100, 105, 110, 115, 120]
NAL_RP_TABLE_FREQS = [250, 500, 1000, 1500, 2000, 3000, 4000, 6000]
NAL_RP_TABLE = [
    [4, 3, 0, -1, -2, -2, -2, -2],
    [6, 4, 0, -2, -3, -3, -3, -3],
    [8, 5, 0, -3, -5, -5, -5, -5],
    [11, 7, 0, -3, -6, -6, -6, -6],
    [13, 8, 0, -4, -8, -8, -8, -8],
    [15, 9, 0, -5, -9, -9, -9, -9],
]
# DECISION (flagged in the report): the 750 Hz correction is the 500 and 1000 Hz corrections
# interpolated linearly in log10(frequency), i.e. c750 = c500 + log2(1.5)*(c1000 - c500).
# Only N7 (HTL2000 = 105) is affected among the standard audiograms.

# ---------------------------------------------------------------------------------------------
# Project conventions (parameters)
# ---------------------------------------------------------------------------------------------

RULES = ["nal-r", "nal-rp", "half-gain", "pogo"]
FULL_SCALE_DB_SPL = 100
COMPRESSION_RATIO = 2.0
EXPANSION_RATIO = 0.5
EXPANSION_BELOW_KNEE_DB = 15.0
KNEE_SPEECH_DB_SPL = 40.0
GAIN_SPEECH_DB_SPL = 65.0
ATTACK_MS = 5
RELEASE_MS = 50
MPO_CAP_DB_SPL = 120.0
GAIN_TABLE_LEVELS = list(range(30, 101))


def third_octave_mid(x):
    """Exact IEC 61260-1 base-10 third-octave mid frequency for band number x."""
    return 1000.0 * 10.0 ** (x / 10.0)


def third_octave_band(x):
    fm = third_octave_mid(x)
    return fm, fm * 10.0 ** (-1.0 / 20.0), fm * 10.0 ** (1.0 / 20.0)


FITTING_BANDS = [third_octave_band(x) for x in range(-9, 10)]  # 125 Hz .. 8 kHz nominal

# ---------------------------------------------------------------------------------------------
# Audiogram and prescriptions
# ---------------------------------------------------------------------------------------------


def log_interp(freqs, values, f):
    """Linear in log10(frequency) between the points, flat beyond the first and last point."""
    fr = np.log10(np.asarray(freqs, dtype=float))
    order = np.argsort(fr)
    return np.interp(np.log10(np.asarray(f, dtype=float)), fr[order],
                     np.asarray(values, dtype=float)[order])


def htl_at(audiogram, f):
    """audiogram: dict {frequency Hz (number): dB HL}."""
    freqs = sorted(audiogram)
    return log_interp(freqs, [audiogram[k] for k in freqs], f)


def nal_rp_correction(htl2000):
    """Extra gain at the nine NAL frequencies for HTL(2000) >= 95 dB HL, else zeros."""
    if htl2000 < 95.0:
        return np.zeros(len(NAL_FREQS))
    table = np.asarray(NAL_RP_TABLE, dtype=float)
    h = min(float(htl2000), 120.0)
    row = np.array([np.interp(h, NAL_RP_HTL2000, table[:, j]) for j in range(table.shape[1])])
    by_freq = dict(zip(NAL_RP_TABLE_FREQS, row))
    t = math.log10(750.0 / 500.0) / math.log10(1000.0 / 500.0)
    by_freq[750] = by_freq[500] + t * (by_freq[1000] - by_freq[500])
    return np.array([by_freq[f] for f in NAL_FREQS])


def prescribe(audiogram, rule):
    """Target insertion gains (dB) at the nine NAL frequencies, negative values set to 0."""
    h = htl_at(audiogram, NAL_FREQS)
    h500, h1000, h2000 = (float(htl_at(audiogram, f)) for f in (500, 1000, 2000))
    if rule == "half-gain":
        g = 0.5 * h
    elif rule == "pogo":
        g = 0.5 * h + np.asarray(POGO_K, dtype=float)
    elif rule in ("nal-r", "nal-rp"):
        g = 0.31 * h + 0.05 * (h500 + h1000 + h2000) + np.asarray(NAL_R_K, dtype=float)
        if rule == "nal-rp":
            h3fa = (h500 + h1000 + h2000) / 3.0
            if h3fa > 60.0:
                g = g + 0.2 * (h3fa - 60.0)
            g = g + nal_rp_correction(h2000)
    else:
        raise ValueError(rule)
    return np.maximum(g, 0.0)


def target_at(targets, f):
    return log_interp(NAL_FREQS, targets, f)

# ---------------------------------------------------------------------------------------------
# LTASS split into arbitrary bands
# ---------------------------------------------------------------------------------------------


def _ltass_pieces():
    """(lo, hi, intensity density per Hz at 70 dB overall) for the table and the two tails."""
    pieces = []
    for x, lev in zip(LTASS_X, LTASS_70):
        _, lo, hi = third_octave_band(x)
        pieces.append((lo, hi, 10.0 ** (lev / 10.0) / (hi - lo)))
    first, last = pieces[0], pieces[-1]
    return [(0.0, first[0], first[2])] + pieces + [(last[1], math.inf, last[2])]


LTASS_PIECES = _ltass_pieces()


def ltass_band_level(lo, hi, speech_db_spl):
    """Level (dB SPL) in [lo, hi) of the international LTASS at speech_db_spl overall."""
    power = 0.0
    for plo, phi, density in LTASS_PIECES:
        overlap = min(hi, phi) - max(lo, plo)
        if overlap > 0.0:
            power += density * overlap
    return 10.0 * math.log10(power) + (speech_db_spl - 70.0)

# ---------------------------------------------------------------------------------------------
# Bands and the static WDRC curve
# ---------------------------------------------------------------------------------------------


def fit_ear(audiogram, rule):
    targets = prescribe(audiogram, rule)
    bands = []
    for fm, lo, hi in FITTING_BANDS:
        knee = ltass_band_level(lo, hi, KNEE_SPEECH_DB_SPL)
        bands.append({
            "centerHz": fm,
            "lowerHz": lo,
            "upperHz": hi,
            "gain65DB": float(target_at(targets, fm)),
            "kneepointDBSPL": knee,
            "compressionRatio": COMPRESSION_RATIO,
            "expansionThresholdDBSPL": knee - EXPANSION_BELOW_KNEE_DB,
            "expansionRatio": EXPANSION_RATIO,
            "mpoDBSPL": min(MPO_CAP_DB_SPL, 100.0 + 0.2 * float(htl_at(audiogram, fm))),
            "attackMilliseconds": ATTACK_MS,
            "releaseMilliseconds": RELEASE_MS,
        })
    return {
        "targets": [{"frequencyHz": f, "insertionGainDB": float(g)}
                    for f, g in zip(NAL_FREQS, targets)],
        "bands": bands,
    }


def static_gain(level, gain65, level65, knee, expansion, cr, er, mpo):
    """Gain (dB) of the static curve at input band level `level` (dB SPL)."""
    def compressive(lv):
        return gain65 + (1.0 / cr - 1.0) * (lv - level65)
    if level >= knee:
        g = compressive(level)
    elif level >= expansion:
        g = compressive(knee)
    else:
        g = compressive(knee) + (1.0 / er - 1.0) * (level - expansion)
    return min(g, mpo - level)


def gain_table(ear):
    rows = []
    for b in ear["bands"]:
        level65 = ltass_band_level(b["lowerHz"], b["upperHz"], GAIN_SPEECH_DB_SPL)
        rows.append([static_gain(float(lv), b["gain65DB"], level65, b["kneepointDBSPL"],
                                 b["expansionThresholdDBSPL"], b["compressionRatio"],
                                 b["expansionRatio"], b["mpoDBSPL"])
                     for lv in GAIN_TABLE_LEVELS])
    return rows

# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def number(v):
    """Integral values as JSON integers, everything else as a full-precision double."""
    return int(v) if float(v).is_integer() else float(v)


def write_json(path, doc):
    with open(path, "w") as fh:
        json.dump(doc, fh, indent=1, allow_nan=False)
        fh.write("\n")


def write_gain_table(path, doc):
    """Like write_json, but one band (a row of gains over all levels) per line."""
    lines = ["{"]
    lines.append(f' "schemaVersion": {json.dumps(doc["schemaVersion"])},')
    lines.append(f' "centerHz": {json.dumps(doc["centerHz"])},')
    lines.append(f' "levelsDBSPL": {json.dumps(doc["levelsDBSPL"])},')
    lines.append(' "ears": {')
    sides = list(doc["ears"])
    for i, side in enumerate(sides):
        rows = doc["ears"][side]
        lines.append(f'  "{side}": [')
        for j, row in enumerate(rows):
            lines.append("   " + json.dumps(row, allow_nan=False) + ("," if j < len(rows) - 1 else ""))
        lines.append("  ]" + ("," if i < len(sides) - 1 else ""))
    lines.append(" }")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == doc
    with open(path, "w") as fh:
        fh.write(text)


def audiogram_doc(name):
    ear = {str(f): number(v) for f, v in zip(BISGAARD_FREQS, BISGAARD[name])}
    return {"schemaVersion": 1, "right": ear, "left": dict(ear)}


def read_audiogram(path):
    with open(path) as fh:
        doc = json.load(fh)
    return {side: {float(k): float(v) for k, v in doc[side].items()}
            for side in ("right", "left") if side in doc}


def extra_goldens():
    # LTASS in other layouts: octave bands 31.5 Hz .. 16 kHz, the whole axis, bands that reach
    # past the table, and a few irregular custom edges.
    layouts = {
        "octave-31.5-16k": [(1000.0 * 10 ** (3 * x / 10) * 10 ** (-3 / 20),
                             1000.0 * 10 ** (3 * x / 10) * 10 ** (3 / 20)) for x in range(-5, 5)],
        "whole-0-24000": [(0.0, 24000.0)],
        "outside-table": [(0.0, 20.0), (20.0, 56.0), (17000.0, 20000.0), (18000.0, 24000.0)],
        "custom-edges": [(100.0, 300.0), (300.0, 1000.0), (1000.0, 1100.0), (1100.0, 4000.0),
                         (4000.0, 12000.0)],
    }
    ltass = {"schemaVersion": 1, "speechDBSPL": [40, 65, 70], "layouts": {}}
    for name, edges in layouts.items():
        ltass["layouts"][name] = [
            {"lowerHz": lo, "upperHz": hi,
             "levelsDBSPL": [ltass_band_level(lo, hi, s) for s in (40.0, 65.0, 70.0)]}
            for lo, hi in edges]
    write_json(os.path.join(GOLDEN_DIR, "ltass-bands.json"), ltass)

    # Points on every branch of the static curve, including expansion and the limiter.
    p = {"gain65DB": 30.0, "level65DBSPL": 55.0, "kneepointDBSPL": 30.0,
         "expansionThresholdDBSPL": 15.0, "compressionRatio": 2.0, "expansionRatio": 0.5,
         "mpoDBSPL": 100.0}
    cases = []
    for lv in [0.0, 10.0, 14.9, 15.0, 20.0, 29.9, 30.0, 45.0, 55.0, 65.0, 80.0, 90.0, 110.0]:
        cases.append({"levelDBSPL": lv, "gainDB": static_gain(
            lv, p["gain65DB"], p["level65DBSPL"], p["kneepointDBSPL"],
            p["expansionThresholdDBSPL"], p["compressionRatio"], p["expansionRatio"],
            p["mpoDBSPL"])})
    write_json(os.path.join(GOLDEN_DIR, "wdrc-curve-cases.json"),
               {"schemaVersion": 1, "parameters": p, "cases": cases})


def hand_checks():
    """Values worked out by hand (arithmetic in the comments), asserted against the code."""
    def close(a, b, tol=1e-9):
        assert abs(a - b) <= tol, (a, b)

    n3 = {float(f): float(v) for f, v in zip(BISGAARD_FREQS, BISGAARD["N3"])}
    # N3 NAL-R at 1000 Hz: 0.31*40 + 0.05*(35+40+50) + 1 = 12.4 + 6.25 + 1 = 19.65
    close(prescribe(n3, "nal-r")[3], 19.65)
    # N3 NAL-R at 250 Hz: 0.31*35 + 6.25 - 17 = 10.85 - 10.75 = 0.1
    close(prescribe(n3, "nal-r")[0], 0.1)
    # N3 POGO at 250 Hz: 17.5 - 10 = 7.5
    close(prescribe(n3, "pogo")[0], 7.5)
    # N1 NAL-R at 250 Hz: 3.1 + 0.05*35 - 17 < 0  -> 0
    n1 = {float(f): float(v) for f, v in zip(BISGAARD_FREQS, BISGAARD["N1"])}
    close(prescribe(n1, "nal-r")[0], 0.0)
    n7 = {float(f): float(v) for f, v in zip(BISGAARD_FREQS, BISGAARD["N7"])}
    # N7 NAL-RP at 250 Hz: NAL-R 0.31*90 + 0.05*305 - 17 = 26.15; H3FA = 305/3;
    # + 0.2*(305/3 - 60) = 8.3333...; + table(105 dB, 250 Hz) = 8  -> 42.48333...
    close(prescribe(n7, "nal-rp")[0], 26.15 + 0.2 * (305.0 / 3.0 - 60.0) + 8.0)
    close(prescribe(n7, "nal-rp")[0], 42.483333333333, 1e-9)
    # N7 NAL-RP at 2000 Hz: 0.31*105 + 15.25 - 1 + 8.3333 - 5 = 32.55 + 15.25 - 1 + 8.3333 - 5
    close(prescribe(n7, "nal-rp")[5], 50.133333333333, 1e-9)
    # LTASS: the 1 kHz fitting band is exactly the 1 kHz table band: 53.7 - 5 = 48.7 at 65 dB
    _, lo, hi = third_octave_band(0)
    close(ltass_band_level(lo, hi, 65.0), 48.7, 1e-9)
    # Whole axis at 70 dB: 10*log10(sum of table intensities) + tails; the table alone is 70.03
    table_only = 10 * math.log10(sum(10 ** (l / 10) for l in LTASS_70))
    close(table_only, 70.0306122845910, 1e-9)
    # N3 NAL-R gain table, 1 kHz band: gain65 19.65, L65 48.7, knee 23.7, MPO 100+0.2*40 = 108.
    # At 30 dB: 19.65 - 0.5*(30 - 48.7) = 29.0 ; at 100 dB: 19.65 - 0.5*51.3 = -6.0
    ear = fit_ear(n3, "nal-r")
    band = [b for b in ear["bands"] if b["centerHz"] == 1000.0][0]
    close(band["gain65DB"], 19.65)
    close(band["kneepointDBSPL"], 23.7, 1e-9)
    close(band["mpoDBSPL"], 108.0)
    row = gain_table(ear)[FITTING_BANDS.index(third_octave_band(0))]
    close(row[0], 29.0, 1e-9)
    close(row[-1], -6.0, 1e-9)
    # N7 NAL-RP 2 kHz band (centre 1995.26 Hz, HTL 105): MPO = min(120, 100 + 21) = 120.
    # Targets: 1500 Hz 32.55 + 15.25 + 1 + 8.3333 - 3 = 54.1333; 2000 Hz 50.1333 (above).
    # gain65 = 54.1333 - 4 * log10(1995.26/1500)/log10(2000/1500) = 50.16631 (fraction 0.99176).
    # At 90 dB: 50.16631 - 0.5*(90 - 43.7) = 27.01631 < 120 - 90, the compressive gain stays;
    # at 100 dB: 22.01631 > 120 - 100, so the limiter gives 20.
    ear7 = fit_ear(n7, "nal-rp")
    i2k = FITTING_BANDS.index(third_octave_band(3))
    close(ear7["bands"][i2k]["mpoDBSPL"], 120.0)
    close(ear7["bands"][i2k]["gain65DB"], 50.16631, 1e-5)
    close(gain_table(ear7)[i2k][90 - 30], 27.01631, 1e-5)
    close(gain_table(ear7)[i2k][-1], 20.0, 1e-9)


def main():
    os.makedirs(AUDIOGRAM_DIR, exist_ok=True)
    os.makedirs(GOLDEN_DIR, exist_ok=True)
    hand_checks()
    for name in BISGAARD:
        write_json(os.path.join(AUDIOGRAM_DIR, name + ".json"), audiogram_doc(name))

    print("Target insertion gain (dB) at", ", ".join(str(f) for f in NAL_FREQS), "Hz")
    for name in BISGAARD:
        # Read the audiogram back from the file just written, as the Swift side would.
        ears = read_audiogram(os.path.join(AUDIOGRAM_DIR, name + ".json"))
        for rule in RULES:
            fitted = {side: fit_ear(ears[side], rule) for side in ("right", "left")}
            write_json(os.path.join(GOLDEN_DIR, f"{name}-{rule}.json"), {
                "schemaVersion": 1, "rule": rule, "fullScaleDBSPL": FULL_SCALE_DB_SPL,
                "ears": fitted})
            write_gain_table(os.path.join(GOLDEN_DIR, f"{name}-{rule}.gaintable.json"), {
                "schemaVersion": 1,
                "centerHz": [b[0] for b in FITTING_BANDS],
                "levelsDBSPL": GAIN_TABLE_LEVELS,
                "ears": {side: gain_table(fitted[side]) for side in ("right", "left")}})
            t = [e["insertionGainDB"] for e in fitted["right"]["targets"]]
            print(f"{name} {rule:9s} " + " ".join(f"{g:6.2f}" for g in t))
    extra_goldens()

    print("\nLTASS band levels (dB SPL, 65 dB speech) and kneepoints in the fitting bands")
    for fm, lo, hi in FITTING_BANDS:
        print(f"  {fm:9.2f} Hz  L65 {ltass_band_level(lo, hi, 65.0):6.2f}  "
              f"knee {ltass_band_level(lo, hi, 40.0):6.2f}")
    print(f"\nILTASS table power sum at 70 dB: "
          f"{10 * math.log10(sum(10 ** (l / 10) for l in LTASS_70)):.3f} dB; "
          f"whole axis 0-24 kHz incl. tails: {ltass_band_level(0.0, 24000.0, 70.0):.3f} dB")
    print("hand checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
