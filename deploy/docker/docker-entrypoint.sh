#!/bin/sh
# Entry point of the zkts image. It reads the environment the official `zookeeper` image
# reads, so a compose file or manifest written for that image runs zkts unchanged:
#
#   ZOO_MY_ID                 this member's id, written to $ZOO_DATA_DIR/myid (default 1)
#   ZOO_SERVERS               space-separated server.N lines, e.g.
#                             "server.1=zk1:2888:3888;2181 server.2=zk2:2888:3888;2181"
#                             (default: a single server, which runs standalone)
#   ZOO_TICK_TIME, ZOO_INIT_LIMIT, ZOO_SYNC_LIMIT, ZOO_MAX_CLIENT_CNXNS,
#   ZOO_STANDALONE_ENABLED, ZOO_ADMINSERVER_ENABLED,
#   ZOO_AUTOPURGE_PURGEINTERVAL, ZOO_AUTOPURGE_SNAPRETAINCOUNT,
#   ZOO_4LW_COMMANDS_WHITELIST the zoo.cfg keys of the same meaning
#   ZOO_CFG_EXTRA             further space-separated key=value lines for zoo.cfg
#   ZOO_CONF_DIR, ZOO_DATA_DIR, ZOO_DATA_LOG_DIR   /conf, /data, /datalog
#
# $ZOO_CONF_DIR/zoo.cfg is written from these only when it does not exist: a zoo.cfg the
# operator mounts there wins, and one written at a container's first start is kept when the
# same container starts again. The myid file is likewise written only when missing.
#
# The command then replaces this shell (exec), so the server is the container's first
# process and receives the runtime's SIGTERM itself: it stops accepting, closes its client
# connections (their sessions live on, for the clients to resume on another member),
# flushes and fsyncs its transaction log, and exits 0.
set -eu
# Values are split on spaces and never globbed (a whitelist of "*" stays "*").
set -f

: "${ZOO_CONF_DIR:=/conf}"
: "${ZOO_DATA_DIR:=/data}"
: "${ZOO_DATA_LOG_DIR:=/datalog}"
: "${ZOO_MY_ID:=1}"
: "${ZOO_SERVERS:=server.1=localhost:2888:3888;2181}"
: "${ZOO_TICK_TIME:=2000}"
: "${ZOO_INIT_LIMIT:=5}"
: "${ZOO_SYNC_LIMIT:=2}"
: "${ZOO_MAX_CLIENT_CNXNS:=60}"
: "${ZOO_STANDALONE_ENABLED:=true}"
: "${ZOO_ADMINSERVER_ENABLED:=true}"
: "${ZOO_AUTOPURGE_PURGEINTERVAL:=0}"
: "${ZOO_AUTOPURGE_SNAPRETAINCOUNT:=3}"
# ruok is what the image's HEALTHCHECK asks; isro and mntr are what orchestrators and
# monitoring ask. A whitelist set here must keep ruok for the health check to pass.
: "${ZOO_4LW_COMMANDS_WHITELIST:=srvr,ruok,isro,mntr}"
: "${ZOO_CFG_EXTRA:=}"

config="$ZOO_CONF_DIR/zoo.cfg"

# The client port of this member's own server line ("...;2181" or "...;host:2181"), 2181
# without one. zoo.cfg names it as clientPort too, so the port never depends on which of
# the two a server reads.
own_client_port() {
  for line in $ZOO_SERVERS; do
    case "$line" in
      "server.$ZOO_MY_ID="*";"*)
        port="${line#*;}"
        echo "${port##*:}"
        return
        ;;
    esac
  done
  echo 2181
}

write_config() {
  tmp="$config.tmp.$$"
  {
    echo "dataDir=$ZOO_DATA_DIR"
    echo "dataLogDir=$ZOO_DATA_LOG_DIR"
    echo "tickTime=$ZOO_TICK_TIME"
    echo "initLimit=$ZOO_INIT_LIMIT"
    echo "syncLimit=$ZOO_SYNC_LIMIT"
    echo "maxClientCnxns=$ZOO_MAX_CLIENT_CNXNS"
    echo "standaloneEnabled=$ZOO_STANDALONE_ENABLED"
    echo "admin.enableServer=$ZOO_ADMINSERVER_ENABLED"
    echo "autopurge.purgeInterval=$ZOO_AUTOPURGE_PURGEINTERVAL"
    echo "autopurge.snapRetainCount=$ZOO_AUTOPURGE_SNAPRETAINCOUNT"
    echo "4lw.commands.whitelist=$ZOO_4LW_COMMANDS_WHITELIST"
    echo "clientPort=$(own_client_port)"
    for line in $ZOO_SERVERS; do echo "$line"; done
    for line in $ZOO_CFG_EXTRA; do echo "$line"; done
  } >"$tmp"
  # Renamed into place whole, so a container stopped mid-write never keeps half a zoo.cfg
  # that would then take precedence on every later start.
  mv "$tmp" "$config"
}

if [ ! -f "$config" ]; then
  mkdir -p "$ZOO_CONF_DIR"
  write_config
fi
mkdir -p "$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR"
if [ ! -f "$ZOO_DATA_DIR/myid" ]; then
  echo "$ZOO_MY_ID" >"$ZOO_DATA_DIR/myid"
fi

exec "$@"
