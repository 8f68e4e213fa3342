#!/usr/bin/env bash
# Packaging gates (`npm run check`): build once, then
#   1. publint --strict            package.json and the packed files agree
#   2. attw --pack .               types resolve for node10, node16 (ESM and CJS) and bundlers
#   3. test/packaging/*.check.ts   npm pack -> install the tarball in a temp folder -> import every
#                                  subpath from ESM and CJS; dist/index.js bundles for the browser
#                                  (esbuild, platform browser) without any node: import
# Every gate runs; the script fails if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

step() { echo; echo "=== $*"; }
failed=()

step "build (tsup)"
npx tsup --silent || { echo "build failed" >&2; exit 1; }

# The build above is fresh: keep `npm pack` from running the `prepare` script (a second build).
export npm_config_ignore_scripts=true

step "publint --strict"
npx publint --strict || failed+=("publint")

step "attw --pack ."
npx attw --pack . || failed+=("attw")

step "pack smoke test and browser bundle"
npx vitest run --config test/packaging/vitest.config.ts || failed+=("packaging tests")

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "check FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "check passed"
