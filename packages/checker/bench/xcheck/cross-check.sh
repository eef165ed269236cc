#!/usr/bin/env bash
# Cross-checks verdicts with Porcupine on random cas-register histories: an independent
# implementation of the same definition. Needs Go and a Porcupine source tree (nothing is
# downloaded):   PORCUPINE_DIR=/path/to/porcupine bash bench/xcheck/cross-check.sh [COUNT] [SEED]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${PORCUPINE_DIR:?set PORCUPINE_DIR to a Porcupine source tree}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
node "$here/generate.mjs" "$work" "${1:-1500}" "${2:-424242}"
cp "$here/porcupine-check.go" "$work/main.go"
cat >"$work/go.mod" <<MOD
module xcheck
go 1.19
require github.com/anishathalye/porcupine v0.0.0
replace github.com/anishathalye/porcupine => $dir
MOD
(cd "$work" && GOFLAGS=-mod=mod GOPROXY=off go build -o xcheck . && start=$(date +%s%N) && ./xcheck >porcupine.txt &&
  echo "porcupine: checked in $(( ($(date +%s%N) - start) / 1000000 )) ms")
echo "verdicts (zkts / porcupine):"
paste -d' ' <(awk '{print $2}' "$work/ours.txt") <(awk '{print $2}' "$work/porcupine.txt") | sort | uniq -c
