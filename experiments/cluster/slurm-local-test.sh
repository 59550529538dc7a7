#!/bin/bash
# Runs experiments/cluster/slurm-sweep.sbatch on a real, one-node Slurm cluster started on this
# machine, and checks the merged database against the same sweep on one machine.
#
#   sudo bash experiments/cluster/slurm-local-test.sh          (root: it starts munged, slurmctld, slurmd)
#
# What it does:
#   1. installs Slurm and MUNGE from Debian's packages if missing (apt-get install slurm-wlm munge);
#   2. starts munged, slurmctld and slurmd on loopback, as root, with every file (key, sockets,
#      slurm.conf, state, spool, logs) in a fresh temporary folder: one node, localhost, 2 CPUs,
#      no cgroups (proctrack/linuxproc, task/none), no accounting;
#   3. submits the shipped array job + merge job for a small sweep (EXPERIMENT, default the
#      trigger-table experiment with SEEDS=2: 8 runs of 41 simulated minutes in SHARD_COUNT=4
#      array tasks) through a failsim wrapper that makes shard FAIL_SHARD (default 2) fail once:
#      the merge job (afterany) must report that shard's runs missing and exit 1;
#   4. re-submits just the shard the merge job names (ARRAY=…, as its log says) and a new merge,
#      which must store every run;
#   5. runs the same sweep on one machine (failsim sweep --jobs 2) and compares run key → digest
#      of both databases; prints PASS or FAIL; stops the daemons and removes the folder
#      (KEEP=1 keeps it for a look).
# Exit status: 0 PASS, 1 FAIL, 2 the cluster could not be set up.
#
# Variables: FAILSIM_BIN (default: .build/release/failsim of this repository, built with
# `swift build -c release --product failsim` if absent), EXPERIMENT, SEEDS, SHARD_COUNT,
# FAIL_SHARD (-1: inject no failure), KEEP, TIMEOUT (seconds per wait, default 600).
set -uo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
repo=$(cd "$here/../.." && pwd)
sweep_script=$here/slurm-sweep.sbatch
SEEDS=${SEEDS:-2}
SHARD_COUNT=${SHARD_COUNT:-4}
FAIL_SHARD=${FAIL_SHARD:-2}
TIMEOUT=${TIMEOUT:-600}
KEEP=${KEEP:-0}

