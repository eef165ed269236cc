#!/usr/bin/env bash
# Makes a Docker engine answer on this machine, idempotently: installs Debian's docker.io
# (and busybox-static, the shell the lab's offline images carry) when missing, and starts
# dockerd in the background when `docker info` fails. Quick when everything is there.
# Used by the lab's container tests and by hand; prints one line.
set -euo pipefail

LOG=${ZKTS_DOCKERD_LOG:-/var/log/zkts-dockerd.log}
WAIT_S=${ZKTS_DOCKERD_WAIT_S:-60}
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if docker info >/dev/null 2>&1; then
  echo "docker: engine $(docker version --format '{{.Server.Version}}' 2>/dev/null) answers"
  exit 0
fi

# Without a service manager, dockerd runs detached from this shell, its output in a log file.
$SUDO mkdir -p "$(dirname "$LOG")"
$SUDO sh -c "setsid dockerd >>'$LOG' 2>&1 </dev/null &"
for _ in $(seq 1 $((WAIT_S * 2))); do
  if docker info >/dev/null 2>&1; then
    echo "docker: started dockerd (engine $(docker version --format '{{.Server.Version}}' 2>/dev/null), log $LOG)"
    exit 0
  fi
  sleep 0.5
done
echo "docker: dockerd did not answer within ${WAIT_S} s; last lines of $LOG:" >&2
tail -n 20 "$LOG" >&2 || true
exit 1
