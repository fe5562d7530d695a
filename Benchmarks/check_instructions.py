#!/usr/bin/env python3
"""The instruction gate: instructions per pod block and per analysis frame, counted by
valgrind's callgrind, checked against the "instructions" budgets in budgets.json.

Usage:
  check_instructions.py BINARY [--budgets FILE] [--tighten N] [--only SUBSTRING]

BINARY is the release build of the `instruction-counts` executable (Benchmarks/InstructionCounts).
For every budget, the case named by the budget runs twice under callgrind: a short run of
`period` operations and a long run of 3 × `period`; the signal repeats every `period`
operations, so (long − short) / (2 × period) is the exact cost of one operation, with process
start-up, FFTW planning and setup cancelled out. Callgrind counts the same instructions on
every run, however busy the machine: the figure is repeatable where wall-clock time is not.

A result at or below its budget passes however far below (an improvement never fails).
--tighten N (or BENCH_TIGHTEN=N in the environment) divides every budget by N, to show the gate
failing; the measured code does not change.

valgrind 3.19 cannot read the Swift compiler's DWARF, so the binary is counted from a copy with
the debug information stripped (objcopy --strip-debug).

Exit status: 0 every budget holds; 1 naming each budget exceeded and by how much; 2 unusable
input (valgrind missing, a case unknown to the binary, a run that failed).

Python 3 standard library only.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from budget_report import report  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def collected(binary, case, count, workdir):
    """Total instructions callgrind counts for one run of CASE with COUNT operations."""
    out = os.path.join(workdir, "callgrind.out")
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary, "run", case, str(count)]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        sys.stderr.write(run.stderr[-3000:])
        sys.exit(f"check_instructions: '{case}' x {count} failed under valgrind (exit {run.returncode})")
    m = re.search(r"Collected\s*:\s*(\d+)", run.stderr)
    if not m:
        sys.exit(f"check_instructions: no 'Collected' line from callgrind for '{case}'")
    return int(m.group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary")
    ap.add_argument("--budgets", default=os.path.join(HERE, "budgets.json"))
    ap.add_argument("--tighten", type=float, default=float(os.environ.get("BENCH_TIGHTEN", "1") or 1))
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("check_instructions: valgrind is not installed (apt-get install valgrind)")
    if args.tighten <= 0:
        sys.exit("check_instructions: --tighten must be positive")
    with open(args.budgets) as fh:
        budgets = [b for b in json.load(fh)["instructions"]["budgets"] if args.only in b["case"]]

    with tempfile.TemporaryDirectory(prefix="instruction-counts.") as work:
        binary = os.path.join(work, "instruction-counts")
        strip = subprocess.run(["objcopy", "--strip-debug", args.binary, binary], capture_output=True, text=True)
        if strip.returncode != 0:
            shutil.copy(args.binary, binary)
        listing = subprocess.run([binary, "list"], capture_output=True, text=True, check=True).stdout
        periods = dict(line.rsplit("\t", 1) for line in listing.splitlines() if "\t" in line)

        rows, units = [], {}
        for b in budgets:
            case = b["case"]
            if case not in periods:
                sys.exit(f"check_instructions: budget '{b['id']}' names case '{case}', which instruction-counts does not run "
                         f"(it runs: {', '.join(periods)})")
            period = int(periods[case])
            short = collected(binary, case, period, work)
            long = collected(binary, case, 3 * period, work)
            per_op = (long - short) / (2 * period)
            limit = b["maxInstructions"] / args.tighten
            rows.append((b["id"], per_op, limit))
            units[b["id"]] = b["unit"]

    report(rows, args.tighten, "instruction", per=units)


if __name__ == "__main__":
    main()
