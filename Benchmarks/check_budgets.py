#!/usr/bin/env python3
"""The benchmark gate: checks every budget in budgets.json against a package-benchmark run.

Usage:
  check_budgets.py RESULTS [--budgets FILE] [--tighten N] [--markdown] [--ci]

RESULTS is the folder (or one file) that `swift package benchmark --format jmh --path RESULTS`
wrote. Every budget is an upper bound on the p99 of 'time per op (ns)' (one block, FFT pair or
request per sample), a factor over another benchmark's p99 from the same run, or a malloc count
(the largest count over all bursts). A result below its budget passes however far below it is:
an improvement never fails, unlike package-benchmark's own `thresholds check`.

--tighten N (or BENCH_TIGHTEN=N in the environment) divides every budget by N, to show that the
gate fails and names what it would catch; a malloc budget of 0 stays 0. Nothing in the measured
code changes.

Prints a table of every benchmark and every budget. Exit status: 0 when every budget holds;
1 naming each budget exceeded and by how much; 2 for unusable input (no results, a benchmark a
budget names is missing).

Python 3 standard library only.
"""
import argparse
import glob
import json
import os
import sys

PER_OP = "time per op (ns)"
MALLOCS = "Malloc (total)"


def load_results(path):
    files = [path] if os.path.isfile(path) else sorted(glob.glob(os.path.join(path, "*.jmh.json")))
    if not files:
        sys.exit(f"check_budgets: no *.jmh.json under {path} (did the benchmark run export with --format jmh?)")
    results = {}
    for f in files:
        with open(f) as fh:
            for element in json.load(fh):
                # "package.benchmark.<target>.<name with spaces as underscores>"
                _, _, target, name = element["benchmark"].split(".", 3)
                secondary = element.get("secondaryMetrics", {})
                op = secondary.get(PER_OP)
                if op is None:
                    continue
                pct = op["scorePercentiles"]
                raw = op.get("rawData") or [[]]
                entry = {
                    "target": target,
                    "count": len(raw[0]),
                    "p50": pct["50.0"], "p90": pct["90.0"], "p99": pct["99.0"],
                    "p99.9": pct["99.9"], "max": pct["100.0"],
                    "mean": op["score"],
                }
                m = secondary.get(MALLOCS)
                if m is not None:
                    entry["mallocsMax"] = m["scorePercentiles"]["100.0"]
                results[name] = entry
    return results


def key(name):
    return name.replace(" ", "_")


