#!/usr/bin/env python3
"""Generate SoundProfile's audio fixtures (Fixtures/audio/).

Rerun from the repository root:

    python3 Fixtures/audio/make_audio.py

It writes next to itself (the working directory does not matter) and rewrites
README.md and formats/manifest.json from what it actually produced and measured.

Needs:
  - python3 >= 3.9 with numpy, scipy and soundfile (`pip install soundfile`; the
    wheel bundles its own libsndfile, which is what writes and reads the files here)
  - espeak-ng on PATH (Debian: apt-get install espeak-ng). The speech files were made
    with espeak-ng 1.51; another espeak-ng version gives different speech samples.
  - optional, only for the notes in README.md: the system libsndfile
    (Debian: libsndfile1), probed with ctypes to record its behaviour on the bad files.

Deterministic: fixed seeds (numpy PCG64), fixed espeak-ng voices/texts, and the float
WAVs are written without libsndfile's PEAK chunk (it holds a time stamp). OGG/Vorbis
streams get a random serial number from libsndfile; the script rewrites it to a fixed
value (and fixes the page CRCs), so a rerun with the same tool versions gives the same
bytes. Every file is read back and checked; the script exits non-zero on any mismatch.

Conventions: samples are float in [-1, 1]; an N-bit PCM file holds
round(x * 2^(N-1)) clipped to [-2^(N-1), 2^(N-1) - 1] (the quantisation is done here,
not left to libsndfile), so reading with libsndfile's default float normalisation
(divide by 2^(N-1)) gives back the quantised value exactly.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

HERE = Path(__file__).resolve().parent
FORMATS = HERE / "formats"
BAD = HERE / "bad"

# Calibration used only for the README notes (DESIGN.md default fullScaleDBSPL).
FULL_SCALE_DB_SPL = 100.0

SPEECH_TEXT = "Turn the volume down. The birch canoe slid on the smooth planks."
SPEECH_VOICE = ("en-us", 175, 50)  # voice, words per minute, pitch (0-99)
# Whole-file RMS of the speech in every speech file: 65 dB SPL at fullScaleDBSPL 100.
SPEECH_RMS = 10 ** ((65.0 - FULL_SCALE_DB_SPL) / 20)
LEAD_S, TAIL_S = 0.25, 0.15  # silence around the trimmed utterance

# Babble talkers: (voice+variant, wpm, pitch, text). None says the target sentence.
BABBLE_TALKERS = [
    ("en-gb+f3", 165, 60, "Glue the sheet to the dark blue background. It is easy to tell the depth of a well."),
    ("en-us+m3", 180, 35, "These days a chicken leg is a rare dish. Rice is often served in round bowls."),
    ("en-gb-scotland+f2", 170, 70, "The juice of lemons makes fine punch. The box was thrown beside the parked truck."),
    ("en-029+m7", 160, 45, "The hogs were fed chopped corn and garbage. Four hours of steady work faced us."),
    ("en-gb-x-rp+f4", 175, 55, "A large size in stockings is hard to sell. The boy was there when the sun rose."),
]

SNR_WHITE_DB = 10.0
SNR_BABBLE_DB = 0.0

FAIL: list[str] = []
README_LINES: list[str] = []  # filled as files are written


def check(cond: bool, msg: str) -> None:
    if not cond:
        FAIL.append(msg)
        print("FAIL:", msg, file=sys.stderr)


# --------------------------------------------------------------------------- helpers

def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def dbfs(v: float) -> float:
    return 20 * math.log10(v) if v > 0 else float("-inf")


def quantise(x: np.ndarray, bits: int) -> np.ndarray:
    """Float in [-1, 1] -> int32 holding round(x*2^(bits-1)) in its top `bits` bits."""
    scale = 2.0 ** (bits - 1)
    q = np.clip(np.round(np.asarray(x, dtype=np.float64) * scale), -scale, scale - 1)
    return (q.astype(np.int64) << (32 - bits)).astype(np.int32)


def dequantise(q: np.ndarray, bits: int) -> np.ndarray:
    return (q.astype(np.int64) >> (32 - bits)).astype(np.float64) / 2.0 ** (bits - 1)


PCM_BITS = {"PCM_U8": 8, "PCM_S8": 8, "PCM_16": 16, "PCM_24": 24, "PCM_32": 32}
SFC_SET_ADD_PEAK_CHUNK = 0x1050


def write_audio(path: Path, x: np.ndarray, fs: int, fmt: str, subtype: str,
                compression_level: float | None = None) -> np.ndarray:
    """Write x (float, frames[, channels]) and return the values a reader should get."""
    x = np.asarray(x)
    channels = 1 if x.ndim == 1 else x.shape[1]
    if subtype in PCM_BITS:
        bits = PCM_BITS[subtype]
        data = quantise(x, bits)
        expected = dequantise(data, bits)
    elif subtype == "FLOAT":
        data = x.astype(np.float32)
        expected = data.astype(np.float64)
    elif subtype == "DOUBLE":
        data = x.astype(np.float64)
        expected = data
    else:  # lossy: caller compares against its own bound
        data = x.astype(np.float32)
        expected = data.astype(np.float64)
    path.parent.mkdir(parents=True, exist_ok=True)
    with sf.SoundFile(path, "w", samplerate=fs, channels=channels, format=fmt,
                      subtype=subtype, compression_level=compression_level) as f:
        if subtype in ("FLOAT", "DOUBLE"):
            try:  # PEAK chunk carries time(NULL): drop it for byte-reproducible files
                from soundfile import _ffi, _snd
                _snd.sf_command(f._file, SFC_SET_ADD_PEAK_CHUNK, _ffi.NULL, 0)
            except Exception as e:  # pragma: no cover - private API changed
                print(f"note: could not disable PEAK chunk for {path.name}: {e}")
        f.write(data)
    if fmt == "OGG":
        fix_ogg_serial(path)
    return expected


# --- Ogg: libsndfile picks a random stream serial number; make it fixed.

def _ogg_crc_table() -> list[int]:
    table = []
    for i in range(256):
        r = i << 24
        for _ in range(8):
            r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else (r << 1)
        table.append(r & 0xFFFFFFFF)
    return table


_OGG_CRC = _ogg_crc_table()


def _ogg_crc(data: bytes) -> int:
    crc = 0
    for b in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _OGG_CRC[((crc >> 24) & 0xFF) ^ b]
    return crc


def fix_ogg_serial(path: Path, serial: int = 0x53500001) -> None:
    buf = bytearray(path.read_bytes())
    pos = 0
    while pos < len(buf):
        if buf[pos:pos + 4] != b"OggS":
            raise ValueError(f"{path}: no Ogg page at offset {pos}")
        nseg = buf[pos + 26]
        body = sum(buf[pos + 27:pos + 27 + nseg])
        end = pos + 27 + nseg + body
        buf[pos + 14:pos + 18] = serial.to_bytes(4, "little")
        buf[pos + 22:pos + 26] = b"\0\0\0\0"
        buf[pos + 22:pos + 26] = _ogg_crc(bytes(buf[pos:end])).to_bytes(4, "little")
        pos = end
    path.write_bytes(bytes(buf))


def verify_written(path: Path, expected: np.ndarray, fs: int, subtype: str, tol: float = 0.0) -> float:
    """Read back with soundfile, compare with expected samples; return max abs error."""
    info = sf.info(str(path))
    y, rfs = sf.read(str(path), dtype="float64", always_2d=False)
    channels = 1 if expected.ndim == 1 else expected.shape[1]
    check(rfs == fs and info.samplerate == fs, f"{path.name}: rate {rfs} != {fs}")
    check(info.channels == channels, f"{path.name}: channels {info.channels} != {channels}")
    check(info.subtype == subtype, f"{path.name}: subtype {info.subtype} != {subtype}")
    check(y.shape == expected.shape, f"{path.name}: shape {y.shape} != {expected.shape}")
    if y.shape != expected.shape:
        return float("inf")
    err = float(np.max(np.abs(y - expected))) if y.size else 0.0
    check(err <= tol, f"{path.name}: max decode error {err:g} > {tol:g}")
    return err


def note(name: str, text: str) -> None:
    README_LINES.append(f"| `{name}` | {text} |")


def describe(path: Path) -> str:
    i = sf.info(str(path))
    ch = "mono" if i.channels == 1 else f"{i.channels} ch"
    rate = f"{i.samplerate / 1000:g} kHz"
    return f"{rate}, {i.format} {i.subtype}, {i.frames / i.samplerate:.3f} s ({i.frames} frames), {ch}"


# --------------------------------------------------------------------------- speech

def espeak_version() -> str:
    out = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True, check=True).stdout
    # "eSpeak NG text-to-speech: 1.51  Data at: ..."
    return out.split(":")[1].split()[0] if ":" in out else out.strip()


def espeak(text: str, voice: str, wpm: int, pitch: int, tmp: Path) -> tuple[np.ndarray, int]:
    wav = tmp / "espeak.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-p", str(pitch), "-w", str(wav), text],
                   check=True, capture_output=True)
    x, fs = sf.read(str(wav), dtype="float64")
    if x.ndim > 1:
        x = x[:, 0]
    return x, fs


def trim(x: np.ndarray, rel: float = 0.005) -> np.ndarray:
    idx = np.flatnonzero(np.abs(x) > rel * np.max(np.abs(x)))
    return x[idx[0]:idx[-1] + 1]


def resample(x: np.ndarray, fs_in: int, fs_out: int) -> np.ndarray:
    g = math.gcd(fs_in, fs_out)
    return resample_poly(x, fs_out // g, fs_in // g)


def pad(x: np.ndarray, fs: int, lead: float, tail: float) -> np.ndarray:
    return np.concatenate([np.zeros(round(lead * fs)), x, np.zeros(round(tail * fs))])


def make_speech_files(tmp: Path) -> None:
    voice, wpm, pitch = SPEECH_VOICE
    raw, fs0 = espeak(SPEECH_TEXT, voice, wpm, pitch, tmp)
    core = trim(raw)
    # 16 kHz and 48 kHz versions of the same utterance, each scaled to SPEECH_RMS.
    s16 = pad(resample(core, fs0, 16000), 16000, LEAD_S, TAIL_S)
    s16 *= SPEECH_RMS / rms(s16)
    s48 = pad(resample(core, fs0, 48000), 48000, LEAD_S, TAIL_S)
    s48 *= SPEECH_RMS / rms(s48)

    p = HERE / "speech-espeak-16k.wav"
    e16 = write_audio(p, s16, 16000, "WAV", "PCM_16")
    verify_written(p, e16, 16000, "PCM_16")
    note(p.name, f"espeak-ng {espeak_version()} voice `{voice}` ({wpm} wpm, pitch {pitch}) saying "
         f"\"{SPEECH_TEXT}\", rendered at {fs0} Hz, trimmed, {LEAD_S} s silence before / {TAIL_S} s after, "
         f"resampled (scipy resample_poly). Whole-file RMS {dbfs(rms(e16)):.2f} dBFS "
         f"(= {dbfs(rms(e16)) + FULL_SCALE_DB_SPL:.1f} dB SPL at fullScaleDBSPL 100), peak {dbfs(np.max(np.abs(e16))):.2f} dBFS. "
         f"{describe(p)}")

    p = HERE / "speech-16k.flac"
    write_audio(p, s16, 16000, "FLAC", "PCM_16")
    verify_written(p, e16, 16000, "PCM_16")  # same samples as the WAV, bit for bit
    note(p.name, f"FLAC of exactly the samples in `speech-espeak-16k.wav` (lossless, decodes bit-identical). {describe(p)}")

    n = len(s48)
    rng = np.random.default_rng(20240601)

    # White noise at SNR_WHITE_DB (RMS over the whole file, speech pauses included).
    noise = rng.standard_normal(n)
    noise *= rms(s48) / rms(noise) / 10 ** (SNR_WHITE_DB / 20)
    mix_file(s48, noise, "speech-in-white-noise-snr10-48k.wav", SNR_WHITE_DB,
             "Gaussian white noise (numpy PCG64 seed 20240601)")

    # Babble: several talkers, each its own voice and text, looped, time-shifted, summed.
    talkers = []
    for k, (v, w, pch, text) in enumerate(BABBLE_TALKERS):
        t_raw, tfs = espeak(text, v, w, pch, tmp)
        t = resample(trim(t_raw), tfs, 48000)
        t = np.concatenate([t, np.zeros(round(0.12 * 48000))])  # short gap before it repeats
        reps = int(np.ceil((n + len(t)) / len(t))) + 1
        looped = np.tile(t, reps)
        offset = round((0.37 + 0.61 * k) * 48000) % len(t)  # different start per talker
        seg = looped[offset:offset + n]
        talkers.append(seg / rms(seg))  # equal RMS per talker
    babble = np.sum(talkers, axis=0)
    babble *= rms(s48) / rms(babble) / 10 ** (SNR_BABBLE_DB / 20)
    names = ", ".join(f"`{v}`" for v, *_ in BABBLE_TALKERS)
    mix_file(s48, babble, "speech-in-babble-snr0-48k.wav", SNR_BABBLE_DB,
             f"{len(BABBLE_TALKERS)}-talker espeak-ng babble (voices {names}; other Harvard sentences; "
             f"each talker looped, started at a different offset, scaled to equal RMS, summed)")


def mix_file(speech: np.ndarray, noise: np.ndarray, name: str, snr_db: float, what: str) -> None:
    snr = 20 * math.log10(rms(speech) / rms(noise))
    check(abs(snr - snr_db) < 1e-9, f"{name}: SNR {snr} != {snr_db}")
    mix = speech + noise
    check(np.max(np.abs(mix)) < 1.0, f"{name}: mixture clips")
    p = HERE / name
    e = write_audio(p, mix, 48000, "WAV", "PCM_16")
    verify_written(p, e, 48000, "PCM_16")
    note(name, f"the utterance of `speech-espeak-16k.wav` (resampled from the espeak rate straight to 48 kHz, "
         f"same {LEAD_S} s / {TAIL_S} s padding) plus {what}. **SNR {snr_db:g} dB** = 20·log10(RMS speech / RMS noise), "
         f"both RMS over the whole file before summing: speech {dbfs(rms(speech)):.2f} dBFS, noise {dbfs(rms(noise)):.2f} dBFS, "
         f"mixture {dbfs(rms(e)):.2f} dBFS RMS (= {dbfs(rms(e)) + FULL_SCALE_DB_SPL:.2f} dB SPL at fullScaleDBSPL 100), "
         f"peak {dbfs(np.max(np.abs(e))):.2f} dBFS. Not normalised after mixing. {describe(p)}")


# --------------------------------------------------------------------------- synthetic

def make_synthetic_files() -> None:
    fs = 48000

    t = np.arange(2 * fs) / fs
    p = HERE / "tone-1k-48k.wav"
    e = write_audio(p, 0.5 * np.sin(2 * np.pi * 1000 * t), fs, "WAV", "FLOAT")
    verify_written(p, e, fs, "FLOAT")
    note(p.name, f"1 kHz sine, amplitude 0.5 (RMS {dbfs(0.5 / math.sqrt(2)):.2f} dBFS), sin phase 0 at sample 0. {describe(p)}")

    fs441 = 44100
    t = np.arange(fs441) / fs441
    p = HERE / "tone-1k-44k1-24bit.wav"
    e = write_audio(p, 0.5 * np.sin(2 * np.pi * 1000 * t), fs441, "WAV", "PCM_24")
    verify_written(p, e, fs441, "PCM_24")
    note(p.name, f"1 kHz sine, amplitude 0.5, sin phase 0 at sample 0, 24-bit PCM. {describe(p)}")

    rng = np.random.default_rng(1001)
    p = HERE / "white-noise-48k-float.wav"
    x = 0.1 * rng.standard_normal(3 * fs)
    e = write_audio(p, x, fs, "WAV", "FLOAT")
    verify_written(p, e, fs, "FLOAT")
    note(p.name, f"Gaussian white noise, sigma 0.1 (numpy PCG64 seed 1001; measured RMS {rms(e):.5f} = "
         f"{dbfs(rms(e)):.2f} dBFS, peak {np.max(np.abs(e)):.3f}). {describe(p)}")

    # Exponential (log) sweep 20 Hz -> 20 kHz, Farina form, 5 ms raised-cosine fades.
    dur, f1, f2 = 2.0, 20.0, 20000.0
    t = np.arange(round(dur * fs)) / fs
    L = dur / math.log(f2 / f1)
    x = 0.5 * np.sin(2 * np.pi * f1 * L * (np.exp(t / L) - 1))
    nf = round(0.005 * fs)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(nf) / nf)
    x[:nf] *= ramp
    x[-nf:] *= ramp[::-1]
    p = HERE / "sweep-48k.wav"
    e = write_audio(p, x, fs, "WAV", "PCM_16")
    verify_written(p, e, fs, "PCM_16")
    note(p.name, "exponential sine sweep 20 Hz → 20 kHz over 2 s, x = 0.5·sin(2π·f1·L·(e^(t/L) − 1)), "
         f"L = T/ln(f2/f1); instantaneous frequency f1·e^(t/L); 5 ms raised-cosine fade in/out. {describe(p)}")

    p = HERE / "silence-48k.wav"
    e = write_audio(p, np.zeros(fs), fs, "WAV", "PCM_16")
    verify_written(p, e, fs, "PCM_16")
    check(not np.any(e), "silence not all zero")
    note(p.name, f"digital silence: every sample 0. {describe(p)}")

    # Hard clipping: 1 kHz sine of amplitude 2 clipped to full scale. Written as integers so the
    # clipped samples are the PCM extremes +32767 / -32768 (read back as 0.999969 / -1.0).
    t = np.arange(fs) / fs
    x = np.clip(2.0 * np.sin(2 * np.pi * 1000 * t), -1.0, 1.0)
    p = HERE / "clipped-48k.wav"
    e = write_audio(p, x, fs, "WAV", "PCM_16")
    verify_written(p, e, fs, "PCM_16")
    frac = float(np.mean(np.abs(x) >= 1.0))
    note(p.name, f"1 kHz sine of amplitude 2.0 hard-clipped at ±1 (6 dB overdrive): {frac * 100:.1f} % of samples "
         f"sit at the PCM extremes, int16 +32767 / −32768, i.e. {32767 / 32768:.6f} / −1.0 as float. {describe(p)}")

    # Stereo: left 500 Hz tone, right pink noise (different content per channel).
    n = 2 * fs
    t = np.arange(n) / fs
    left = 0.3 * np.sin(2 * np.pi * 500 * t)
    rng = np.random.default_rng(2002)
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / fs)
    shape = np.zeros_like(f)
    shape[1:] = 1 / np.sqrt(f[1:])  # -3 dB/octave
    shape[f < 20] = 0  # no sub-audio rumble
    right = np.fft.irfft(spec * shape, n)
    right *= 0.1 / rms(right)
    p = HERE / "stereo-48k.wav"
    e = write_audio(p, np.stack([left, right], axis=1), fs, "WAV", "PCM_16")
    verify_written(p, e, fs, "PCM_16")
    note(p.name, f"channel 0 (left): 500 Hz sine amplitude 0.3; channel 1 (right): pink noise (1/f power, "
         f"20 Hz–24 kHz, FFT-shaped Gaussian, seed 2002) RMS 0.1 ({dbfs(rms(e[:, 1])):.2f} dBFS measured), "
         f"peak {np.max(np.abs(e[:, 1])):.3f}. {describe(p)}")


# --------------------------------------------------------------------------- formats

FORMAT_SET = [
    # file, container, subtype, bound, reason
    ("pcm-u8.wav", "WAV", "PCM_U8", 2.0 ** -7, "1 LSB of 8-bit (file holds round(x·128), unsigned offset 128; exact decode is within ½ LSB)"),
    ("pcm16.wav", "WAV", "PCM_16", 2.0 ** -15, "1 LSB of 16-bit"),
    ("pcm24.wav", "WAV", "PCM_24", 2.0 ** -23, "1 LSB of 24-bit"),
    ("pcm32.wav", "WAV", "PCM_32", 2.0 ** -23, "1 LSB of 32-bit is 2^-31, finer than Float32 near full scale; the file "
     "holds round(x·2^31) (exact for |x| >= 2^-8, else within 2^-32), so the bound is Float32 resolution at 1.0 "
     "(2^-23): a decoder that converts through Float32 passes"),
    ("float32.wav", "WAV", "FLOAT", 1e-7, "IEEE float32, exact; ~1e-7 allows only float32 rounding"),
    ("float64.wav", "WAV", "DOUBLE", 1e-7, "IEEE float64 of the float32 reference, exact; ~1e-7 allows rounding to Float32"),
    ("wavex-pcm24.wav", "WAVEX", "PCM_24", 2.0 ** -23, "1 LSB of 24-bit (WAVE_FORMAT_EXTENSIBLE header, same samples as pcm24.wav)"),
    ("flac16.flac", "FLAC", "PCM_16", 2.0 ** -15, "1 LSB of 16-bit (lossless)"),
    ("aiff16.aiff", "AIFF", "PCM_16", 2.0 ** -15, "1 LSB of 16-bit (big-endian)"),
    ("vorbis.ogg", "OGG", "VORBIS", 0.05, None),  # reason filled in from the measurement
]
VORBIS_COMPRESSION_LEVEL = 0.0  # libsndfile maps this to Vorbis quality 1 - level = 1.0 (best)


def make_format_set() -> None:
    fs, n = 48000, 12000  # 0.25 s
    t = np.arange(n) / fs
    rng = np.random.default_rng(440)
    x = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.3 * np.sin(2 * np.pi * 3000 * t + 0.25) + 0.01 * rng.standard_normal(n)
    x *= 0.8 / np.max(np.abs(x))
    ref = x.astype(np.float32)
    FORMATS.mkdir(parents=True, exist_ok=True)
    ref.astype("<f4").tofile(FORMATS / "reference.f32")
    check(np.array_equal(np.fromfile(FORMATS / "reference.f32", dtype="<f4"), ref), "reference.f32 round trip")

    entries = []
    for name, fmt, subtype, bound, reason in FORMAT_SET:
        p = FORMATS / name
        level = VORBIS_COMPRESSION_LEVEL if subtype == "VORBIS" else None
        write_audio(p, ref, fs, fmt, subtype, compression_level=level)
        # Compare with the float32 reference itself (not with the quantised values).
        err = verify_written(p, ref.astype(np.float64), fs, subtype, tol=bound)
        y = sf.read(str(p), dtype="float64")[0]
        rms_err = rms(y - ref) if y.shape == ref.shape else float("inf")
        if subtype == "VORBIS":
            # The bound must still catch a decoder that is off by one sample (or drops priming samples).
            shift_err = float(np.max(np.abs(np.roll(y, 1)[1:] - ref[1:])))
            check(shift_err > 2 * bound, f"vorbis bound {bound} would not catch a 1-sample shift ({shift_err})")
            reason = (f"lossy: Vorbis quality {1 - VORBIS_COMPRESSION_LEVEL:.1f} (libsndfile compression level "
                      f"{VORBIS_COMPRESSION_LEVEL}). Measured with libsndfile/libvorbis: max error {err:.4f}, RMS "
                      f"{rms_err:.4f}, mostly the σ-0.01 noise the codec does not keep; bound = about "
                      f"{bound / err:.1f}x the measurement, margin for other decoders and library versions, still "
                      f"tight enough that a 1-sample misalignment fails (max error then {shift_err:.3f}). Frame count "
                      f"is exact and there is no offset with libsndfile (encoder delay is removed via granule positions)")
        i = sf.info(str(p))
        entries.append({
            "file": name, "format": fmt, "subtype": subtype, "sampleRate": fs, "channels": 1,
            "frames": i.frames, "maxAbsError": bound, "boundReason": reason,
            "measuredMaxAbsError": err, "measuredRMSError": rms_err,
        })
        README_LINES.append(f"| `formats/{name}` | {describe(p)}; max decode error bound {bound:.3g} "
                            f"(measured {err:.3g}) |")
    manifest = {
        "schemaVersion": 1,
        "reference": {
            "file": "reference.f32", "encoding": "raw little-endian IEEE float32, no header",
            "sampleRate": fs, "channels": 1, "frames": n,
            "signal": "0.5·sin(2π·440t) + 0.3·sin(2π·3000t + 0.25) + Gaussian noise σ 0.01 (numpy PCG64 seed 440), "
                      "scaled to peak 0.8, rounded to float32",
            "peak": float(np.max(np.abs(ref))),
        },
        "errorBoundRule": "maxAbsError is the largest |decoded - reference| a correct decoder may give, decoding to "
                          "float with full scale = 2^(N-1) for N-bit PCM (libsndfile's default normalisation). PCM "
                          "files hold round(x·2^(N-1)), so the true error is at most ½ LSB; the bound is 1 LSB. "
                          "measured* fields are what python-soundfile (libsndfile " + sf.__libsndfile_version__ +
                          ") decoded.",
        "files": entries,
    }
    (FORMATS / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    README_LINES.append("| `formats/reference.f32` | the exact reference samples, raw little-endian float32, "
                        f"{n} frames, 48 kHz mono (0.25 s) |")
    README_LINES.append("| `formats/manifest.json` | every format file with format, subtype, frames, error bound "
                        "and why, measured error |")


# --------------------------------------------------------------------------- bad files

def wav_header_pcm16(frames: int, fs: int = 48000, channels: int = 1) -> bytes:
    data_bytes = frames * channels * 2
    return (b"RIFF" + (36 + data_bytes).to_bytes(4, "little") + b"WAVE"
            + b"fmt " + (16).to_bytes(4, "little") + (1).to_bytes(2, "little") + channels.to_bytes(2, "little")
            + fs.to_bytes(4, "little") + (fs * channels * 2).to_bytes(4, "little")
            + (channels * 2).to_bytes(2, "little") + (16).to_bytes(2, "little")
            + b"data" + data_bytes.to_bytes(4, "little"))


SHORT_CLAIMED, SHORT_PRESENT = 48000, 4800


def make_bad_files() -> list[tuple[str, str]]:
    BAD.mkdir(parents=True, exist_ok=True)
    (BAD / "empty.wav").write_bytes(b"")
    valid = (HERE / "silence-48k.wav").read_bytes()
    (BAD / "truncated-header.wav").write_bytes(valid[:20])
    (BAD / "text.wav").write_bytes(b"This is not a WAV file. It is plain text with a .wav name.\n"
                                   b"SoundProfile must reject it with a clear error.\n")
    t = np.arange(SHORT_PRESENT) / 48000
    body = quantise(0.5 * np.sin(2 * np.pi * 1000 * t), 16) >> 16
    (BAD / "short-data.wav").write_bytes(wav_header_pcm16(SHORT_CLAIMED) + body.astype("<i2").tobytes())
    rng = np.random.default_rng(404)
    junk = rng.integers(0, 256, 4096, dtype=np.uint8).tobytes()
    assert not junk.startswith(b"fLaC")
    (BAD / "not-audio.flac").write_bytes(junk)
    return [
        ("bad/empty.wav", "zero bytes"),
        ("bad/truncated-header.wav", "the first 20 bytes of `silence-48k.wav` (cut right after the `fmt ` chunk's size field, before its body)"),
        ("bad/text.wav", "two lines of ASCII text named .wav"),
        ("bad/short-data.wav", f"16-bit mono 48 kHz WAV header whose RIFF and data sizes claim {SHORT_CLAIMED} frames "
                               f"({SHORT_CLAIMED / 48000:g} s) but only {SHORT_PRESENT} frames (a 1 kHz sine, 0.5) follow"),
        ("bad/not-audio.flac", "4096 random bytes (numpy PCG64 seed 404) named .flac"),
    ]


def probe_soundfile(path: Path) -> str:
    try:
        with sf.SoundFile(str(path)) as f:
            frames = f.frames
            y = f.read(dtype="float32")
            return f"opens: {f.format}/{f.subtype} {f.samplerate} Hz, frames = {frames}, read {len(y)} frames, no error"
    except Exception as e:
        return f"error `{type(e).__name__}: {str(e).replace(str(HERE) + os.sep, '')}`"


SYSTEM_PROBE = r"""
import ctypes, ctypes.util, json, sys
name = "/usr/lib/x86_64-linux-gnu/libsndfile.so.1"
import os
if not os.path.exists(name):
    name = ctypes.util.find_library("sndfile")
