#!/usr/bin/env bash
# The gate's self-test on real ring regressions: does it catch a ring made slower by a
# mistake a maintainer could make, and that ring only, and stay quiet on unchanged code?
#
# Each patch in scripts/regressions/ (a header saying what mistake it models, then a
# `git diff` of src/spsc.rs or src/mpmc.rs) makes one of our rings slower and keeps it
# correct. The TARGETS table below names the bench file and Criterion filter that exercise
# the patched ring, whole groups, so the peers are measured beside ours. In one sitting:
#
#   0. snapshot the working tree (HEAD plus uncommitted and untracked files) into a
#      scratch `git worktree`, so the patched runs measure the same harness as ours;
#   1. for each target: record the unchanged code as the throwaway baseline `selftest`
#        cargo bench --bench B -- --save-baseline selftest FILTER
#   2. for each target: re-run the unchanged code against it
#        cargo bench --bench B -- --baseline selftest FILTER          -> exit 0, no REGRESSED
#   3. for each patch: `git apply` it in the worktree and run each of its targets there,
#      against this repository's `selftest` (CRITERION_HOME, absolute)
#                                    -> REGRESSED for the patched ring only, non-zero exit
#
# Then it prints, per patch, whether it was CAUGHT: a run of one of its targets exits
# non-zero with REGRESSED for the patched ring, no run calls another ring of ours REGRESSED,
# and the unchanged runs are clean (exit 0, no REGRESSED); it exits non-zero if any patch
# was MISSED. With RR_BASELINE=NAME, steps 1 and 2 are skipped: the patched runs compare
# with that baseline of unchanged code (e.g. v0.4, with plain `cargo bench` runs of the
# same sitting as the unchanged checks), which is left in place. The worktree and the
# `selftest` baseline (its directories and its metadata file) are removed on exit; the
# logs stay in target/regressions/logs/, each beside a copy of the Criterion results its
# run left (`LOG.criterion/`, reports excluded), which `ringstress-gate --home` re-judges.
# A patched run that falls below the floor has its failing cases measured a second time by
# the gate before it judges (as any comparing run); the verdict read is the one after that.
# From the gate's output it reads its `ringstress verdict:` line (the gate judged), the
# `| REGRESSED |` cells (rows and group checks, each line naming the implementation, e.g.
# `ringstress-spsc`) and the `| FAIL (floor) |` cells.
#
# usage: scripts/ring-regressions.sh [PATCH...] [-- CRITERION_ARGS...]
#   PATCH           patch names (`spsc-seqcst-fence` or its file name) [default: all]
#   CRITERION_ARGS  passed to every cargo bench run, e.g. --measurement-time 3
# RINGSTRESS_SIZES / RINGSTRESS_PATTERNS narrow the grid of every run as usual (the same
# grid for all steps), and the gate's RINGSTRESS_*NOISE_MARGIN settings apply. Worktree
# builds share CARGO_TARGET_DIR ${CARGO_TARGET_DIR:-target}/regressions, so dependencies
# build once. Wall time with the full grid and all five patches: about 20 minutes on the
# 2-core reference machine (2 targets recorded and re-run, 7 patched runs, 5 builds);
# about 12 with RR_BASELINE.
#
# Ring ops alone, unchanged vs patched: `cargo run --release --example ring_alone`.
set -euo pipefail

# Patch -> its targets, `bench=filter` separated by spaces, whole groups so the peers are
# measured beside ours. The single-thread spawn storm runs our rings with nothing else on
# the clock but a lean harness (single-item pushes and pops at steady, batches at uniform
# and avalanche) and is the quietest group on this machine; mpmc_thrash/1p1c and the
# two-thread storm add the cross-core hand-off, where a fence or a lost index cache costs
# most (and the noise is largest). examples/ring_alone.rs measures the factors on the
# rings alone.
declare -A TARGETS=(
    [spsc-batch-by-item]="spawn_storm=^spawn_storm/single-thread/"
    [spsc-seqcst-fence]="spawn_storm=^spawn_storm/ mpmc_thrash=^mpmc_thrash/1p1c/"
    [spsc-no-cached-index]="spawn_storm=^spawn_storm/ mpmc_thrash=^mpmc_thrash/1p1c/"
    [mpmc-no-batch-claim]="spawn_storm=^spawn_storm/single-thread/"
    [mpmc-seqcst-stamps]="spawn_storm=^spawn_storm/single-thread/"
)
# RR_BASELINE=NAME compares the patched runs with an existing baseline of unchanged code
# (say v0.4, recorded earlier in the same sitting, with plain `cargo bench` runs as the
# unchanged checks) instead of recording and re-running the throwaway `selftest`; it is
# left in place.
BASELINE="${RR_BASELINE:-selftest}"
own_baseline=$([[ -z ${RR_BASELINE:-} ]] && echo 1 || echo 0)
VERDICT_LINE="ringstress verdict:"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
patch_dir="$repo/scripts/regressions"

