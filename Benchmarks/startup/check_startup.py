#!/usr/bin/env python3
"""The start-up gate: instructions a whole short `soundprofile` command costs, start-up
included, counted by valgrind's callgrind, checked against the "startup" budgets in
budgets.json (issue 12: `analyze` and `process` on a 0.2 s file under 30 M instructions each).

Usage:
  check_startup.py BINARY [--budgets FILE] [--tighten N]

BINARY is the release build of `soundprofile` (`make build-cli`: statically linked Swift
runtime). The inputs are made here with Python's standard library: 0.2 s of a 1 kHz tone at
48, 24 and 16 kHz (16-bit WAV); the binary itself fits the profiles from
Fixtures/audiograms/N3.json: one per preset (pod16k.json, pod24k.json, studio48k.json, both ears
in the preset's channels) and one in third-octaves (third-octave.json, 125-8000 Hz), which
`process` refits into a preset's channels. Each command runs once untimed to fill a private FFTW wisdom cache
(SOUNDPROFILE_FFTW_WISDOM, as every later run on a machine finds it), then once under callgrind.

A result at or below its budget passes however far below. --tighten N (or BENCH_TIGHTEN=N)
divides every budget by N, to show the gate failing.

Exit status: 0 every budget holds; 1 naming each budget exceeded and by how much; 2 unusable
input (valgrind missing, a command that failed).
"""
import argparse
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import wave

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from budget_report import report  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


def tone(path, rate, seconds=0.2, hz=1000.0, amplitude=0.1):
    n = int(round(rate * seconds))
    frames = b"".join(struct.pack("<h", int(round(32767 * amplitude * math.sin(2 * math.pi * hz * i / rate)))) for i in range(n))
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)


def run(cmd, env):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.stderr.write(r.stdout[-2000:] + r.stderr[-2000:])
        sys.exit(f"check_startup: {' '.join(cmd)} failed (exit {r.returncode})")
    return r


def counted(binary, args, env, work, shim):
    """Instructions callgrind counts for one run of `binary args`."""
    out = os.path.join(work, "callgrind.out")
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary] + args
    r = subprocess.run(cmd, capture_output=True, text=True, env=dict(env, LD_PRELOAD=shim))
    m = re.search(r"Collected\s*:\s*(\d+)", r.stderr)
    if r.returncode != 0 or not m:
        sys.stderr.write(r.stderr[-3000:])
        sys.exit(f"check_startup: {' '.join(args)} failed under valgrind (exit {r.returncode})")
    return int(m.group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary")
    ap.add_argument("--budgets", default=os.path.join(HERE, "..", "budgets.json"))
    ap.add_argument("--tighten", type=float, default=float(os.environ.get("BENCH_TIGHTEN", "1") or 1))
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("check_startup: valgrind is not installed (apt-get install valgrind)")
    if args.tighten <= 0:
        sys.exit("check_startup: --tighten must be positive")
    with open(args.budgets) as fh:
        budgets = json.load(fh)["startup"]["budgets"]

    with tempfile.TemporaryDirectory(prefix="startup-counts.") as work:
        shim = os.path.join(work, "sigshim.so")
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", shim, os.path.join(HERE, "sigshim.c")], check=True)
        # valgrind 3.19 cannot read the Swift compiler's DWARF: count a copy without it.
        binary = os.path.join(work, "soundprofile")
        if subprocess.run(["objcopy", "--strip-debug", args.binary, binary], capture_output=True).returncode != 0:
            shutil.copy(args.binary, binary)
        for rate in (48000, 24000, 16000):
            tone(os.path.join(work, f"short-{rate // 1000}k.wav"), rate)
        env = dict(os.environ, SOUNDPROFILE_FFTW_WISDOM=os.path.join(work, "fftw-wisdom"))
        audiogram = os.path.join(ROOT, "Fixtures/audiograms/N3.json")
        for name, bands in (("pod16k", ["--preset", "pod16k"]), ("pod24k", ["--preset", "pod24k"]),
                            ("studio48k", ["--preset", "studio48k"]), ("third-octave", ["--bands", "third-octave"])):
            run([binary, "fit", "--audiogram", audiogram] + bands + ["--output", os.path.join(work, name + ".json")], env)

        rows = []
        for b in budgets:
            argv = [a.replace("{work}", work) for a in b["command"]]
            if b.get("fresh"):
                shutil.rmtree(os.path.join(work, b["fresh"]), ignore_errors=True)
            run([binary] + argv, env)  # fills the wisdom cache
            if b.get("fresh"):
                shutil.rmtree(os.path.join(work, b["fresh"]), ignore_errors=True)
            n = counted(binary, argv, env, work, shim)
            rows.append((b["id"], n, b["maxInstructions"] / args.tighten))

    report(rows, args.tighten, "start-up")


if __name__ == "__main__":
    main()
