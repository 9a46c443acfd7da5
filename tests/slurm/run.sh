#!/usr/bin/env bash
# The SLURM profile on a real one-node cluster: install Debian's SLURM 22.05 packages, write a one-node
# configuration, start munged, slurmctld and slurmd, run a slice of the quick pipeline through
# workflow/profiles/slurm exactly as written, check its outputs equal a local run's, stop the daemons.
#
#   . .venv/bin/activate && bash tests/slurm/run.sh      # as root, or as a user with sudo
#
# The cluster has no accounting (no slurmdbd): job status comes from squeue, which the profile selects.
# Everything the daemons write lives in one scratch directory (removed on success, kept and printed on
# failure); the daemons use their own ports and munge socket. The configuration goes to
# /etc/slurm/slurm.conf for the run and is removed after; where that file exists already, the test is
# skipped. Exit status: 0 passed, 1 failed, 77 skipped (this machine cannot run the daemons).
# Environment: SLURM_TEST_SLICE (targets, default below), SLURM_TEST_ARGS (extra snakemake arguments for
# the SLURM run only, e.g. grouping; default none: the profile exactly as written), SLURM_TEST_TIMEOUT
# (seconds the SLURM run may take, default 900), SLURM_TEST_PORT
# (slurmctld port, default 16817; slurmd uses the next one), SLURM_TEST_WORK (scratch directory).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
SKIP=77

# The slice: four surfaces trainings (two tasks x two architectures, ReLU), then the exact region counts
# of their checkpoints, which needs all four. Two layers of jobs, five SLURM jobs.
SLICE=${SLURM_TEST_SLICE:-results/regions/trained.csv}
PORT=${SLURM_TEST_PORT:-16817}

skip() { echo "SLURM test skipped: $*"; exit "$SKIP"; }

# Python with snakemake: the caller's (activated venv), made visible to jobs below.
PYTHON=$(command -v python || true)
[ -n "$PYTHON" ] && "$PYTHON" -c "import snakemake_executor_plugin_slurm" 2>/dev/null ||
  skip "activate a venv with pip install -e '.[slurm]' first (no snakemake-executor-plugin-slurm in '$PYTHON')"
if [ -n "$SUDO" ] && ! sudo -n true 2>/dev/null; then skip "not root and no password-less sudo"; fi

# 1. Debian's SLURM and munge packages.
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null ||
   ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || skip "no apt-get to install slurmctld, slurmd, slurm-client, munge"
  echo "installing slurmctld slurmd slurm-client munge"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null ||
    { $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null; } ||
    skip "apt-get install slurmctld slurmd slurm-client munge failed"
fi
SBIN=$(dirname "$(command -v slurmctld)")

