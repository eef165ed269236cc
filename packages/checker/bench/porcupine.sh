#!/usr/bin/env bash
# Runs Porcupine's own Go benchmarks on its bundled copies of the same histories (etcd Jepsen
# logs and kv), and sums them up like bench.mjs, for a side-by-side comparison.
# Needs Go and a Porcupine source tree; nothing is downloaded:
#   PORCUPINE_DIR=/path/to/porcupine bash bench/porcupine.sh
set -euo pipefail
dir="${PORCUPINE_DIR:?set PORCUPINE_DIR to a Porcupine source tree}"
command -v go >/dev/null || { echo "go is not installed" >&2; exit 1; }
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
(cd "$dir" && GOFLAGS=-mod=mod GOPROXY=off go test -run XXX -count=1 -benchtime=20x \
  -bench 'EtcdJepsen|Kv1Client|Kv10Clients|Kv50Clients|KvNoPartition10ClientsOk' . >"$out")
grep EtcdJepsen "$out" | awk '{ print $3 / 1e6 }' | sort -n | awk '
  { t[NR] = $1; s += $1 }
  END { printf "porcupine jepsen-etcd, %d histories: total %.1f ms, median %.2f ms, max %.1f ms\n", NR, s, t[int((NR + 1) / 2)], t[NR] }'
grep -E 'BenchmarkKv' "$out" | awk '{ printf "porcupine %-34s %10.1f ms\n", $1, $3 / 1e6 }'
