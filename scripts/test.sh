#!/usr/bin/env bash
# The whole test suite: set-up, type-check, every vitest test; ends with one
# "N passed, M failed" line for the whole run.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
mkdir -p .tmp
echo "== type-check" >&2
pnpm exec tsc -p tsconfig.json --noEmit
tsc_rc=$?
echo "== tests" >&2
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json "$@"
rc=$?
node scripts/tally.mjs .tmp/vitest.json $tsc_rc
[ $tsc_rc -eq 0 ] && [ $rc -eq 0 ]
