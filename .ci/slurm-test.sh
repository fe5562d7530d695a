#!/usr/bin/env bash
# `make slurm-test`: the scale-out path on a real scheduler. Installs Slurm from Debian (slurmctld,
# slurmd, munge), starts a throwaway one-node cluster on this machine (loopback only, its own
# ports, config, munge key and state under a temporary folder; needs root), and:
#   1. runs deploy/slurm/analyze.sbatch as a 4-task array over Fixtures/audio, merges, and checks
#      the merged CSV and JSONL equal a single-machine `analyze` byte for byte;
#   2. loses two tasks of a second run over Fixtures/audio plus a folder holding a FIFO: one is
#      cancelled before it runs, the one owning the FIFO blocks on it and is killed while running
#      (scancel: SIGTERM, SIGKILL after KillWait); checks merge exits 1, writes nothing and names
#      exactly those tasks' inputs with the reason, re-runs only those two indices, and checks
#      the merge is then complete and equal to a one-machine run;
#   3. validates deploy/kubernetes/analyze-job.yaml against the Kubernetes schema, offline
#      (kubernetes-validate, from PyPI).
# Every daemon it started is stopped on exit, pass or fail. Exit 0 all passed, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${SOUNDPROFILE_BIN:-$ROOT/.build/debug/soundprofile}
PORT_BASE=${SLURM_TEST_PORT:-16817}   # slurmctld PORT_BASE, slurmd PORT_BASE+1
[ "$(id -u)" = 0 ] || { echo "slurm-test: needs root (it starts munged, slurmctld and slurmd)" >&2; exit 1; }

echo "== Slurm from Debian (slurmctld slurmd slurm-client munge)"
missing=""; for p in slurmctld slurmd slurm-client munge; do dpkg -s $p >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
dpkg-query -W -f 'slurm ${Version}\n' slurmctld

if [ -z "${SOUNDPROFILE_BIN:-}" ]; then echo "== build (debug)"; swift build --product soundprofile 2>&1 | tail -n 1; fi
BIN=$(readlink -f "$BIN")

