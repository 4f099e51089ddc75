#!/usr/bin/env bash
# single-node.sh — a real single-node Slurm 22.05 (Debian 12 packages: munge, slurmctld, slurmd, slurm-client) for the
# integration test, without systemd, as root.
#
#   build/slurm/single-node.sh start    install if needed, write slurm.conf, start munged + slurmctld + slurmd, wait for "idle"
#   build/slurm/single-node.sh status   daemons, sinfo, squeue
#   build/slurm/single-node.sh stop     stop the daemons this script started, by their recorded PIDs
#
# HARNESS_SLURM_BASE (default /tmp/harness-slurm) holds slurm.conf, state, spool, logs and PID files.
# Clients need  export SLURM_CONF=$HARNESS_SLURM_BASE/etc/slurm.conf  (`start` prints it; .ci/run exports it).
# Exit code 3 from start: not root or no apt-get (the integration test then skips with a message).
set -euo pipefail

BASE=${HARNESS_SLURM_BASE:-/tmp/harness-slurm}
ETC=$BASE/etc RUN=$BASE/run LOG=$BASE/log
export SLURM_CONF=$ETC/slurm.conf
NODE=$(hostname -s)
T0=$(date +%s.%N)

say() { awk -v a="$(date +%s.%N)" -v b="$T0" -v m="$*" 'BEGIN{printf "[slurm %5.1fs] %s\n", a-b, m}'; }
die() { say "FAIL: $*"; exit 1; }

# wait_for SECONDS CMD...: poll every 0.2 s until CMD succeeds
wait_for() {
  local t=$1; shift
  local end=$(( $(date +%s) + t ))
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s) < end )) || return 1
    sleep 0.2
  done
}

# a PID that exists and is not a zombie (PID 1 here may reap late, so kill -0 alone is not enough)
alive() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1; [[ $s != Z* ]]; }

install_packages() {
  local b missing=0
  for b in slurmctld slurmd sbatch munged; do command -v "$b" >/dev/null || missing=1; done
  if [ "$missing" = 0 ]; then say "slurm packages present ($(slurmd -V))"; return; fi
  # The postinst scripts would try to start the services (and fail without a slurm.conf): deny that during the install.
  local policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; policy=1; fi
  say "apt-get update + install slurmctld slurmd slurm-client munge"
  apt-get update -q >"$LOG/apt-update.log" 2>&1 || { tail -20 "$LOG/apt-update.log"; die "apt-get update"; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurmctld slurmd slurm-client munge \
    >"$LOG/apt-install.log" 2>&1 || { tail -30 "$LOG/apt-install.log"; die "apt-get install"; }
  [ "$policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  say "installed $(slurmd -V)"
}

write_conf() {
  local cpus mem
  cpus=$(nproc)
  # RealMemory above what slurmd detects drains the node: ask for half of it
  mem=$(( $(awk '/MemTotal/{print int($2/1024)}' /proc/meminfo) / 2 ))
  cat > "$SLURM_CONF" <<CONF
ClusterName=harness-ci
SlurmctldHost=${NODE}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# credential lifetime, also the wait before a requeued job may start again (default 120 s)
AuthInfo=cred_expire=10
MpiDefault=none
MailProg=/bin/true
# no cgroups (works on cgroup v1/v2 without systemd); --mem is not enforced
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,bf_interval=2,sched_interval=5
ReturnToService=2
StateSaveLocation=$BASE/state
SlurmdSpoolDir=$BASE/spool/slurmd
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$LOG/slurmctld.log
SlurmdLogFile=$LOG/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
SlurmctldPort=6817
SlurmdPort=6818
InactiveLimit=0
KillWait=10
MinJobAge=600
SlurmctldTimeout=30
SlurmdTimeout=30
Waittime=0
NodeName=${NODE} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
}

start_munge() {
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then say "munged already running (not ours; left alone)"; return; fi
  if [ ! -s /etc/munge/munge.key ]; then
    install -d -o munge -g munge -m 0700 /etc/munge
    runuser -u munge -- /usr/sbin/mungekey --create --keyfile=/etc/munge/munge.key
  fi
  install -d -o munge -g munge -m 0755 /run/munge          # systemd's RuntimeDirectory otherwise
  rm -f /run/munge/munged.pid
  runuser -u munge -- /usr/sbin/munged
  wait_for 10 test -s /run/munge/munged.pid || die "munged did not start"
  cp /run/munge/munged.pid "$RUN/munged.ourpid"
  wait_for 10 sh -c 'munge -n | unmunge' || die "munge round trip failed"
  say "munged up (pid $(cat "$RUN/munged.ourpid"))"
}

start_daemons() {
  rm -rf "$BASE/state" "$BASE/spool"
  mkdir -p "$BASE/state" "$BASE/spool/slurmd"
  : > "$LOG/slurmctld.log"; : > "$LOG/slurmd.log"
  # -D keeps them in the foreground, so $! is the daemon itself
  nohup slurmctld -D -f "$SLURM_CONF" >"$LOG/slurmctld.stdout" 2>&1 &
  echo $! > "$RUN/slurmctld.ourpid"
  wait_for 30 sh -c 'scontrol ping | grep -q "is UP"' || { cat "$LOG/slurmctld.stdout"; die "slurmctld not responding"; }
  nohup slurmd -D -f "$SLURM_CONF" >"$LOG/slurmd.stdout" 2>&1 &
  echo $! > "$RUN/slurmd.ourpid"
  wait_for 30 sh -c "sinfo -h -n $NODE -o %t | grep -qx idle" || { cat "$LOG/slurmd.stdout"; sinfo -R; die "node not idle"; }
  say "slurmctld (pid $(cat "$RUN/slurmctld.ourpid")) and slurmd (pid $(cat "$RUN/slurmd.ourpid")) up; node $NODE idle"
}

stop_all() {
  local f pid
  for f in slurmd slurmctld munged; do
    [ -s "$RUN/$f.ourpid" ] || continue
    pid=$(cat "$RUN/$f.ourpid")
    if alive "$pid"; then
      kill "$pid"
      for _ in $(seq 1 75); do alive "$pid" || break; sleep 0.2; done
      if alive "$pid"; then kill -9 "$pid"; say "$f needed SIGKILL"; fi
    fi
    rm -f "$RUN/$f.ourpid"
    say "stopped $f ($pid)"
  done
}

check_not_running() {
  local f
  for f in "$RUN"/*.ourpid; do
    [ -e "$f" ] || continue
    if alive "$(cat "$f")"; then die "$(basename "$f" .ourpid) already running; run '$0 stop' first"; fi
    rm -f "$f"
  done
}

mkdir -p "$ETC" "$RUN" "$LOG"
case "${1:-}" in
  start)
    if [ "$(id -u)" != 0 ]; then echo "single-node Slurm needs root (installs packages, runs the daemons as root)"; exit 3; fi
    if ! command -v apt-get >/dev/null && ! command -v slurmctld >/dev/null; then echo "no apt-get and no slurmctld: cannot install Slurm here"; exit 3; fi
    check_not_running
    install_packages; write_conf; start_munge; start_daemons
    echo "export SLURM_CONF=$SLURM_CONF" ;;
  stop) stop_all ;;
  status)
    for f in munged slurmctld slurmd; do
      if [ -s "$RUN/$f.ourpid" ] && alive "$(cat "$RUN/$f.ourpid")"; then echo "$f: running (pid $(cat "$RUN/$f.ourpid"))"; else echo "$f: not running"; fi
    done
    sinfo 2>&1 || true; squeue 2>&1 || true ;;
  *) echo "usage: $0 start|stop|status"; exit 2 ;;
esac