say() { printf '[slurm-local-test %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
setup_failed() { say "SETUP FAILED: $*"; exit 2; }

# --- the binary -----------------------------------------------------------------------------
FAILSIM_BIN=${FAILSIM_BIN:-$repo/.build/release/failsim}
if [[ ! -x $FAILSIM_BIN ]]; then
    [[ $FAILSIM_BIN == "$repo/.build/release/failsim" ]] || setup_failed "FAILSIM_BIN=$FAILSIM_BIN is not executable"
    say "building failsim (release) in $repo"
    (cd "$repo" && swift build -c release --product failsim) || setup_failed "swift build failed"
fi
FAILSIM_BIN=$(readlink -f "$FAILSIM_BIN")
say "failsim binary: $FAILSIM_BIN"

# --- Slurm and MUNGE ------------------------------------------------------------------------
[[ $(id -u) == 0 ]] || setup_failed "run as root (the daemons run as root here); e.g. sudo bash $0"
if ! command -v slurmctld > /dev/null || ! command -v slurmd > /dev/null || ! command -v sbatch > /dev/null \
   || ! command -v munged > /dev/null || ! command -v mungekey > /dev/null; then
    say "installing slurm-wlm and munge from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q > /dev/null || setup_failed "apt-get update failed (no network to the package mirror?)"
    apt-get install -y -q slurm-wlm munge > /dev/null || setup_failed "apt-get install slurm-wlm munge failed"
fi
say "$(slurmctld -V 2> /dev/null), $(munged -V 2> /dev/null | head -n 1)"

# --- a one-node cluster in a temporary folder -----------------------------------------------
T=$(mktemp -d /tmp/failsim-slurm-test.XXXXXX)
chmod 755 "$T"
mkdir -p "$T/munge-key" "$T/munge" "$T/state" "$T/spool/slurmd-localhost" "$T/log" "$T/run" "$T/shared" "$T/node-scratch" "$T/bin" "$T/exp"
chmod 700 "$T/munge-key"
export SLURM_CONF=$T/slurm.conf

stop_cluster() {
    local pidfile pid
    # Jobs still running (only if the test was interrupted) are cancelled by this cluster first.
    if [[ -f $T/run/slurmctld.pid ]] && squeue -h 2> /dev/null | grep -q .; then
        scancel --quiet --user=root 2> /dev/null
        for _ in $(seq 30); do squeue -h 2> /dev/null | grep -q . || break; sleep 1; done
    fi
    for pidfile in "$T/run/slurmd-localhost.pid" "$T/run/slurmctld.pid" "$T/run/munged.pid"; do
        [[ -f $pidfile ]] || continue
        pid=$(cat "$pidfile" 2> /dev/null)
        [[ -n $pid ]] || continue
        kill "$pid" 2> /dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2> /dev/null && kill -9 "$pid" 2> /dev/null
    done
}
cleanup() {
    local status=$?
    stop_cluster
    if [[ $KEEP == 1 ]]; then say "kept $T"; else rm -rf "$T"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2> /dev/null \
        || echo $((20000 + RANDOM % 20000))
}
ctld_port=$(free_port)
slurmd_port=$(free_port)
while [[ $slurmd_port == "$ctld_port" ]]; do slurmd_port=$(free_port); done

mungekey --create --keyfile="$T/munge-key/munge.key" || setup_failed "mungekey failed"
chmod 600 "$T/munge-key/munge.key"
munged --force --socket="$T/munge/munge.socket" --key-file="$T/munge-key/munge.key" \
    --pid-file="$T/run/munged.pid" --log-file="$T/log/munged.log" --seed-file="$T/munge-key/munged.seed" \
    || setup_failed "munged did not start: $(tail -n 3 "$T/log/munged.log" 2> /dev/null)"
munge -S "$T/munge/munge.socket" -n | unmunge -S "$T/munge/munge.socket" > /dev/null || setup_failed "munge credentials do not round-trip"

cat > "$SLURM_CONF" << EOF
ClusterName=failsimtest
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$T/munge/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool/slurmd-%n
SlurmctldPidFile=$T/run/slurmctld.pid
SlurmdPidFile=$T/run/slurmd-%n.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
MinJobAge=3600
MailProg=/bin/true
SlurmdParameters=config_overrides
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -f "$SLURM_CONF" -i || setup_failed "slurmctld did not start: $(tail -n 5 "$T/log/slurmctld.log" 2> /dev/null)"
slurmd -f "$SLURM_CONF" -N localhost || setup_failed "slurmd did not start: $(tail -n 5 "$T/log/slurmd.log" 2> /dev/null)"
for _ in $(seq 60); do
    [[ $(sinfo -h -n localhost -o %t 2> /dev/null) == idle ]] && break
    sleep 1
done
[[ $(sinfo -h -n localhost -o %t 2> /dev/null) == idle ]] \
    || setup_failed "the node did not become idle: $(sinfo 2>&1); slurmd log: $(tail -n 5 "$T/log/slurmd.log")"
say "cluster up in $T (slurmctld :$ctld_port, slurmd :$slurmd_port):"
sinfo

# --- the sweep ------------------------------------------------------------------------------
# A snapshot of the experiment and model files, so that edits made meanwhile cannot make the
# cluster sweep and the local sweep differ.
cp -r "$repo/experiments" "$repo/models" "$T/exp/"
EXPERIMENT=${EXPERIMENT:-$repo/experiments/trigger-table.yaml}
EXPERIMENT=$(readlink -f "$EXPERIMENT")
case $EXPERIMENT in
    "$repo"/*) EXPERIMENT=$T/exp/${EXPERIMENT#"$repo"/} ;;
esac
say "experiment $EXPERIMENT, seeds $SEEDS, $SHARD_COUNT shards; shard $FAIL_SHARD fails on its first attempt"

# A failsim wrapper that fails shard FAIL_SHARD once, as a crashed node would.
cat > "$T/bin/failsim" << EOF
#!/bin/bash
if [[ " \$* " == *" --shard $FAIL_SHARD "* && ! -e $T/injected-failure ]]; then
    touch $T/injected-failure
    echo "slurm-local-test: injected failure of shard $FAIL_SHARD" >&2
    exit 70
fi
exec $FAILSIM_BIN "\$@"
EOF
chmod +x "$T/bin/failsim"

failures=()
check() { # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then say "ok:   $what"; else say "FAIL: $what"; failures+=("$what"); fi
}

# Waits until the job has left the queue; prints its final state and exit code.
wait_job() {
    local id=$1 waited=0 state
    while squeue -h -j "$id" 2> /dev/null | grep -q .; do
        sleep 2; waited=$((waited + 2))
        if ((waited > TIMEOUT)); then say "job $id still queued after $TIMEOUT s"; squeue; return 1; fi
    done
    state=$(scontrol show job "$id" 2> /dev/null | grep -o 'JobState=[A-Z_]* .*' | head -n 1)
    echo "$state $(scontrol show job "$id" 2> /dev/null | grep -o ' ExitCode=[0-9:]*' | head -n 1)"
}

submit() { # submit [VAR=value...]: runs the shipped script's submit step; sets array_id, merge_id
    local output
    output=$(cd "$T" && env EXPERIMENT="$EXPERIMENT" OUT_DIR="$T/shared" FAILSIM_BIN="$T/bin/failsim" \
        SHARD_COUNT="$SHARD_COUNT" SEEDS="$SEEDS" SCRATCH="$T/node-scratch" "$@" bash "$sweep_script" 2>&1)
    local status=$?
    echo "$output" | sed 's/^/    | /'
    [[ $status == 0 ]] || return 1
    array_id=$(echo "$output" | awk '/^array job:/ { print $3 }')
    merge_id=$(echo "$output" | awk '/^merge job:/ { print $3 }')
    [[ -n $array_id && -n $merge_id ]]
}

say "submitting: bash experiments/cluster/slurm-sweep.sbatch"
submit || { say "FAIL: submission failed"; exit 1; }
say "array job $array_id, merge job $merge_id; waiting"
squeue
merge_state=$(wait_job "$merge_id")
array_state=$(wait_job "${array_id}_$FAIL_SHARD")
say "array task ${array_id}_$FAIL_SHARD: $array_state"
say "merge job $merge_id: $merge_state"
merge_log=$(ls "$T/shared/logs/"*-merge-"$merge_id".out 2> /dev/null | head -n 1)
echo "--- merge job log ($merge_log) ---"
cat "$merge_log" 2> /dev/null
echo "---"
if ((FAIL_SHARD >= 0 && FAIL_SHARD < SHARD_COUNT)); then
    check "the failed task is FAILED in Slurm" grep -q 'JobState=FAILED' <<< "$array_state"
    check "the merge job ran after the failure (afterany) and exited 1" grep -q 'JobState=FAILED .*ExitCode=1:0' <<< "$merge_state"
    check "the merge job names shard $FAIL_SHARD as missing" grep -q "in shards: $FAIL_SHARD (of $SHARD_COUNT)" "$merge_log"
    resubmit=$(grep -o 'ARRAY=[0-9,]*' "$merge_log" | head -n 1)
    check "the merge job prints the re-submission command" test "$resubmit" == "ARRAY=$FAIL_SHARD"

    say "re-submitting what the merge job asks for: $resubmit bash experiments/cluster/slurm-sweep.sbatch"
    submit "${resubmit:-ARRAY=$FAIL_SHARD}" || { say "FAIL: re-submission failed"; exit 1; }
    say "array job $array_id, merge job $merge_id; waiting"
    merge_state=$(wait_job "$merge_id")
    say "merge job $merge_id: $merge_state"
    merge_log=$(ls "$T/shared/logs/"*-merge-"$merge_id".out 2> /dev/null | head -n 1)
    echo "--- merge job log ($merge_log) ---"
    cat "$merge_log" 2> /dev/null
    echo "---"
fi
check "the last merge job COMPLETED with exit code 0" grep -q 'JobState=COMPLETED .*ExitCode=0:0' <<< "$merge_state"
check "the last merge job stored every run" grep -q 'Every run of .* is stored' "$merge_log"
echo "--- a shard task's log ---"
cat "$(ls "$T/shared/logs/"*_1.out | head -n 1)"
echo "---"
check "node-local scratch is cleaned up by the tasks" test -z "$(ls -A "$T/node-scratch")"
check "no .partial or WAL files are left in the shared folder" \
    test -z "$(find "$T/shared" -name '*.partial' -o -name '*-wal' -o -name '*-shm')"

# --- the time limit: a task told to stop hands over the runs it finished ----------------------
# Slurm sends USR1 to the batch script 300 s before the time limit (#SBATCH --signal=B:USR1@300);
# scancel --signal=USR1 --batch sends the same now. One shard of the whole sweep is stopped after
# its first run is stored; its finished runs must reach the shared folder, the merge must list
# the rest, and the re-submitted shard must resume from them.
if [[ ${SALVAGE_TEST:-1} == 1 ]]; then
    say "time limit: a one-shard sweep into $T/shared-stopped gets Slurm's warning signal after its first run"
    submit OUT_DIR="$T/shared-stopped" SHARD_COUNT=1 || { say "FAIL: submission failed"; exit 1; }
    stored_in_scratch() {
        python3 - "$T/node-scratch" << 'EOF'
import glob, sqlite3, sys
total = 0
for path in glob.glob(sys.argv[1] + "/failsim-*/shard-0.sqlite"):
    try: total += sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5).execute("select count(*) from run").fetchone()[0]
    except sqlite3.Error: pass
