#!/bin/sh
# Regenerates the reports in notebooks-output/: every experiment in experiments/ is swept into a
# fresh database with a release build, then reported; a few single runs get their own timeline
# report. Run it from anywhere; it works in the repository root.
#
#   notebooks-output/regenerate.sh [--seeds N] [--jobs N] [--keep-db]
#
#   --seeds N   seeds for the trigger-table experiment (default 3; the other experiments use
#               their own `seeds`). Fewer seeds give wider intervals, not different reports.
#   --jobs N    sweep workers (default: every core).
#   --keep-db   keep the database (notebooks-output/.regenerate/notebooks.sqlite) for
#               `failsim compare` or `failsim report RUN` afterwards.
#
# Environment: SCRATCH (the release build folder, default .build-notebooks), FAILSIM (use this
# failsim binary instead of building one).
#
# The database starts empty every time, so the reports depend only on the experiment files, the
# models and the engine: the same inputs give byte-identical files. Each report's sources.json
# records the run keys, engine version and model and experiment hashes it was drawn from, and
# `swift test --filter CommittedReportTests` flags a report whose inputs have changed since.
# Report folders of experiments that no longer exist are removed. Run time on 2 cores: a few
# minutes (the breaker-thresholds sweep is the largest).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

trigger_seeds=3
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
keep_db=0
while [ $# -gt 0 ]; do
    case "$1" in
        --seeds) trigger_seeds=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --keep-db) keep_db=1; shift ;;
        -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "regenerate: unknown option $1 (see --help)" >&2; exit 64 ;;
    esac
done

started=$(date +%s)
if [ -n "${FAILSIM:-}" ]; then
    failsim=$FAILSIM
else
    scratch=${SCRATCH:-$root/.build-notebooks}
    echo "regenerate: building failsim (release) in $scratch" >&2
    swift build -c release --product failsim --scratch-path "$scratch" >&2
    failsim=$scratch/release/failsim
fi

work=notebooks-output/.regenerate
mkdir -p "$work"
db=$work/notebooks.sqlite
rm -f "$db" "$db-wal" "$db-shm"

written=""
report() {
    # report FOLDER ARGS...: writes notebooks-output/FOLDER and remembers it.
    folder=$1
    shift
    "$failsim" report "$@" --db "$db" --out "notebooks-output/$folder"
    written="$written $folder"
}

for experiment in experiments/*.yaml; do
    name=$(sed -n 's/^name:[[:space:]]*\([^[:space:]#]*\).*/\1/p' "$experiment" | head -n 1)
    [ -n "$name" ] || { echo "regenerate: $experiment has no name" >&2; exit 65; }
    seeds=""
    [ "$name" = trigger-table ] && seeds="--seeds $trigger_seeds"
    echo "regenerate: sweeping $experiment ${seeds:-(its own seeds)}" >&2
    # shellcheck disable=SC2086
    "$failsim" sweep "$experiment" --db "$db" --jobs "$jobs" $seeds >/dev/null
    report "$name" --experiment "$experiment"
    # One run of the baseline (and of the trigger table's telling variants) as a timeline.
    report "run-$name-baseline-seed1" --experiment "$experiment" --variant baseline --seed 1
    if [ "$name" = trigger-table ]; then
        for variant in slow-dns-checks no-precedence; do
            report "run-$name-$variant-seed1" --experiment "$experiment" --variant "$variant" --seed 1
        done
    fi
    if [ "$name" = write-policy ]; then
        report "run-$name-reject-seed1" --experiment "$experiment" --variant reject --seed 1
    fi
done

# Reports of experiments that are gone would only ever be stale.
for sources in notebooks-output/*/sources.json; do
    [ -f "$sources" ] || continue
    folder=$(basename "$(dirname "$sources")")
    case " $written " in
        *" $folder "*) ;;
        *) echo "regenerate: removing notebooks-output/$folder (no longer produced)" >&2; rm -rf "notebooks-output/$folder" ;;
    esac
done

# An index, so that the folder reads well on a code host.
{
    echo "# Reports of the shipped experiments"
    echo
    echo "Written by \`notebooks-output/regenerate.sh\` (do not edit by hand): each folder holds \`report.html\`"
    echo "(self-contained; open it in a browser or print it), \`README.md\` with the same tables and the SVG figures,"
    echo "the CSV data behind every figure, and \`sources.json\` (the run keys, engine version and hashes it was drawn from)."
    echo
    echo "| report | kind | experiment file | runs | engine |"
    echo "| --- | --- | --- | ---: | --- |"
    for folder in $written; do
        sources=notebooks-output/$folder/sources.json
        kind=$(sed -n 's/^  "kind" : "\(.*\)",*$/\1/p' "$sources")
        file=$(sed -n 's/^  "experimentFile" : "\(.*\)",*$/\1/p' "$sources")
        runs=$(grep -c '"runKey"' "$sources")
        engine=$(sed -n '/"engineVersions"/{n;s/^ *"\(.*\)",*$/\1/p;}' "$sources")
        echo "| [$folder]($folder/README.md) | $kind | $file | $runs | $engine |"
    done
} > notebooks-output/README.md

if [ "$keep_db" = 1 ]; then
    echo "regenerate: the runs are in $db" >&2
else
    rm -rf "$work"
fi
echo "regenerate: done in $(( $(date +%s) - started )) s; check with: swift test --filter CommittedReportTests" >&2
