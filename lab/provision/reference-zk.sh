#!/usr/bin/env bash
# Starts or stops a standalone reference Apache ZooKeeper 3.8 (Debian package) on 127.0.0.1, in
# the background, for humans poking at it by hand. Tests use @zkts/testkit instead.
#
#   lab/provision/reference-zk.sh start <port> <dataDir>   # idempotent: no-op if already running
#   lab/provision/reference-zk.sh stop  <port> <dataDir>   # idempotent: no-op if not running
#
# The zoo.cfg, the log (zookeeper.log) and the pid file (zookeeper.pid) live in <dataDir>; the
# zoo.cfg matches the one @zkts/testkit generates (4lw whitelist *, no AdminServer).
set -euo pipefail

usage() { echo "usage: $0 start|stop <port> <dataDir>" >&2; exit 2; }
[ $# -eq 3 ] || usage
action=$1 port=$2 data_dir=$3
[[ "$port" =~ ^[0-9]+$ ]] || usage
mkdir -p "$data_dir"
data_dir=$(cd "$data_dir" && pwd)
pid_file="$data_dir/zookeeper.pid"
cfg="$data_dir/zoo.cfg"
log="$data_dir/zookeeper.log"

running_pid() {
  [ -f "$pid_file" ] || return 1
  local pid
  pid=$(cat "$pid_file")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

srvr() {
  # bash's /dev/tcp avoids depending on netcat; bounded by timeout.
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && printf srvr >&3 && cat <&3" 2>/dev/null
}

case "$action" in
  start)
    if pid=$(running_pid); then
      echo "reference ZooKeeper already running (pid $pid) on 127.0.0.1:$port"
      exit 0
    fi
    cat >"$cfg" <<CFG
tickTime=2000
dataDir=$data_dir
clientPort=$port
clientPortAddress=127.0.0.1
4lw.commands.whitelist=*
admin.enableServer=false
CFG
    nohup /usr/bin/java -Xms16m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
      -Dzookeeper.jmx.log4j.disable=true \
      -cp /usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar \
      org.apache.zookeeper.server.ZooKeeperServerMain "$cfg" >>"$log" 2>&1 </dev/null &
    echo $! >"$pid_file"
    # Wait at most 60 s for the server to answer srvr.
    for _ in $(seq 1 600); do
      if srvr | grep -q "Mode:"; then
        echo "reference ZooKeeper started (pid $(cat "$pid_file")) on 127.0.0.1:$port, log $log"
        exit 0
      fi
      if ! running_pid >/dev/null; then break; fi
      sleep 0.1
    done
    echo "reference ZooKeeper did not come up on 127.0.0.1:$port; log tail:" >&2
    tail -n 30 "$log" >&2 || true
    if pid=$(running_pid); then kill -9 "$pid" 2>/dev/null || true; fi
    rm -f "$pid_file"
    exit 1
    ;;
  stop)
    if ! pid=$(running_pid); then
      rm -f "$pid_file"
      echo "reference ZooKeeper not running for $data_dir"
      exit 0
    fi
    kill -TERM "$pid"
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    rm -f "$pid_file"
    echo "reference ZooKeeper stopped (pid $pid)"
    ;;
  *) usage ;;
esac