print(total)
EOF
    }
    for _ in $(seq "$TIMEOUT"); do
        (($(stored_in_scratch) >= 1)) && break
        sleep 1
    done
    say "$(stored_in_scratch) run(s) stored in the task's scratch database; scancel --signal=USR1 --batch ${array_id}_0"
    scancel --signal=USR1 --batch "${array_id}_0"
    task_state=$(wait_job "${array_id}_0")
    merge_state=$(wait_job "$merge_id")
    say "task ${array_id}_0: $task_state"
    echo "--- the stopped task's log ---"
    cat "$T/shared-stopped/logs/"*"-${array_id}_0.out"
    echo "---"
    saved=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True).execute("select count(*) from run").fetchone()[0])' \
            "$T/shared-stopped/shards/shard-0.sqlite" 2> /dev/null || echo 0)
    total=$("$FAILSIM_BIN" sweep "$EXPERIMENT" --seeds "$SEEDS" --plan --db "$T/plan.sqlite" | awk 'NR == 1 { print $1 }')
    check "the stopped task exited 75" grep -q 'ExitCode=75:0' <<< "$task_state"
    check "it copied the runs it finished ($saved of $total) to the shared folder" test "$saved" -ge 1 -a "$saved" -lt "$total"
    check "the merge job lists the other $((total - saved)) runs as missing, in shard 0" \
        grep -q "^$((total - saved)) runs of .* are still missing" "$T/shared-stopped/logs/"*-merge-"$merge_id".out
    submit OUT_DIR="$T/shared-stopped" SHARD_COUNT=1 ARRAY=0 || { say "FAIL: re-submission failed"; exit 1; }
    merge_state=$(wait_job "$merge_id")
    echo "--- the re-submitted task's log ---"
    cat "$T/shared-stopped/logs/"*"-${array_id}_0.out"
    echo "---"
    check "the re-submitted shard resumed from the copied runs" \
        grep -q "^Sweep .*: $total runs planned .*; $saved stored already" "$T/shared-stopped/logs/"*"-${array_id}_0.out"
    check "its merge job stored every run" grep -q 'JobState=COMPLETED .*ExitCode=0:0' <<< "$merge_state"
