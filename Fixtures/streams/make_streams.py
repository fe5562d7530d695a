#!/usr/bin/env python3
"""Headers as streaming writers put them in front of audio sent down a pipe, and a truncated file.

A writer that cannot seek back cannot fill in the sizes, so it writes a placeholder:
- ffmpeg-pipe.wav: RIFF and data sizes 0xFFFFFFFF and a LIST/INFO chunk, as `ffmpeg -f wav -`;
- sox-pipe.aiff: FORM and SSND sizes near 0x7F000000 and a COMM frame count to match, as
  `sox … -t aiff -` (big-endian samples);
- truncated.wav: an ordinary header promising 32000 frames in front of 16000 (a cut download).
Each holds 16000 frames of a 1 kHz tone of amplitude 0.5 at 16 kHz, 16-bit. reference.json gives
the frames and the RMS in dB SPL (100 dB SPL full scale) computed here from the samples written.
Run: python3 Fixtures/streams/make_streams.py (numpy).
"""
import json, os, struct
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FS, FRAMES = 16000, 16000
samples = np.round(0.5 * np.sin(2 * np.pi * 1000 * np.arange(FRAMES) / FS) * 32767).astype(np.int16)


def wav(riff_size, data_size, list_chunk):
    fmt = struct.pack('<4sIHHIIHH', b'fmt ', 16, 1, 1, FS, FS * 2, 2, 16)
    extra = b''
    if list_chunk:
        text = b'Lavf60.16.100\0'
        info = b'ISFT' + struct.pack('<I', len(text)) + text
        extra = b'LIST' + struct.pack('<I', 4 + len(info)) + b'INFO' + info
    return (b'RIFF' + struct.pack('<I', riff_size) + b'WAVE' + fmt + extra
            + b'data' + struct.pack('<I', data_size) + samples.astype('<i2').tobytes())


def extended80(rate):
    # IEEE 754 80-bit extended, as AIFF's COMM chunk stores the sample rate.
    exponent = int(np.floor(np.log2(rate)))
    mantissa = int(rate * 2 ** (63 - exponent))
    return struct.pack('>HQ', 16383 + exponent, mantissa)


def sox_aiff():
    placeholder_frames = 0x7F000000 // 2
    comm = b'COMM' + struct.pack('>IhIh', 18, 1, placeholder_frames, 16) + extended80(FS)
    ssnd = b'SSND' + struct.pack('>III', 8 + placeholder_frames * 2, 0, 0) + samples.astype('>i2').tobytes()
    form_size = 4 + len(comm) + 8 + 8 + placeholder_frames * 2
    return b'FORM' + struct.pack('>I', form_size) + b'AIFF' + comm + ssnd


files = {
    "ffmpeg-pipe.wav": wav(0xFFFFFFFF, 0xFFFFFFFF, True),
    "sox-pipe.aiff": sox_aiff(),
    "truncated.wav": wav(36 + 26 + 2 * FRAMES * 2, 2 * FRAMES * 2, True),
}
for name, data in files.items():
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
x = samples.astype(np.float64) / 32768
reference = {"frames": FRAMES, "sampleRate": FS, "rmsDBSPL": 10 * np.log10(np.mean(x * x)) + 100}
with open(os.path.join(HERE, "reference.json"), "w") as f:
    json.dump(reference, f, indent=1, sort_keys=True)
    f.write("\n")
