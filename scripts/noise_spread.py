#!/usr/bin/env python3
"""Run-to-run noise of the suite, from Criterion's own comparison files.

Run the suite (or some bench files) twice on unchanged code -- first with
`-- --save-baseline NAME`, then with `-- --baseline NAME` -- and this prints, per scenario
group, how far single benchmarks' median throughput moved between the two runs: what the
gate's single-benchmark margin (RINGSTRESS_SINGLE_NOISE_MARGIN) is chosen from. The group
margin (RINGSTRESS_NOISE_MARGIN) is chosen from the group checks the gate itself prints
under the results table of the second run.

usage: scripts/noise_spread.py [CRITERION_HOME [SINCE_FILE]]
  CRITERION_HOME  default: criterion-baselines
  SINCE_FILE      only comparisons written after this file's modification time (touch it
                  before the second run, so older comparisons on disk are left out)
"""
import json
import statistics
import sys
from pathlib import Path

home = Path(sys.argv[1] if len(sys.argv) > 1 else "criterion-baselines")
since = Path(sys.argv[2]).stat().st_mtime if len(sys.argv) > 2 else 0.0
groups = {}
for change_file in sorted(home.glob("*/*/*/change/estimates.json")):
    if change_file.stat().st_mtime < since:
        continue
    bench_dir = change_file.parent.parent
    record = json.loads((bench_dir / "new" / "benchmark.json").read_text())
    ours = record["function_id"].startswith("ringstress")
    time_change = json.loads(change_file.read_text())["median"]["point_estimate"]
    # A relative time change t is a throughput change of 1 / (1 + t) - 1.
    throughput_change = 1.0 / (1.0 + time_change) - 1.0
    groups.setdefault((record["group_id"], ours), []).append(throughput_change)

print("| group | impls | n | median abs change | p90 abs change | worst drop |")
print("|---|---|---|---|---|---|")
all_ours = []
for (group, ours), changes in sorted(groups.items()):
    magnitudes = sorted(abs(c) for c in changes)
    p90 = magnitudes[min(len(magnitudes) - 1, int(0.9 * len(magnitudes)))]
    print(f"| {group} | {'ours' if ours else 'peers'} | {len(changes)} | "
          f"{statistics.median(magnitudes):.1%} | {p90:.1%} | {min(changes):+.1%} |")
    if ours:
        all_ours.extend(changes)
if all_ours:
    magnitudes = sorted(abs(c) for c in all_ours)
    p90 = magnitudes[min(len(magnitudes) - 1, int(0.9 * len(magnitudes)))]
    print(f"\nours overall: n={len(all_ours)}, median |change| {statistics.median(magnitudes):.1%}, "
          f"p90 {p90:.1%}, worst drop {min(all_ours):+.1%}")