# Arguments: patch names, then Criterion's after `--`.
names=()
criterion_args=()
while [[ $# -gt 0 ]]; do
    if [[ $1 == "--" ]]; then
        shift
        criterion_args=("$@")
        break
    fi
    names+=("$(basename "${1%.patch}")")
    shift
done
if [[ ${#names[@]} -eq 0 ]]; then
    for file in "$patch_dir"/*.patch; do
        names+=("$(basename "${file%.patch}")")
    done
fi
for name in "${names[@]}"; do
    if [[ ! -f "$patch_dir/$name.patch" ]]; then
        echo "ring-regressions: no patch $patch_dir/$name.patch" >&2
        exit 2
    elif [[ -z ${TARGETS[$name]+set} ]]; then
        echo "ring-regressions: $name.patch has no entry in TARGETS (in $0)" >&2
        exit 2
    fi
done

# Every run reads and writes this repository's Criterion home, worktree runs included
# (an [env] of .cargo/config.toml does not override a variable already set).
home="${CRITERION_HOME:-criterion-baselines}"
[[ $home == /* ]] || home="$repo/$home"
export CRITERION_HOME="$home"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
[[ $target_dir == /* ]] || target_dir="$repo/$target_dir"
worktree_target="$target_dir/regressions"
logs="$worktree_target/logs"
mkdir -p "$logs"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/ring-regressions.XXXXXX")"
worktree="$scratch/tree"

remove_baseline() {
    if [[ $own_baseline -eq 1 && -d "$home" ]]; then
        find "$home" -type d -name "$BASELINE" -prune -exec rm -rf {} +
        rm -f "$home/baselines/$BASELINE.json" "$home/baselines/$BASELINE.json.partial"
    fi
}
cleanup() {
    if [[ -d "$worktree" ]]; then
        git worktree remove --force "$worktree" || true
    fi
    rm -rf "$scratch"
    remove_baseline
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The distinct targets of the selected patches, in first-use order.
targets=()
for name in "${names[@]}"; do
    read -ra list <<<"${TARGETS[$name]}"
    for target in "${list[@]}"; do
        [[ " ${targets[*]} " == *" $target "* ]] || targets+=("$target")
    done
done

# Runs `cargo bench` in directory $1 for target $2 with Criterion flags $4... (environment
# CARGO_TARGET_DIR=$3 unless empty), logging to $log; sets $status to cargo's exit code.
bench() {
    local dir=$1 target=$2 cargo_target=$3
    shift 3
    local bench=${target%%=*} filter=${target#*=}
    local environment=()
    [[ -z $cargo_target ]] || environment=("CARGO_TARGET_DIR=$cargo_target")
    echo "ring-regressions: [$(date -u +%H:%M:%S)] (cd $dir && cargo bench --bench $bench -- $* $filter)"
    status=0
    (cd "$dir" && env ${environment[@]+"${environment[@]}"} cargo bench --bench "$bench" -- \
        "$@" "$filter" ${criterion_args[@]+"${criterion_args[@]}"}) 2>&1 |
        tee "$log" || status=$?
    # Keep what Criterion saved (reports aside) beside the log, so a revised gate can judge
    # this run again without measuring it: ringstress-gate --home "$log.criterion" ...
    rm -rf "$log.criterion"
    mkdir -p "$log.criterion"
    tar -C "$CRITERION_HOME" --exclude=report -cf - . | tar -C "$log.criterion" -xf -
}

# What the gate said in $log, with exit code $status: sets $run_text ("exit N, ..." for
# the table), $judged (a verdict line), $any_regressed (a "| REGRESSED |" cell anywhere) and $regressed
# (our implementations named in those lines, e.g. `ringstress-spsc`, space-separated).
describe_run() {
    judged=0
    any_regressed=0
    if grep -qF "$VERDICT_LINE" "$log"; then
        judged=1
    fi
    if grep -qF "| REGRESSED |" "$log"; then
        any_regressed=1
    fi
    regressed=$({ grep -F "| REGRESSED |" "$log" || true; } |
        { grep -oE 'ringstress-[A-Za-z0-9_-]+' || true; } | sort -u | paste -sd ' ' -)
    local text="exit $status"
    if [[ $judged -eq 0 ]]; then
        if grep -q "no benchmark of this run wrote results" "$log"; then
            text+=", filter matched nothing"
        else
            text+=", no verdict"
        fi
    elif [[ $any_regressed -eq 1 ]]; then
        text+=", REGRESSED: ${regressed:-?}"
    else
        text+=", no REGRESSED"
    fi
    local floor
    floor=$(grep -cF "| FAIL (floor) |" "$log" || true)
    [[ $floor -eq 0 ]] || text+=", $floor FAIL (floor)"
    run_text=$text
}

echo "ring-regressions: patches: ${names[*]}"
echo "ring-regressions: Criterion home $home; grid: sizes ${RINGSTRESS_SIZES:-default}," \
    "patterns ${RINGSTRESS_PATTERNS:-default}"

# 0. The worktree: the code as it is now, tracked changes and untracked files included.
snapshot="$(git stash create)"
snapshot="${snapshot:-HEAD}"
git worktree add --quiet --detach "$worktree" "$snapshot"
git ls-files -z --others --exclude-standard -- . ':(exclude)criterion-baselines' |
    xargs -0 -r cp --parents -t "$worktree"
for name in "${names[@]}"; do
    if ! git -C "$worktree" apply --check "$patch_dir/$name.patch"; then
        echo "ring-regressions: $name.patch does not apply to the current ring code" >&2
        exit 2
    fi
done
remove_baseline # a leftover of an interrupted run

# 1 and 2, per target: record, then the unchanged code against the record.
declare -A recorded unchanged_text unchanged_ok
for target in "${targets[@]}"; do
    if [[ $own_baseline -eq 0 ]]; then
        recorded[$target]=1
        unchanged_text[$target]="(plain runs against $BASELINE)"
        unchanged_ok[$target]=1
        continue
    fi
    tag=${target%%=*}-$(tr -c 'a-zA-Z0-9\n' '_' <<<"${target#*=}")
    log="$logs/1-record-$tag.log"
    bench "$repo" "$target" "" --save-baseline "$BASELINE"
    describe_run
    recorded[$target]=$judged
    if [[ $judged -eq 0 ]]; then
        echo "ring-regressions: FAIL: recording $target: $run_text" >&2
        unchanged_text[$target]="not recorded ($run_text)"
        unchanged_ok[$target]=0
        continue
    fi
    log="$logs/2-unchanged-$tag.log"
    bench "$repo" "$target" "" --baseline "$BASELINE"
    describe_run
    unchanged_text[$target]=$run_text
    if [[ $judged -eq 1 && $status -eq 0 && $any_regressed -eq 0 ]]; then
        unchanged_ok[$target]=1
    else
        unchanged_ok[$target]=0
    fi
done

# 3, per patch: apply it in the worktree, run its targets against the record.
declare -A patched_text patched_ok patched_regressed
for name in "${names[@]}"; do
    ring="ringstress-${name%%-*}"
    git -C "$worktree" reset --quiet --hard
    git -C "$worktree" apply "$patch_dir/$name.patch"
    echo "ring-regressions: [$(date -u +%H:%M:%S)] applied $name.patch (patches $ring)"
    read -ra list <<<"${TARGETS[$name]}"
    for target in "${list[@]}"; do
        key="$name $target"
        if [[ ${recorded[$target]} -eq 0 ]]; then
            patched_text[$key]="not run (no baseline)"
            patched_ok[$key]=0
            continue
        fi
        tag=${target%%=*}-$(tr -c 'a-zA-Z0-9\n' '_' <<<"${target#*=}")
        log="$logs/3-$name-$tag.log"
        bench "$worktree" "$target" "$worktree_target" --baseline "$BASELINE"
        describe_run
        patched_text[$key]=$run_text
        patched_regressed[$key]=$regressed
        # Caught: the patched ring, and no other, called REGRESSED, and a failing exit.
        if [[ $judged -eq 1 && $status -ne 0 && $regressed == "$ring" ]]; then
            patched_ok[$key]=1
        else
            patched_ok[$key]=0
        fi
    done
done

# Per patch: caught when at least one of its targets called the patched ring REGRESSED
# with a failing exit, and no target called another ring of ours REGRESSED; and every
# unchanged run of its targets was clean.
failures=0
echo
echo "## ring-regressions (baseline \`$BASELINE\`, $(date -u '+%Y-%m-%d %H:%M UTC'))"
echo
echo "| patch | bench/filter | unchanged run | patched run |"
echo "|---|---|---|---|"
declare -A verdict
for name in "${names[@]}"; do
    ring="ringstress-${name%%-*}"
    read -ra list <<<"${TARGETS[$name]}"
    caught=0
    clean=1
    for target in "${list[@]}"; do
        key="$name $target"
        [[ ${patched_ok[$key]} -eq 1 ]] && caught=1
        [[ ${unchanged_ok[$target]} -eq 1 ]] || clean=0
        # Another ring of ours called REGRESSED is a false alarm.
        for other in ${patched_regressed[$key]:-}; do
            [[ $other == "$ring" ]] || clean=0
        done
        echo "| $name | ${target%%=*} \`${target#*=}\` | ${unchanged_text[$target]} |" \
            "${patched_text[$key]} |"
    done
    if [[ $caught -eq 1 && $clean -eq 1 ]]; then
        verdict[$name]=CAUGHT
    else
        verdict[$name]=MISSED
        failures=$((failures + 1))
    fi
done
echo
echo "| patch | ring | verdict |"
echo "|---|---|---|"
for name in "${names[@]}"; do
    echo "| $name | ringstress-${name%%-*} | ${verdict[$name]} |"
done
echo
echo "A patch is CAUGHT when a run of one of its targets exits non-zero with REGRESSED for"
echo "the patched ring, no run calls another ring of ours REGRESSED, and the unchanged runs"
echo "are clean (exit 0, no REGRESSED). Logs: $logs"
if [[ $failures -eq 0 ]]; then
    echo "ring-regressions: PASS (${#names[@]} of ${#names[@]} caught)"
else
    echo "ring-regressions: FAIL ($failures of ${#names[@]} missed)"
    exit 1
fi
