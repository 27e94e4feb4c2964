#!/usr/bin/env python3
"""Run-to-run noise of the suite, from Criterion's own comparison files.

Run the suite (or some bench files) on unchanged code against a saved baseline (plain
`cargo bench` compares with the current one) and this prints, from the `change/` files that
run wrote:

  1. per scenario group, how far single benchmarks' median throughput moved: what the
     gate's single-benchmark margin (RINGSTRESS_SINGLE_NOISE_MARGIN) is chosen from;
  2. per group, ring of ours and burst pattern (a "slice", as the gate judges it): our
     change relative to the peers beside us, the group's peer noise (each peer against the
     mean of the others in its cell; median size x 1.4826), and the drop the gate would
     need there (the larger of the group margin and 3x that noise): what the group margin
     and the noise factor are chosen from. On unchanged code no slice should come near its
     threshold with every cell slower.

usage: scripts/noise_spread.py [CRITERION_HOME [SINCE_FILE]]
  CRITERION_HOME  default: criterion-baselines
  SINCE_FILE      only comparisons written after this file's modification time (touch it
                  before the run, so older comparisons on disk are left out)
"""
import json
import math
import statistics
import sys
from pathlib import Path

GROUP_MARGIN = 0.15  # DEFAULT_GROUP_MARGIN in suite/src/gate/margins.rs
NOISE_FACTOR = 3.0  # SLICE_NOISE_FACTOR in suite/src/gate/group.rs

home = Path(sys.argv[1] if len(sys.argv) > 1 else "criterion-baselines")
since = Path(sys.argv[2]).stat().st_mtime if len(sys.argv) > 2 else 0.0
groups = {}
cells = {}  # (group, parameter) -> {function: log throughput ratio}
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
    cell = cells.setdefault((record["group_id"], record["value_str"]), {})
    cell[record["function_id"]] = -math.log1p(time_change)

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

# Slices, as the gate's group check judges them.
noise = {}
for (group, _), functions in cells.items():
    peers = [r for f, r in functions.items() if not f.startswith("ringstress")]
    if len(peers) >= 2:
        total = sum(peers)
        noise.setdefault(group, []).extend(
            abs(r - (total - r) / (len(peers) - 1)) for r in peers)
slices = {}
for (group, parameter), functions in cells.items():
    peers = [r for f, r in functions.items() if not f.startswith("ringstress")]
    drift = statistics.mean(peers) if peers else 0.0
    pattern = parameter.rsplit("/", 1)[-1]
    for function, ratio in functions.items():
        if function.startswith("ringstress"):
            slices.setdefault((group, function, pattern), []).append(ratio - drift)
print("\n| group | ours | pattern | cells | change vs peers | slower | peer noise | threshold | margin left |")
print("|---|---|---|---|---|---|---|---|---|")
for (group, function, pattern), relative in sorted(slices.items()):
    deviations = noise.get(group, [])
    sigma = 1.4826 * statistics.median(deviations) if len(deviations) >= 4 else None
    threshold = max(GROUP_MARGIN, 1 - math.exp(-NOISE_FACTOR * sigma)) if sigma else None
    change = math.exp(statistics.mean(relative)) - 1
    slower = sum(r < 0 for r in relative)
    left = f"{change + threshold:+.1%}" if threshold else "n/a"
    print(f"| {group} | {function} | {pattern} | {len(relative)} | {change:+.1%} | "
          f"{slower} of {len(relative)} | {f'{sigma:.3f}' if sigma else 'n/a'} | "
          f"{f'-{threshold:.0%}' if threshold else 'n/a'} | {left} |")
