#!/usr/bin/env python3
"""Markdown tables of a saved baseline, for README.md and the baseline notes.

Reads Criterion's own files (`<home>/<group>/<function>/<parameter>/<slot>/benchmark.json`
and `estimates.json`; throughput = elements per iteration over the typical time, slope
else mean, as the gate computes it) and prints:

  --table     per group and pattern at one capacity: every implementation's msg/s and the
              ratio of our best ring to the best peer  [default]
  --targets   issue 5's targets, cell by cell: ours, the peer named by the target, ratio

usage: scripts/results_table.py SLOT [--capacity N] [--targets] [--home DIR]
  SLOT   a baseline name (v0.2) or `new` for the latest run
"""
import argparse
import json
from pathlib import Path

PATTERNS = ["steady", "uniform", "avalanche"]
COLUMNS = ["ringstress-spsc", "ringstress-mpmc", "rtrb", "crossbeam-queue",
           "crossbeam-channel", "std-mpsc", "harness"]


def load(home, slot):
    """{(group, function, capacity, pattern): msg/s}"""
    rates = {}
    for record_file in home.glob(f"*/*/*/{slot}/benchmark.json"):
        record = json.loads(record_file.read_text())
        estimates = json.loads((record_file.parent / "estimates.json").read_text())
        throughput = record.get("throughput") or {}
        elements = throughput.get("Elements")
        if elements is None or not record.get("value_str"):
            continue
        typical = (estimates.get("slope") or estimates["mean"])["point_estimate"]
        capacity, pattern = record["value_str"].split("/")
        rates[(record["group_id"], record["function_id"], int(capacity), pattern)] = (
            elements / typical * 1e9)
    return rates


def rate(value):
    if value is None:
        return "–"
    return f"{value / 1e9:.2f}G" if value >= 1e9 else f"{value / 1e6:.1f}M"


def table(rates, capacity):
    groups = sorted({g for (g, _, c, _) in rates if c == capacity})
    print("| group | pattern | " + " | ".join(COLUMNS) + " | ours / best peer |")
    print("|---|---|" + "---|" * len(COLUMNS) + "---|")
    for group in groups:
        for pattern in PATTERNS:
            cells = {f: r for (g, f, c, p), r in rates.items()
                     if g == group and c == capacity and p == pattern}
            if not cells:
                continue
            ours = [r for f, r in cells.items() if f.startswith("ringstress")]
            peers = [r for f, r in cells.items()
                     if not f.startswith("ringstress") and f != "harness"]
            ratio = f"{max(ours) / max(peers):.2f}x" if ours and peers else "–"
            row = " | ".join(rate(cells.get(f)) for f in COLUMNS)
            print(f"| {group} | {pattern} | {row} | {ratio} |")


def targets(rates):
    """Issue 5's targets, one row per cell."""
    print("| target | cell | ours | peer | ratio | met |")
    print("|---|---|---|---|---|---|")

    summary = {}

    def rows(what, group, ours, peer, needed):
        for (g, f, c, p), r in sorted(rates.items()):
            if g != group or f != ours:
                continue
            other = rates.get((g, peer, c, p))
            if other is None:
                continue
            ratio = r / other
            met_count, total = summary.get(what, (0, 0))
            summary[what] = (met_count + (ratio >= needed), total + 1)
            print(f"| {what} | {g} {c}/{p} | {rate(r)} | {peer} {rate(other)} | "
                  f"{ratio:.2f}x | {'yes' if ratio >= needed else 'no'} |")

    rows("SPSC >= 1.25x rtrb", "mpmc_thrash/1p1c", "ringstress-spsc", "rtrb", 1.25)
    rows("SPSC >= 1.25x rtrb", "spawn_storm/two-thread", "ringstress-spsc", "rtrb", 1.25)
    for topology in ["2p2c", "4p4c", "4p1c", "1p4c"]:
        for peer in ["crossbeam-queue", "crossbeam-channel"]:
            rows(f"MPMC >= 1.5x {peer}", f"mpmc_thrash/{topology}", "ringstress-mpmc", peer, 1.5)
    print()
    for what, (met_count, total) in summary.items():
        print(f"{what}: met in {met_count} of {total} cells")
    ours = {k: r for k, r in rates.items() if k[1].startswith("ringstress")}
    single = [(k, r) for k, r in ours.items()
              if k[0] == "spawn_storm/single-thread" and k[1] == "ringstress-spsc"]
    met = sum(r >= 500e6 for _, r in single)
    print(f"single-thread SPSC >= 500M: {met} of {len(single)} cells "
          f"(best {rate(max(r for _, r in single))})" if single else "")
    above = sum(r >= 50e6 for r in ours.values())
    print(f"floor 50M: {above} of {len(ours)} of ours at or above")
    best = max(ours.items(), key=lambda kv: kv[1], default=None)
    if best:
        (g, f, c, p), r = best
        print(f"fastest of ours: {g}/{f}/{c}/{p} at {rate(r)}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("slot")
    parser.add_argument("--capacity", type=int, default=1024)
    parser.add_argument("--targets", action="store_true")
    parser.add_argument("--home", default="criterion-baselines")
    args = parser.parse_args()
    rates = load(Path(args.home), args.slot)
    if args.targets:
        targets(rates)
    else:
        table(rates, args.capacity)


main()