fi

# --- the reference: the same sweep on one machine -------------------------------------------
say "the same sweep on one machine: failsim sweep --seeds $SEEDS --jobs 2"
"$FAILSIM_BIN" sweep "$EXPERIMENT" --seeds "$SEEDS" --jobs 2 --db "$T/local.sqlite" | head -n 1
"$FAILSIM_BIN" runs --json --db "$T/local.sqlite" > "$T/local-runs.json"
"$FAILSIM_BIN" runs --json --db "$T/shared/merged.sqlite" > "$T/merged-runs.json"
compare_runs() {
    python3 - "$T/local-runs.json" "$T/merged-runs.json" << 'EOF'
import json, sys
local, merged = (json.load(open(path)) for path in sys.argv[1:3])
def keyed(runs):
    keys = [run["runKey"] for run in runs]
    if len(set(keys)) != len(keys):
        print("  duplicate run keys"); sys.exit(1)
    return {run["runKey"]: run["digest"] for run in runs}
a, b = keyed(local), keyed(merged)
print(f"  one machine: {len(a)} runs; cluster, merged: {len(b)} runs; same keys: {a.keys() == b.keys()}; "
      f"same digests: {sum(a[k] == b.get(k) for k in a)} of {len(a)}")
for k in sorted(a.keys() ^ b.keys()):
    print(f"  only in {'one machine' if k in a else 'merged'}: {k[:16]}")
for k in sorted(a.keys() & b.keys()):
    if a[k] != b[k]: print(f"  digest differs: {k[:16]}")
sys.exit(0 if a == b and len(a) > 0 else 1)
EOF
}
check "merged database = one-machine sweep (run key -> digest)" compare_runs
if [[ ${SALVAGE_TEST:-1} == 1 ]]; then
    "$FAILSIM_BIN" runs --json --db "$T/shared-stopped/merged.sqlite" > "$T/merged-runs.json"
    check "stopped and resumed sweep, merged = one-machine sweep (run key -> digest)" compare_runs
