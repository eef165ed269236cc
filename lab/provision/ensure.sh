#!/usr/bin/env bash
# Installs, idempotently, everything the test tiers need from Debian: the reference Apache
# ZooKeeper 3.8 (Java server, zkCli.sh, Java client jars), the C client (cli_mt), kazoo and
# chromium.
# Quick when everything is already there.
set -euo pipefail

need=()
[ -f /usr/share/zookeeper/bin/zkCli.sh ] || need+=(zookeeper)
# @zkts/testkit gives the reference server slf4j-simple as its log binding.
[ -f /usr/share/java/slf4j-simple.jar ] || need+=(libslf4j-java)
# The reference AdminServer (Jetty) needs the servlet API on testkit's classpath.
[ -f /usr/share/java/servlet-api.jar ] || need+=(libservlet-api-java)
[ -x /usr/lib/zookeeper/bin/cli_mt ] || need+=(zookeeper-bin)
# Netty's codec and resolver jars: the reference server's TLS client port (NettyServerCnxnFactory)
# and the Java client's TLS socket (ClientCnxnSocketNetty) need them beside zookeeper.jar.
[ -f /usr/share/java/netty-codec.jar ] || need+=(libnetty-java)
/usr/bin/python3 -c 'import kazoo' >/dev/null 2>&1 || need+=(python3-kazoo)
# pure-sasl gives kazoo its SASL mechanisms (sasl_options with DIGEST-MD5).
/usr/bin/python3 -c 'import puresasl' >/dev/null 2>&1 || need+=(python3-pure-sasl)
# The client compatibility matrix (apps/server/test/matrix) runs kazoo on its gevent and eventlet
# handlers, and compiles a C program against the multi-threaded C client.
/usr/bin/python3 -c 'import gevent' >/dev/null 2>&1 || need+=(python3-gevent)
/usr/bin/python3 -c 'import eventlet' >/dev/null 2>&1 || need+=(python3-eventlet)
[ -f /usr/include/zookeeper/zookeeper.h ] || need+=(libzookeeper-mt-dev)
command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
# The run report's browser test opens index.html in headless chromium (through playwright-core).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# The deploy tests check the systemd unit (deploy/systemd) with systemd-analyze.
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)

if [ ${#need[@]} -gt 0 ]; then
  echo "provision: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "provision: reference ZooKeeper, cli_mt, the C client headers, kazoo (with pure-sasl, gevent, eventlet), javac, chromium and systemd-analyze are present"

# The lab's container clusters need a Docker engine (and busybox for their offline images).
bash "$(dirname "${BASH_SOURCE[0]}")/docker.sh"
