#!/usr/bin/env python3
"""A larger mutation run of `soundprofile analyze` than the unit test's (a different mutator):
N mutated copies of the audio fixtures, in batches of B files with good files between bad ones;
each batch must end with exit 0 or 1 (never a signal), one record per file, and every good
file's result present. Usage: python3 Fuzz/mutation_campaign.py BINARY [N] [B] [SEED]"""
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = os.path.abspath(sys.argv[1])
N = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
B = int(sys.argv[3]) if len(sys.argv) > 3 else 100
SEED = int(sys.argv[4]) if len(sys.argv) > 4 else 2026
rng = random.Random(SEED)
SOURCES = sorted(p for p in (ROOT / "Fixtures/audio").rglob("*")
                 if p.suffix in {".wav", ".flac", ".aiff", ".ogg"} and "bad" not in p.parts and p.stat().st_size < 200_000)


def mutate(data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        if op == 0 and len(b) > 4:  # overwrite a little-endian int with an interesting value
            i = rng.randrange(min(len(b) - 4, 80))
            v = rng.choice([0, 1, 2, 3, 255, 256, 1023, 1024, 1025, 65535, 2**31 - 1, 2**31, 2**32 - 1, 48000, 96001, 7999])
            b[i:i + 4] = struct.pack("<I", v & 0xFFFFFFFF)
        elif op == 1 and len(b) > 2:  # 16-bit field
            i = rng.randrange(min(len(b) - 2, 80))
            b[i:i + 2] = struct.pack("<H", rng.choice([0, 1, 3, 64, 65, 512, 1024, 65535]))
        elif op == 2 and len(b) > 8:  # float specials anywhere
            for _ in range(rng.randint(1, 50)):
                i = rng.randrange(len(b) - 4)
                b[i:i + 4] = struct.pack("<f", rng.choice([float("nan"), float("inf"), -float("inf"), 3.4e38, -3.4e38, 1e10, 1e-45]))
        elif op == 3 and len(b) > 16:  # double specials
            i = rng.randrange(len(b) - 8)
            b[i:i + 8] = struct.pack("<d", rng.choice([float("nan"), float("inf"), 1.7e308, -1.7e308]))
        elif op == 4:  # cut
            b = b[:rng.randrange(max(1, len(b)))]
        elif op == 5 and len(b) > 2:  # duplicate a slice
            i = rng.randrange(len(b)); j = min(len(b), i + rng.randrange(1, 2048))
            b[i:i] = b[i:j]
        elif op == 6 and len(b) > 0:  # random bytes
            for _ in range(rng.randint(1, 64)):
                b[rng.randrange(len(b))] = rng.randrange(256)
        elif op == 7 and len(b) > 0:  # delete a slice
            i = rng.randrange(len(b)); del b[i:i + rng.randrange(1, 512)]
    return bytes(b)


def main():
    total_files = crashes = lost = failed_records = 0
    originals = [(p, p.read_bytes()) for p in SOURCES]
    made = 0
    while made < N:
        tmp = Path(tempfile.mkdtemp(prefix="sp-mutants-"))
        good = set()
        for k in range(B):
            if made >= N and k % 5 != 4:
                break
            src, data = rng.choice(originals)
            if k % 5 == 4:  # every fifth file is good, between mutants
                name = f"{k:04d}-good{src.suffix}"
                (tmp / name).write_bytes(data)
                good.add(str(tmp / name))
            else:
                (tmp / f"{k:04d}-mutant{src.suffix}").write_bytes(mutate(data))
                made += 1
        r = subprocess.run([BIN, "analyze", str(tmp), "--format", "jsonl", "--bands", "octave", "--jobs", "2", "--quiet"],
                           capture_output=True, text=True)
        files = len(list(tmp.iterdir()))
        total_files += files
        if r.returncode not in (0, 1):
            crashes += 1
            keep = ROOT / "Fuzz/crashes" / tmp.name
            shutil.copytree(tmp, keep)
            print(f"batch crashed (status {r.returncode}); kept in {keep}", file=sys.stderr)
        records = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
        seen = {rec["file"]: rec for rec in records}
        lost += sum(1 for g in good if g not in seen or "error" in seen[g])
        failed_records += sum(1 for rec in records if "error" in rec)
        if len(records) != files:
            print(f"batch {tmp}: {len(records)} records for {files} files", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"{made}/{N} mutants: {crashes} crashed batches, {lost} good results lost", flush=True)
    print(f"seed {SEED}: {N} mutated files in {total_files} files analysed: {crashes} crashed batches, "
          f"{lost} good results lost, {failed_records} error records")
    sys.exit(1 if crashes or lost else 0)


if __name__ == "__main__":
    main()
