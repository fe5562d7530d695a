"""The report both instruction gates print (check_instructions.py, startup/check_startup.py):
a table of measured against budget, then one FAIL line per budget exceeded. Python 3 standard
library only."""
import sys


def report(rows, tighten, what, per=""):
    """Prints the table for ROWS of (budget id, measured, limit) and exits 1 naming every
    budget exceeded, or prints that all WHAT budgets hold. PER names the unit ("block") if any."""
    width = max((len(r[0]) for r in rows), default=10)
    suffix = f" (budgets divided by {tighten:g})" if tighten != 1 else ""
    print(f"{'budget':{width}s} {'instructions':>13s} {'budget':>12s}  result{suffix}")
    failures = []
    for name, measured, limit in rows:
        ok = measured <= limit
        print(f"{name:{width}s} {measured:13,.0f} {limit:12,.0f}  {'ok' if ok else 'OVER'}")
        if not ok:
            unit = f" per {per[name]}" if per else ""
            failures.append(f"budget '{name}' exceeded: {measured:,.0f} instructions{unit} > {limit:,.0f} "
                            f"(over by {measured - limit:,.0f}, +{100 * (measured / limit - 1):.1f} %)")
    if failures:
        print()
        for f in failures:
            print("FAIL " + f)
        sys.exit(1)
    print(f"all {len(rows)} {what} budgets hold")
