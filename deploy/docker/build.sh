#!/usr/bin/env bash
# Builds the zkts image from this checkout: stages the built server (only the modules
# apps/server/dist/main.js loads, with their npm packages) and this directory's files into a
# temporary context, then runs docker build on deploy/docker/Dockerfile.
#
#   npm ci && npx turbo run build && bash deploy/docker/build.sh [TAG]
#
# TAG defaults to zkts:<version>. BASE_IMAGE (default node:20-slim) swaps the base, e.g. for a
# mirror of the registry or an image made offline.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
version=$(node -p "require('$root/apps/server/package.json').version")
tag=${1:-zkts:$version}
base=${BASE_IMAGE:-node:20-slim}

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
node "$root/lab/dist/containers/server-image-context-main.js" "$context"
docker build --build-arg "BASE_IMAGE=$base" --tag "$tag" "$context"
echo "built $tag from $base"