lib = ctypes.CDLL(name)
class SFInfo(ctypes.Structure):
    _fields_ = [("frames", ctypes.c_int64), ("samplerate", ctypes.c_int), ("channels", ctypes.c_int),
                ("format", ctypes.c_int), ("sections", ctypes.c_int), ("seekable", ctypes.c_int)]
lib.sf_open.restype = ctypes.c_void_p
lib.sf_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(SFInfo)]
lib.sf_strerror.restype = ctypes.c_char_p
lib.sf_strerror.argtypes = [ctypes.c_void_p]
lib.sf_error.argtypes = [ctypes.c_void_p]
lib.sf_readf_float.restype = ctypes.c_int64
lib.sf_readf_float.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float), ctypes.c_int64]
lib.sf_close.argtypes = [ctypes.c_void_p]
lib.sf_version_string.restype = ctypes.c_char_p
info = SFInfo()
h = lib.sf_open(sys.argv[1].encode(), 0x10, ctypes.byref(info))  # SFM_READ
out = {"version": lib.sf_version_string().decode()}
if not h:
    out["error"] = lib.sf_strerror(None).decode()
else:
    buf = (ctypes.c_float * (max(info.frames, 1) * max(info.channels, 1)))()
    out["frames"] = info.frames
    out["read"] = lib.sf_readf_float(h, buf, info.frames)
    out["sf_error"] = lib.sf_error(h)
    lib.sf_close(h)
