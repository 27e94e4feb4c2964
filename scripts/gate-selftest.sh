#!/usr/bin/env bash
# End-to-end proof that the gate neither sleeps nor cries wolf, on one group of ours and
# the peer measured beside it (by default the SPSC ring and rtrb in mpmc_thrash/1p1c,
# over the whole grid):
#   1. record them as the throwaway baseline `gate-selftest`
#   2. re-run unchanged code with --baseline gate-selftest            -> expect no REGRESSED
#   3. re-run with RINGSTRESS_SELFTEST_SLOWDOWN=2 (each measured
#      iteration of *our* ring does the scenario's work twice: exactly
#      2x slower; the peer runs as usual)                            -> expect REGRESSED (the
#      group check, and the rows it marks) and a non-zero exit
# A benchmark under the 50M floor makes every run exit non-zero with FAIL (floor); that is
# the floor's business, so steps 1 and 2 look only for REGRESSED. Prints PASS/FAIL per step,
# exits non-zero if any step failed, and removes the gate-selftest baseline afterwards.
# Other load on the 2 cores is noise the gate is meant to see through; a step 2 failure
# says it did not.
#
# usage: scripts/gate-selftest.sh [FILTER [CRITERION_ARGS...]]
#   FILTER          a Criterion id regex: one implementation of ours and its peers
#                   [default: mpmc_thrash/1p1c/(ringstress-spsc|rtrb)/]
#   CRITERION_ARGS  passed to every run, e.g. --measurement-time 3
# The bench file is the filter's first segment (the scenario); set GATE_SELFTEST_BENCH to
# override it. RINGSTRESS_SIZES / RINGSTRESS_PATTERNS narrow the grid as usual.
set -euo pipefail

filter="${1:-mpmc_thrash/1p1c/(ringstress-spsc|rtrb)/}"
shift $(($# > 0 ? 1 : 0))
criterion_args=("$@")
bench="${GATE_SELFTEST_BENCH:-${filter%%/*}}"
baseline="gate-selftest"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
# Where cargo points Criterion (.cargo/config.toml), unless already set in the environment.
home="${CRITERION_HOME:-$repo/criterion-baselines}"
log="$(mktemp)"

cleanup() {
    rm -f "$log"
    if [[ -d "$home" ]]; then
        find "$home" -type d -name "$baseline" -prune -exec rm -rf {} +
    fi
}
trap cleanup EXIT

failures=0
pass() { echo "gate-selftest: PASS: $1"; }
fail() {
    echo "gate-selftest: FAIL: $1"
    failures=$((failures + 1))
}

# Runs `cargo bench` for the filter with the given Criterion baseline flag, teeing the
# output to $log; sets $status to cargo's exit code. Extra environment comes first:
# bench_once [VAR=value...] -- --flag NAME
bench_once() {
    local environment=()
    while [[ $1 != "--" ]]; do
        environment+=("$1")
        shift
    done
    shift
    status=0
    env "${environment[@]}" cargo bench --bench "$bench" -- "$@" "$filter" \
        ${criterion_args[@]+"${criterion_args[@]}"} 2>&1 | tee "$log" || status=$?
}

ran_something() {
    ! grep -q "no benchmark of this run wrote results" "$log"
}

echo "gate-selftest: bench '$bench', filter '$filter', Criterion home $home"

echo "gate-selftest: step 1/3: record baseline '$baseline'"
bench_once -- --save-baseline "$baseline"
if ! ran_something; then
    fail "the filter '$filter' matched no benchmark of '$bench'"
    exit 1
elif ! grep -q "| Test | Throughput | Status | Notes |" "$log"; then
    fail "recording exited $status without a results table (the bench failed); nothing to compare"
    exit 1
fi
pass "recorded '$baseline' (exit $status)"

echo "gate-selftest: step 2/3: unchanged code vs '$baseline' (must not cry wolf)"
bench_once -- --baseline "$baseline"
if ! grep -q "| Test | Throughput | Status | Notes |" "$log"; then
    fail "the unchanged run exited $status without a results table"
elif grep -q "| REGRESSED |" "$log"; then
    fail "unchanged code was called REGRESSED (exit $status): noise beyond the margins"
else
    pass "unchanged code is not called a regression (exit $status)"
fi

echo "gate-selftest: step 3/3: our ring 2x slower vs '$baseline' (must be caught)"
bench_once RINGSTRESS_SELFTEST_SLOWDOWN=2 -- --baseline "$baseline"
if [[ $status -ne 0 ]] && grep -q "| REGRESSED |" "$log"; then
    pass "the 2x slowdown is called a regression and the run exits $status"
else
    fail "the 2x slowdown was not caught (exit $status, REGRESSED $(grep -c '| REGRESSED |' "$log" || true) times)"
fi

if [[ $failures -eq 0 ]]; then
    echo "gate-selftest: PASS (all 3 steps)"
else
    echo "gate-selftest: FAIL ($failures of 3 steps)"
    exit 1
fi