# 2. Scratch directory, and the trap that stops every daemon started here, by PID, in reverse order.
WORK=${SLURM_TEST_WORK:-$(mktemp -d /tmp/relulab-slurm.XXXXXX)}
mkdir -p "$WORK" && chmod 755 "$WORK"
PIDS=()
PASSED=0
WROTE_CONF=0
SM=""
stop_daemons() {
  local i
  if [ -n "$SM" ] && kill -0 "$SM" 2>/dev/null; then kill -9 "$SM" 2>/dev/null || true; fi
  # Jobs first: a job's slurmstepd outlives slurmd. Only this cluster's jobs are visible here.
  if [ "$WROTE_CONF" = 1 ] && [ -n "$(squeue -h -o %i 2>/dev/null)" ]; then
    $SUDO scancel --full $(squeue -h -o %i) 2>/dev/null || true
    for _ in $(seq 30); do [ -z "$(squeue -h -t running,completing -o %i 2>/dev/null)" ] && break; sleep 1; done
  fi
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    $SUDO kill "${PIDS[i]}" 2>/dev/null || true
  done
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    for _ in $(seq 50); do $SUDO kill -0 "${PIDS[i]}" 2>/dev/null || break; sleep 0.2; done
    $SUDO kill -9 "${PIDS[i]}" 2>/dev/null || true
  done
  [ ${#PIDS[@]} = 0 ] || echo "stopped daemons (PIDs ${PIDS[*]})"
  if [ "$WROTE_CONF" = 1 ]; then $SUDO rm -f "$CONF"; echo "removed $CONF"; fi
  if [ "$PASSED" = 1 ] && [ -z "${SLURM_TEST_WORK:-}" ]; then $SUDO rm -rf "$WORK"; else echo "scratch kept: $WORK"; fi
}
trap stop_daemons EXIT
trap 'exit 143' TERM INT
# start NAME CMD...: run a daemon in the foreground of a background job, so $! is its PID (sudo's under
# sudo, which passes the signal on).
start() { local name=$1; shift; $SUDO "$@" >"$WORK/$name.out" 2>&1 & PIDS+=($!); }

# 3. munged on its own socket, with the key Debian's munge package created.
KEY=/etc/munge/munge.key
if ! $SUDO test -s "$KEY"; then $SUDO mungekey --create --keyfile="$KEY" 2>/dev/null || $SUDO create-munge-key; fi
mkdir -p "$WORK/munge" && chmod 755 "$WORK/munge"
[ -z "$SUDO" ] || sudo chown root: "$WORK/munge"
start munged "$SBIN/munged" --foreground --force --socket="$WORK/munge/munge.socket" --key-file="$KEY" \
  --pid-file="$WORK/munge/munged.pid" --seed-file="$WORK/munge/munged.seed" --log-file="$WORK/munge/munged.log"
for _ in $(seq 50); do $SUDO test -S "$WORK/munge/munge.socket" && break; sleep 0.2; done
$SUDO test -S "$WORK/munge/munge.socket" || { cat "$WORK/munged.out"; skip "munged did not start"; }

# 4. A one-node configuration: this host, its CPUs and most of its memory; one partition, the default,
# deliberately not called "normal" (the profile must not name one). No accounting, no cgroups.
NODE=$(hostname -s)
CPUS=$(nproc)
MEM=$(( $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) * 8 / 10 ))
# It goes where every SLURM command looks, /etc/slurm/slurm.conf: the plugin's job step strips SLURM_*
# variables (SLURM_CONF included) before its srun, so a configuration elsewhere would not reach it.
# An existing configuration is never touched: then the test is skipped.
CONF=/etc/slurm/slurm.conf
[ ! -e "$CONF" ] || skip "$CONF exists (a SLURM is configured here); this test writes its own and leaves yours alone"
unset SLURM_CONF
mkdir -p "$WORK/state" "$WORK/spool"
cat >"$WORK/slurm.conf" <<EOF
ClusterName=relulab-test
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$WORK/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
MinJobAge=300
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=relulab Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
$SUDO install -D -m 644 "$WORK/slurm.conf" "$CONF" && WROTE_CONF=1

# 5. slurmctld and slurmd, then wait until the node is idle.
start slurmctld "$SBIN/slurmctld" -D -i
start slurmd "$SBIN/slurmd" -D -N "$NODE"
state=""
for _ in $(seq 60); do
  state=$(sinfo -h -n "$NODE" -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 1
done
if [ "$state" != idle ]; then
  tail -n 20 "$WORK"/slurmctld.out "$WORK"/slurmd.out "$WORK"/slurmctld.log "$WORK"/slurmd.log 2>/dev/null || true
  skip "node $NODE not idle after 60 s (state '${state:-none}'): this machine cannot run slurmd"
fi
sinfo

# 6. Two copies of the checkout (tracked and new files, no results): one runs locally, one on SLURM.
# Each exports PYTHONPATH=<copy>/src so its own library is imported wherever the editable install
# points; sbatch --export=ALL (the plugin's default) hands PATH and PYTHONPATH to the jobs.
for d in local slurm; do
  mkdir -p "$WORK/$d"
  git -C "$ROOT" ls-files -z --cached --others --exclude-standard | (cd "$ROOT" && xargs -0 tar cf - 2>/dev/null) |
    tar xf - -C "$WORK/$d"
done
export PATH="$(dirname "$PYTHON"):$PATH"

read -r -a targets <<<"$SLICE"
read -r -a extra <<<"${SLURM_TEST_ARGS:-}"
t0=$(date +%s)
(cd "$WORK/local" && PYTHONPATH="$WORK/local/src" snakemake "${targets[@]}" --cores 2 \
  --configfile config/quick.yaml >"$WORK/local.log" 2>&1) || { tail -n 40 "$WORK/local.log"; exit 1; }
local_s=$(( $(date +%s) - t0 ))

t0=$(date +%s)
cd "$WORK/slurm"
PYTHONPATH="$WORK/slurm/src" snakemake "${targets[@]}" --workflow-profile workflow/profiles/slurm \
  ${extra[@]+"${extra[@]}"} --configfile config/quick.yaml >"$WORK/slurm.log" 2>&1 &
SM=$!
cd "$ROOT"
# A job SLURM can never start (more CPUs or memory than the node has) pends forever, and Snakemake waits
# for it even after SIGTERM: bound the run, then kill.
limit=${SLURM_TEST_TIMEOUT:-900}
while kill -0 "$SM" 2>/dev/null && (( $(date +%s) - t0 < limit )); do sleep 2; done
if kill -0 "$SM" 2>/dev/null; then
  echo "SLURM run still going after $limit s; pending jobs:"; squeue -o "%i %k %C %m %l %T %r" || true
  kill -9 "$SM"
fi
rc=0; wait "$SM" || rc=$?
SM=""
slurm_s=$(( $(date +%s) - t0 ))
[ "$rc" = 0 ] || { tail -n 60 "$WORK/slurm.log"; tail -n 20 "$WORK/slurmctld.log"; exit 1; }
grep -E "^Job .* has been submitted|steps \(" "$WORK/slurm.log" || true

# 7. The scheduler got each rule's threads, mem_mb and runtime (MinJobAge keeps finished jobs in squeue).
echo "jobs as SLURM saw them (comment = rule, cpus, memory, time limit, state):"
squeue -h --states=all -o "%k|%C|%m|%l|%T" | sort | tee "$WORK/jobs.txt"
expect() {  # expect RULE CPUS MEM LIMIT
  grep -q "^rule_$1.*|$2|$3M|$4|COMPLETED$" "$WORK/jobs.txt" ||
    { echo "FAIL: no completed $1 job with cpus=$2 mem=$3M time=$4"; exit 1; }
}
if [ -z "${SLURM_TEST_ARGS:-}" ]; then   # (grouping and other extra arguments change what is asked)
  expect surfaces_train 1 1000 30:00
  expect regions_trained 1 1000 15:00
fi

# 8. Same outputs.
files=$(cd "$WORK/local" && find results -type f \( -name '*.csv' -o -name '*.json' -o -name '*.pt' \) | sort)
"$PYTHON" "$ROOT/tests/slurm/compare.py" "$WORK/local" "$WORK/slurm" $files

PASSED=1
echo "SLURM test passed: slice '$SLICE' ($(echo "$files" | wc -l) outputs) local ${local_s} s, through SLURM ${slurm_s} s"
