#!/usr/bin/env python3
"""Crash reproductions of issue 11 as files (standard library only; rerun from the repository root:
`python3 Fixtures/crash/make_crash.py`). Every file here once crashed a landed build; a test in
Tests/ reads each one and expects a clear error (or a result), never a trap.
"""
import json
import math
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent


def wav(path: Path, rate: int, channels: int, samples: list, fmt: str) -> None:
    """A canonical RIFF/WAVE file; fmt 'f' = IEEE float 32, 'h' = PCM 16."""
    tag, bits = (3, 32) if fmt == "f" else (1, 16)
    data = struct.pack(f"<{len(samples)}{fmt}", *samples)
    block = channels * bits // 8
    fmt_chunk = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt_chunk)) + fmt_chunk
    if tag == 3:  # float WAVs carry a fact chunk (frames)
        body += b"fact" + struct.pack("<II", 4, len(samples) // channels)
    body += b"data" + struct.pack("<I", len(data)) + data
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)


def tone(n: int, rate: int = 48000, hz: float = 1000, amp: float = 0.1) -> list:
    return [amp * math.sin(2 * math.pi * hz * i / rate) for i in range(n)]


def main() -> None:
    files = {}
    # One NaN sample at frame 1000 of a 1 s float tone (issue 11: SIGILL in LevelStatistics).
    s = tone(48000)
    s[1000] = math.nan
    wav(HERE / "nan-48k-float.wav", 48000, 1, s, "f")
    files["nan-48k-float.wav"] = "1 s 1 kHz tone (0.1), float WAV, sample at frame 1000 is NaN"
    # +Inf at frame 2000, -Inf at frame 3000.
    s = tone(48000)
    s[2000], s[3000] = math.inf, -math.inf
    wav(HERE / "inf-48k-float.wav", 48000, 1, s, "f")
    files["inf-48k-float.wav"] = "1 s 1 kHz tone (0.1), float WAV, +Inf at frame 2000 and -Inf at frame 3000"
    # Finite samples near ±3e38 (their power overflows Float).
    s = tone(48000)
    for i in range(5000, 5100):
        s[i] = 3e38 if i % 2 == 0 else -3e38
    wav(HERE / "huge-48k-float.wav", 48000, 1, s, "f")
    files["huge-48k-float.wav"] = "1 s 1 kHz tone (0.1), float WAV, frames 5000–5099 alternate +3e38 / -3e38 (finite)"
    # Stereo: NaN only in channel 1 at frame 4321.
    s = []
    for i, x in enumerate(tone(24000)):
        s += [x, math.nan if i == 4321 else x]
    wav(HERE / "nan-stereo-48k-float.wav", 48000, 2, s, "f")
    files["nan-stereo-48k-float.wav"] = "0.5 s stereo float WAV, channel 1 frame 4321 is NaN"
    # 16 KB claiming 1024 channels: 8 frames of 16-bit PCM (issue 11: 617 MB for analyze).
    wav(HERE / "channels-1024.wav", 48000, 1024, [0] * (8 * 1024), "h")
    files["channels-1024.wav"] = "16-bit PCM WAV header claiming 1024 channels, 8 frames (16 KB of data)"
    # 65 channels: one over the default channel limit; 64 channels: exactly at it.
    wav(HERE / "channels-65.wav", 48000, 65, [0] * (480 * 65), "h")
    files["channels-65.wav"] = "16-bit PCM WAV, 65 channels of silence, 480 frames (one over the default limit of 64)"
    # An audiogram whose threshold is above Int.max (fit formatted its own error with Int(x)).
    (HERE / "audiogram-huge-threshold.json").write_text(json.dumps(
        {"schemaVersion": 1, "right": {"250": 10, "500": 10, "1000": 1e19, "2000": 15, "4000": 30}}, indent=1) + "\n")
    files["audiogram-huge-threshold.json"] = "right ear, 1000 Hz threshold 1e19 dB HL"
    (HERE / "audiogram-huge-frequency.json").write_text(
        '{"schemaVersion": 1, "right": {"250": 10, "500": 10, "1000": 10, "2000": 15, "1e300": 30}}\n')
    files["audiogram-huge-frequency.json"] = "right ear with a frequency key of 1e300 Hz"
    lines = ["# Crash reproductions (issue 11)", "",
             "Made by `make_crash.py` (standard library only; rerun from the repository root). Each file once",
             "crashed a landed build; tests read each and expect a clear error naming the problem, never a trap.", ""]
    lines += [f"- `{name}`: {what}" for name, what in files.items()]
    (HERE / "README.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