print(json.dumps(out))
"""


def probe_system_libsndfile(path: Path) -> str | None:
    """Same probe through the system libsndfile (what the Swift CSndFile target links).

    Runs in a separate interpreter: in this one python-soundfile has already loaded its
    bundled libsndfile, and dlopen would hand that back instead of the system library."""
    r = subprocess.run([sys.executable, "-c", SYSTEM_PROBE, str(path)], capture_output=True, text=True)
    if r.returncode != 0:
        return None
    o = json.loads(r.stdout)
    if "error" in o:
        return f"{o['version']}: sf_open returns NULL, sf_strerror(NULL) = \"{o['error']}\""
    return (f"{o['version']}: sf_open succeeds, sfinfo.frames = {o['frames']}, sf_readf_float returns "
            f"{o['read']}, sf_error = {o['sf_error']}")


# --------------------------------------------------------------------------- README

def write_readme(bad: list[tuple[str, str]]) -> None:
    lines = [
        "# Audio fixtures",
        "",
        "Generated by `make_audio.py` — edit the script, not this file. Regenerate from the repository root:",
        "",
        "    python3 Fixtures/audio/make_audio.py",
        "",
        "Needs python3 with numpy, scipy, soundfile (`pip install soundfile`) and `espeak-ng` on PATH "
        f"(these files: espeak-ng {espeak_version()}, python-soundfile {sf.__version__} with libsndfile "
        f"{sf.__libsndfile_version__}, numpy {np.__version__}, scipy {__import__('scipy').__version__}). "
        "Seeds are fixed; with the same tool versions a rerun gives the same bytes. A different espeak-ng "
        "version changes the speech samples (and so the speech/mixture files) but not their levels or SNRs.",
        "",
        "Conventions: float samples in [-1, 1]; an N-bit PCM file holds round(x·2^(N-1)) (clipped), so "
        "libsndfile's float read (÷2^(N-1)) returns the intended value exactly. dBFS here is 20·log10(RMS) "
        "with RMS 1.0 = 0 dBFS (a full-scale sine is −3.01 dBFS); dB SPL assumes the default "
        f"fullScaleDBSPL {FULL_SCALE_DB_SPL:g}. RMS and SNR are over the whole file, silences included.",
        "",
        "## Good files",
        "",
        "| file | what it is |",
        "|---|---|",
    ]
    good = [l for l in README_LINES if not l.startswith("| `formats/")]
    fmt = [l for l in README_LINES if l.startswith("| `formats/")]
    lines += good
    lines += ["", "## Format reference set (`formats/`)", "",
              "One signal, written in each format; a reader passes if it decodes every file to within the "
              "file's `maxAbsError` of `reference.f32` (see `formats/manifest.json`, which also says how each "
              "bound was chosen). The PCM files were quantised by this script (round to nearest), the float "
              "files hold the float32 reference exactly.", "",
              "| file | what it is |", "|---|---|"] + fmt
    lines += ["", "## Bad files (`bad/`)", "",
              "Each must be rejected, or read with a warning, by SoundProfileIO — never crash. Behaviour "
              "observed when these files were generated: python-soundfile (bundled libsndfile "
              f"{sf.__libsndfile_version__}) and, where present, the system libsndfile (what "
              "`Sources/CSndFile` links) through ctypes.", ""]
    for name, what in bad:
        p = HERE / name
        lines.append(f"- `{name}` ({p.stat().st_size} bytes): {what}.")
        lines.append(f"  - python-soundfile: {probe_soundfile(p)}")
        sys_res = probe_system_libsndfile(p)
        if sys_res:
            lines.append(f"  - system {sys_res}")
        if name == "bad/short-data.wav" and sf.info(str(p)).frames == SHORT_PRESENT:
            lines.append(f"  - **libsndfile does not fail on this file**: it notices that the data chunk claims more "
                         f"bytes than the file holds, logs it (`sf_command(SFC_GET_LOG_INFO)`: "
                         f"\"{short_data_log(p)}\") and silently reports and reads only the "
                         f"{SHORT_PRESENT} frames that exist. `sf_error` stays 0. A reader that wants to flag "
                         f"truncation must compare the header's claim with the frame count itself (or inspect the log).")
        elif name == "bad/short-data.wav":
            lines.append(f"  - libsndfile reports {sf.info(str(p)).frames} frames (header claims {SHORT_CLAIMED}, "
                         f"{SHORT_PRESENT} present).")
    lines.append("")
    (HERE / "README.md").write_text("\n".join(lines))


def short_data_log(path: Path) -> str:
    with sf.SoundFile(str(path)) as f:
        log = f.extra_info
    hits = [l.strip() for l in log.splitlines()
            if l.strip().startswith(("Length", "data", "***")) or "should be" in l]
    return " / ".join(hits)


# --------------------------------------------------------------------------- main

def main() -> int:
    if shutil.which("espeak-ng") is None:
        print("espeak-ng not found (Debian: apt-get install espeak-ng)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as d:
        make_speech_files(Path(d))
    make_synthetic_files()
    make_format_set()
    bad = make_bad_files()
    write_readme(bad)

    total = 0
    for p in sorted(HERE.rglob("*")):
        if p.is_file() and p.name != "make_audio.py" and "__pycache__" not in p.parts:
            total += p.stat().st_size
            print(f"{p.stat().st_size:>9}  {p.relative_to(HERE)}")
    print(f"{total:>9}  total ({total / 2 ** 20:.2f} MiB)")
    check(total < 4 * 2 ** 20, f"fixtures too large: {total} bytes")
    if FAIL:
        print(f"{len(FAIL)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