def fmt_ns(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results")
    ap.add_argument("--budgets", default=os.path.join(here, "budgets.json"))
    ap.add_argument("--tighten", type=float, default=float(os.environ.get("BENCH_TIGHTEN", "1") or 1),
                    help="divide every budget by this (demonstration); default 1 or $BENCH_TIGHTEN")
    ap.add_argument("--markdown", action="store_true", help="print the results as a Markdown table only")
    ap.add_argument("--ci", action="store_true",
                    help="check only the budgets not marked \"ci\": false (see budgets.json \"ci\")")
    args = ap.parse_args()
    if args.tighten <= 0:
        sys.exit("check_budgets: --tighten must be positive")

    with open(args.budgets) as fh:
        spec = json.load(fh)
    pname = spec.get("percentile", "p99")
    results = load_results(args.results)

    if args.markdown:
        print("| benchmark | ops timed | p50 | p90 | p99 | p99.9 |")
        print("|---|---:|---:|---:|---:|---:|")
        for name in sorted(results, key=lambda n: (results[n]["target"], n)):
            r = results[name]
            print(f"| {name.replace('_', ' ')} | {r['count']} | {fmt_ns(r['p50'])} | {fmt_ns(r['p90'])} | "
                  f"{fmt_ns(r['p99'])} | {fmt_ns(r['p99.9'])} |")
        return 0

    print(f"Benchmarks ({PER_OP}, each operation timed on its own)")
    print(f"{'benchmark':<56} {'ops':>7} {'p50':>10} {'p90':>10} {'p99':>10} {'p99.9':>10} {'mallocs':>8}")
    for name in sorted(results, key=lambda n: (results[n]["target"], n)):
        r = results[name]
        mallocs = f"{r['mallocsMax']:.0f}" if "mallocsMax" in r else "-"
        print(f"{name.replace('_', ' '):<56} {r['count']:>7} {fmt_ns(r['p50']):>10} {fmt_ns(r['p90']):>10} "
              f"{fmt_ns(r['p99']):>10} {fmt_ns(r['p99.9']):>10} {mallocs:>8}")
    print()

    tighten = args.tighten
    title = f"Budgets ({pname}" + (f", every budget divided by {tighten:g} for the demonstration" if tighten != 1 else "") + ")"
    print(title)
    print(f"{'budget':<30} {'measured':>12} {'limit':>12} {'used':>8}  result")
    failures, missing = [], []
    budgets = [b for b in spec["budgets"] if not (args.ci and b.get("ci") is False)]
    if args.ci:
        print(f"(CI: {len(budgets)} of {len(spec['budgets'])} budgets; see budgets.json \"ci\")")
    for b in budgets:
        bid, bench = b["id"], b["benchmark"]
        r = results.get(key(bench))
        if r is None:
            missing.append(f"{bid}: no result for benchmark '{bench}'")
            print(f"{bid:<30} {'-':>12} {'-':>12} {'-':>8}  MISSING")
            continue
        if "maxMallocs" in b:
            if "mallocsMax" not in r:
                missing.append(f"{bid}: benchmark '{bench}' has no malloc count (is the MallocInterposer trait on?)")
                print(f"{bid:<30} {'-':>12} {'-':>12} {'-':>8}  MISSING")
                continue
            limit = b["maxMallocs"] / tighten
            got = r["mallocsMax"]
            ok = got <= limit
            used = "-" if limit == 0 else f"{100 * got / limit:.0f} %"
            print(f"{bid:<30} {got:>12.0f} {limit:>12g} {used:>8}  {'ok' if ok else 'FAIL'}")
            if not ok:
                failures.append(f"{bid}: {got:.0f} mallocs in a burst of blocks, budget {limit:g} "
                                f"({bench}; {b['reason'].split(':')[0]})")
            continue
        got = r[pname]
        if "relativeTo" in b:
            base = results.get(key(b["relativeTo"]))
            if base is None:
                missing.append(f"{bid}: no result for reference benchmark '{b['relativeTo']}'")
                print(f"{bid:<30} {'-':>12} {'-':>12} {'-':>8}  MISSING")
                continue
            factor = b["maxFactor"] / tighten
            limit = factor * base[pname]
            ratio = got / base[pname]
            ok = got <= limit
            print(f"{bid:<30} {ratio:>11.2f}x {factor:>11.3g}x {100 * got / limit:>6.0f} %  {'ok' if ok else 'FAIL'}"
                  f"   ({fmt_ns(got)} vs {b['relativeTo']} {fmt_ns(base[pname])})")
            if not ok:
                failures.append(f"{bid}: {pname} {fmt_ns(got)} is {ratio:.2f}x the {b['relativeTo']} {pname} "
                                f"{fmt_ns(base[pname])}, budget {factor:.3g}x ({fmt_ns(limit)}): over by "
                                f"{fmt_ns(got - limit)} (+{100 * (got / limit - 1):.0f} %)")
        else:
            limit = b["maxNs"] / tighten
            ok = got <= limit
            print(f"{bid:<30} {fmt_ns(got):>12} {fmt_ns(limit):>12} {100 * got / limit:>6.0f} %  {'ok' if ok else 'FAIL'}")
            if not ok:
                failures.append(f"{bid}: {bench} {pname} {fmt_ns(got)} > budget {fmt_ns(limit)}: over by "
                                f"{fmt_ns(got - limit)} (+{100 * (got / limit - 1):.0f} %)")
    print()
    if missing:
        print("Unusable results:")
        for m in missing:
            print("  " + m)
    if failures:
        print(f"{len(failures)} budget(s) exceeded:")
        for f in failures:
            print("  FAIL " + f)
    if missing:
        return 2
    if failures:
        return 1
    print(f"All {len(budgets)} budgets hold.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
