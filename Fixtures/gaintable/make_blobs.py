#!/usr/bin/env python3
"""Gain-table blobs in the binary layout of Sources/SoundProfileServer/GainTableDocument.swift,
for the blob reader's tests and fuzz seeds (standard library only; rerun from the repository
root: `python3 Fixtures/gaintable/make_blobs.py`)."""
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def blob(full_scale, levels, ears):
    """ears: list of (ear id, centres, gains[band][level])."""
    out = b"SPGT" + bytes([1, len(ears)]) + struct.pack("<HHH", len(ears[0][1]), len(levels), 0)
    out += struct.pack("<f", full_scale) + struct.pack(f"<{len(levels)}f", *levels)
    for ear, centres, gains in ears:
        out += bytes([ear, 0, 0, 0]) + struct.pack(f"<{len(centres)}f", *centres)
        for row in gains:
            out += struct.pack(f"<{len(row)}f", *row)
    return out + struct.pack("<I", zlib.crc32(out) & 0xFFFFFFFF)


def main():
    levels = [float(l) for l in range(30, 101)]
    centres = [125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0]
    gains = [[max(0.0, 20 - 0.2 * (l - 30) + 2 * b) for l in levels] for b in range(len(centres))]
    (HERE / "both-ears-octave.bin").write_bytes(blob(100.0, levels, [(0, centres, gains), (1, centres, gains)]))
    (HERE / "right-ear-small.bin").write_bytes(blob(94.0, [40.0, 65.0, 90.0], [(0, [1000.0, 2000.0], [[10.0, 5.0, 0.0], [12.0, 6.0, 1.0]])]))
    (HERE / "README.md").write_text(
        "# Gain-table blobs\n\nMade by `make_blobs.py` (standard library only) in the binary layout documented in\n"
        "`Sources/SoundProfileServer/GainTableDocument.swift`; seeds for `Fuzz/` and inputs of the blob reader's tests.\n\n"
        "- `both-ears-octave.bin`: 2 ears × 7 octave bands × 71 levels (30…100 dB SPL), full scale 100 dB SPL\n"
        "- `right-ear-small.bin`: right ear only, 2 bands × 3 levels, full scale 94 dB SPL\n")


if __name__ == "__main__":
    main()
