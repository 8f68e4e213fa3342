#!/usr/bin/env bash
# Builds the package once, then runs every example against the BUILT package (examples import
# `artifact-versions` by name: Node's self-reference resolves it to dist/). Fails on the first
# example that exits non-zero or runs longer than EXAMPLE_TIMEOUT seconds (default 120).
set -euo pipefail
cd "$(dirname "$0")/.."

npx tsup --silent

status=0
for example in examples/*.ts; do
  args=()
  case "$example" in
    examples/http-service.ts) args=(--smoke) ;;
  esac
  echo "=== $example ${args[*]:-}"
  if ! timeout "${EXAMPLE_TIMEOUT:-120}" npx tsx --tsconfig examples/tsconfig.json "$example" "${args[@]}"; then
    echo "FAILED: $example" >&2
    status=1
  fi
done
exit "$status"