W=$(mktemp -d -t sp-slurm.XXXXXX)
chmod 755 "$W"
PIDS=()
cleanup() {
  local status=$?
  # Jobs first (their slurmstepd processes end with them), then the daemons, newest first.
  if [ -n "${SLURM_CONF:-}" ] && [ ${#PIDS[@]} -ge 3 ]; then
    scancel --full --quiet --partition=test 2>/dev/null || true
    for _ in $(seq 50); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.2; done
  fi
  for ((k=${#PIDS[@]}-1; k>=0; k--)); do kill "${PIDS[$k]}" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ]; then
    echo "slurm-test: FAILED (status $status); daemon logs:" >&2
    for f in "$W"/*.log "$W"/*.out "$W"/jobs/*.log; do [ -s "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }; done
  fi
  rm -rf "$W"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "== munge (own key and socket in $W)"
mkdir -p "$W/munge"
mungekey --create --keyfile="$W/munge/munge.key" 2>/dev/null || dd if=/dev/urandom bs=1 count=1024 of="$W/munge/munge.key" 2>/dev/null
chmod 700 "$W/munge"; chmod 400 "$W/munge/munge.key"
munged --foreground --force --key-file="$W/munge/munge.key" --socket="$W/munge/munge.socket" \
  --pid-file="$W/munge/munged.pid" --seed-file="$W/munge/seed" --log-file="$W/munged.log" >"$W/munged.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$W/munge/munge.socket" ] && break; sleep 0.1; done
munge --socket="$W/munge/munge.socket" -n | unmunge --socket="$W/munge/munge.socket" >/dev/null

echo "== slurmctld + slurmd (one node, 127.0.0.1:$PORT_BASE-$((PORT_BASE + 1)))"
NODE=$(hostname -s)
mkdir -p "$W/state" "$W/spool" "$W/jobs"
cat > "$W/slurm.conf" <<CONF
ClusterName=soundprofiletest
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$PORT_BASE
SlurmdPort=$((PORT_BASE + 1))
CommunicationParameters=NoInAddrAny,NoCtldInAddrAny
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$W/munge/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$W/state
SlurmdSpoolDir=$W/spool
SlurmctldPidFile=$W/slurmctld.pid
SlurmdPidFile=$W/slurmd.pid
SlurmctldLogFile=$W/slurmctld.log
SlurmdLogFile=$W/slurmd.log
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
ReturnToService=2
KillWait=2
JobCompType=jobcomp/filetxt
JobCompLoc=$W/jobcomp.txt
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
NodeName=$NODE NodeAddr=127.0.0.1 NodeHostname=$NODE CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$NODE Default=YES MaxTime=30 State=UP
CONF
export SLURM_CONF=$W/slurm.conf
slurmctld -D -i -f "$SLURM_CONF" >"$W/slurmctld.out" 2>&1 &
PIDS+=($!)
slurmd -D -N "$NODE" -f "$SLURM_CONF" >"$W/slurmd.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  state=$(sinfo -h -N -o %t 2>/dev/null || true)
  [ "$state" = idle ] && break; sleep 0.2
done
sinfo
[ "$(sinfo -h -N -o %t)" = idle ] || { echo "slurm-test: the node did not become idle" >&2; exit 1; }
echo "listening:"; ss -ltnp | grep -E "slurm|munge" || true
if ss -ltn | awk '{print $4}' | grep -E ":($PORT_BASE|$((PORT_BASE + 1)))$" | grep -vq '^127\.'; then
  echo "slurm-test: a Slurm daemon listens beyond loopback" >&2; exit 1
fi

# Waits for a job (all its array tasks) to leave the queue, printing squeue whenever it changes.
wait_job() {
  local job=$1 last="" now
  for _ in $(seq 600); do
    now=$(squeue -h -j "$job" -o '%.12i %.9P %.22j %.2t %.6M %R' 2>/dev/null || true)
    [ -z "$now" ] && return 0
    [ "$now" != "$last" ] && { echo "squeue:"; echo "$now"; last=$now; }
    sleep 0.5
  done
  echo "slurm-test: job $job still queued after 5 minutes" >&2; squeue; return 1
}
# Every task of a finished job as Slurm recorded it (kept MinJobAge = 5 minutes; no accounting
# database here, so this stands in for sacct).
show_tasks() {
  scontrol -o show job "$1" | while read -r line; do
    for k in JobId ArrayJobId ArrayTaskId JobState ExitCode RunTime NodeList; do printf '%s ' "$(grep -o "\b$k=[^ ]*" <<<"$line" | head -n 1)"; done
    echo
  done | sort -t= -k4 -n
}
# Submits the job file as a user would, from the repository root; prints the job id.
submit() {
  SOUNDPROFILE=$BIN INPUT=${SUBMIT_INPUT:-Fixtures/audio} RESULTS=$1 ANALYZE_ARGS=$ANALYZE_ARGS \
    sbatch --parsable --chdir="$ROOT" --output="$W/jobs/%A_%a.log" --export=ALL "${@:2}" deploy/slurm/analyze.sbatch
}

ANALYZE_ARGS="--bands octave --range 125-8000"
echo "== reference: one machine, analyze Fixtures/audio $ANALYZE_ARGS"
# shellcheck disable=SC2086
"$BIN" analyze Fixtures/audio $ANALYZE_ARGS --quiet --format csv --output "$W/reference.csv"
# shellcheck disable=SC2086
"$BIN" analyze Fixtures/audio $ANALYZE_ARGS --quiet --format jsonl --output "$W/reference.jsonl"
echo "$(($(wc -l < "$W/reference.csv") - 1)) CSV rows, $(wc -l < "$W/reference.jsonl") files"

echo "== 1. the array job, 4 tasks"
job=$(submit "$W/results" --array=0-3)
echo "submitted job $job"; squeue
wait_job "$job"
echo "job $job left the queue:"; show_tasks "$job"
[ "$(show_tasks "$job" | grep -c 'JobState=COMPLETED ExitCode=0:0')" -eq 4 ] || { echo "slurm-test: not every task completed" >&2; cat "$W"/jobs/*.log >&2; exit 1; }
ls "$W"/results/settings-*/manifest
if ! "$BIN" merge "$W/results" --format csv --output "$W/merged.csv"; then echo "slurm-test: merge failed" >&2; exit 1; fi
"$BIN" merge "$W/results" --format jsonl --output "$W/merged.jsonl"
cmp "$W/reference.csv" "$W/merged.csv" && cmp "$W/reference.jsonl" "$W/merged.jsonl" \
  || { echo "slurm-test: merged output differs from the single-machine run" >&2; diff "$W/reference.csv" "$W/merged.csv" | head; exit 1; }
echo "merged table (head):"; head -n 4 "$W/merged.csv" | cut -c1-160
echo "OK: merged CSV and JSONL equal the single-machine run byte for byte"

echo "== 2. lost tasks: one cancelled before it ran, one killed while running; merge names their inputs; only those re-run"
# A second input folder holds stream.wav as a FIFO: the task that owns it blocks reading it, like
# a task stuck on a hung file system, until it is killed (SIGTERM, then SIGKILL after KillWait).
mkdir -p "$W/slow"
python3 - "$W/stream.wav" <<'PY'
import random, sys, wave
random.seed(16)  # 1 s of noise whose content is not among the fixtures
w = wave.open(sys.argv[1], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(48000)
w.writeframes(bytes(random.getrandbits(8) for _ in range(96000))); w.close()
PY
mkfifo "$W/slow/stream.wav"
# Which shard owns stream.wav (FNV-1a of its key, as the binary computes it; the manifest checks it),
# and which other shard owns the most of Fixtures/audio (from step 1): that one is never run.
read -r KILLED LOST < <(python3 - "$W/results" <<'PY'
import glob, json, sys
h = 0xcbf29ce484222325
for b in b"stream.wav": h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
killed = h % 4
sizes = {json.load(open(p))["shardIndex"]: len(json.load(open(p))["files"]) for p in glob.glob(sys.argv[1] + "/settings-*/manifest/shard-*-of-4.json")}
print(killed, max((i for i in sizes if i != killed), key=lambda i: sizes[i]))
PY
)
python3 - "$W/results" "$LOST" "$KILLED" "$W/slow/stream.wav" > "$W/lost-expected.txt" <<'PY'
import glob, json, sys
d, lost, killed, stream = glob.glob(sys.argv[1] + "/settings-*")[0], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
owned = set()
for i in (lost, killed): owned |= {f["path"] for f in json.load(open(f"{d}/manifest/shard-{i}-of-4.json"))["files"]}
every = json.load(open(f"{d}/manifest/shard-0-of-4.json"))["allFiles"]
print("\n".join([f["path"] for f in every if f["path"] in owned] + [stream]))
PY
echo "shard $LOST of 4 will be cancelled before it runs; shard $KILLED (owns stream.wav) killed while running; together they own $(wc -l < "$W/lost-expected.txt") inputs"
export SUBMIT_INPUT="Fixtures/audio $W/slow"
job=$(submit "$W/results2" --array=0-3 --hold)
scancel "${job}_${LOST}"
echo "after scancel ${job}_${LOST}:"; squeue -j "$job" -o '%.12i %.22j %.2t %R'
scontrol release "$job"
left=""
for _ in $(seq 600); do
  left=$(squeue -h -j "$job" -o '%K %t' 2>/dev/null || true)
  [ "$left" = "$KILLED R" ] && grep -qs stream.wav "$W"/results2/settings-*/manifest/shard-"$KILLED"-of-4.json && break
  sleep 0.5
done
[ "$left" = "$KILLED R" ] || { echo "slurm-test: expected only task $KILLED left, running; squeue: $left" >&2; exit 1; }
echo "task $KILLED is running (blocked on stream.wav), the others are done:"; squeue -j "$job" -o '%.12i %.22j %.2t %.6M %R'
scancel "${job}_${KILLED}"
wait_job "$job"
show_tasks "$job"
echo "manifests: $(ls "$W"/results2/settings-*/manifest | tr '\n' ' ')"
set +e
"$BIN" merge "$W/results2" --format csv --output "$W/merged2.csv" 2> "$W/merge2.err"
status=$?
set -e
cat "$W/merge2.err"
[ "$status" -eq 1 ] || { echo "slurm-test: merge with lost tasks exited $status, not 1" >&2; exit 1; }
[ ! -e "$W/merged2.csv" ] || { echo "slurm-test: merge wrote a partial table" >&2; exit 1; }
sed -n 's/^soundprofile merge: no result for \(.*\) (shard .*/\1/p' "$W/merge2.err" > "$W/lost-named.txt"
diff "$W/lost-expected.txt" "$W/lost-named.txt" \
  || { echo "slurm-test: merge did not name exactly the lost tasks' inputs" >&2; exit 1; }
grep -q "(shard $LOST of 4: the shard wrote no manifest" "$W/merge2.err" && grep -q "(shard $KILLED of 4: the shard started but did not finish)" "$W/merge2.err" \
  || { echo "slurm-test: merge did not say why each input is missing" >&2; exit 1; }
echo "OK: merge exits 1 naming the $(wc -l < "$W/lost-named.txt") inputs of the two lost tasks, and writes nothing"
echo "the file system 'recovers' (stream.wav readable); reference for these inputs, then re-running only indices $LOST,$KILLED:"
rm "$W/slow/stream.wav"; mv "$W/stream.wav" "$W/slow/stream.wav"
# shellcheck disable=SC2086
"$BIN" analyze $SUBMIT_INPUT $ANALYZE_ARGS --quiet --format csv --output "$W/reference2.csv"
job=$(SOUNDPROFILE_SHARD_COUNT=4 submit "$W/results2" --array="$LOST,$KILLED")
wait_job "$job"
show_tasks "$job"
"$BIN" merge "$W/results2" --format csv --output "$W/merged2.csv"
cmp "$W/reference2.csv" "$W/merged2.csv" || { echo "slurm-test: merge after the re-run differs" >&2; exit 1; }
echo "OK: after re-running indices $LOST,$KILLED the merge is complete and equals the single-machine run"

echo "== 3. deploy/kubernetes/analyze-job.yaml against the Kubernetes schema (offline)"
if ! python3 -c 'import kubernetes_validate' 2>/dev/null; then
  python3 -m pip install -q --disable-pip-version-check --break-system-packages kubernetes-validate==1.37.0 >/dev/null 2>&1 \
    || python3 -m pip install -q --disable-pip-version-check kubernetes-validate==1.37.0 >/dev/null
fi
python3 -m kubernetes_validate --strict --kubernetes-version 1.30.0 deploy/kubernetes/analyze-job.yaml

echo "== slurm-test passed"
