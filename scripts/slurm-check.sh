#!/usr/bin/env bash
# The Snakemake workflow through a real Slurm: a one-node cluster started
# on this machine (Debian's slurm-wlm and munge, as root, no accounting
# database), the workflow submitted with Snakemake's Slurm executor plugin
# exactly as on a cluster (--executor slurm; job status from squeue), and
# the result checked against one process: the merged matrix byte for byte,
# the PERMANOVA table identical. `make slurm-check` (needs root; installs
# the packages through scripts/setup.sh --slurm). The cluster is stopped
# on exit.
set -euo pipefail
MOODBIOME=$(realpath "${MOODBIOME:-.build/debug/moodbiome}")
fail() { echo "slurm-check: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root: it starts munged, slurmctld and slurmd"
scripts/setup.sh --slurm
work=$(mktemp -d /tmp/moodbiome-slurm-XXXXXX)
chmod 755 "$work"
stop() {
  pkill -x slurmd 2>/dev/null || true
  pkill -x slurmctld 2>/dev/null || true
  [ -n "${munge_pid:-}" ] && kill "$munge_pid" 2>/dev/null || true
  [ "${wrote_conf:-0}" = 1 ] && rm -f /etc/slurm/slurm.conf
  rm -rf "$work"
}
trap stop EXIT
# munge: a key of this run's own, its own socket.
mkdir -p "$work/munge" /run/munge
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket=/run/munge/munge.socket.2 \
       --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/seed"
munge_pid=$(cat "$work/munge/munged.pid")
# Slurm: one node (this host), one partition.
host=$(hostname -s)
cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
mkdir -p "$work/spool/ctld" "$work/spool/d" "$work/log"
cat >"$work/slurm.conf" <<CONF
ClusterName=moodbiome-check
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$work/spool/ctld
SlurmdSpoolDir=$work/spool/d
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MinJobAge=600
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
# The jobs' own srun reads the default place, so the config goes there —
# never over a real cluster's.
[ -e /etc/slurm/slurm.conf ] && fail "/etc/slurm/slurm.conf exists: this machine has a Slurm of its own; run the workflow there instead"
mkdir -p /etc/slurm
cp "$work/slurm.conf" /etc/slurm/slurm.conf
wrote_conf=1
export SLURM_CONF=/etc/slurm/slurm.conf
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 1 30); do
  sinfo -h -o %T 2>/dev/null | grep -Eq '^(idle|mixed)' && break
  sleep 1
done
sinfo -h -o %T | grep -Eq '^(idle|mixed)' || { cat "$work/log/"*.log >&2; fail "the Slurm node did not come up"; }
# The workflow through Slurm, then the same table in one process.
out="$work/results"
python3 -m snakemake -s workflows/Snakefile --configfile workflows/config.yaml --directory "$PWD" \
  --executor slurm --slurm-status-command squeue --jobs 4 --latency-wait 10 \
  --default-resources slurm_partition=main mem_mb=1000 runtime=30 \
  --config moodbiome="$MOODBIOME" stripes=3 out="$out" >"$work/snakemake.log" 2>&1 \
  || { cat "$work/snakemake.log" >&2; fail "snakemake --executor slurm failed"; }
jobs=$(grep -c "Job .* has been submitted with SLURM jobid" "$work/snakemake.log" || true)
[ "$jobs" -ge 7 ] || { cat "$work/snakemake.log" >&2; fail "expected the stripes, shares and merges as Slurm jobs, saw $jobs"; }
"$MOODBIOME" beta Datasets/simulated-gut-mood/counts.csv --metric braycurtis -o "$work/single.h5" 2>/dev/null
cmp -s "$work/single.h5" "$out/distance-matrix.h5" || fail "the matrix merged on Slurm differs from one process's"
"$MOODBIOME" permanova "$work/single.h5" --metadata Datasets/simulated-gut-mood/metadata.csv \
  --formula "~ phq9_total + age + sex" --seed 1 --streamed -o "$work/permanova.csv" 2>/dev/null
cmp -s "$work/permanova.csv" "$out/permanova.csv" || fail "the PERMANOVA table from Slurm differs from one process's"
echo "slurm-check: $jobs Slurm jobs; merged matrix identical to one process's, PERMANOVA table identical"