fi
check "merged database passes PRAGMA integrity_check" \
    test "$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' "$T/shared/merged.sqlite")" == ok
"$FAILSIM_BIN" compare "$EXPERIMENT" --db "$T/local.sqlite" --json > "$T/local-compare.json" 2> /dev/null
"$FAILSIM_BIN" compare "$EXPERIMENT" --db "$T/shared/merged.sqlite" --json > "$T/merged-compare.json" 2> /dev/null
same_comparison() { # the documents less the database path they name
    python3 - "$T/local-compare.json" "$T/merged-compare.json" << 'EOF'
import json, sys
def without_path(value):
    if isinstance(value, dict): return {k: without_path(v) for k, v in value.items() if k != "database"}
    if isinstance(value, list): return [without_path(v) for v in value]
    return value
a, b = (without_path(json.load(open(path))) for path in sys.argv[1:3])
sys.exit(0 if a == b and a else 1)
EOF
}
check "failsim compare gives the same comparison for both (means, intervals, tests, ranking)" same_comparison

echo
if ((${#failures[@]} == 0)); then
    say "PASS: Slurm array job ($SHARD_COUNT tasks) + merge job on a one-node cluster = the sweep on one machine"
    exit 0
fi
say "FAIL: ${#failures[@]} checks failed:"
printf '  - %s\n' "${failures[@]}"
exit 1
