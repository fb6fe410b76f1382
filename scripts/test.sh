#!/usr/bin/env bash
# The whole test suite from a fresh clone: pinned pnpm, frozen install, build, package checks, size budgets,
# typecheck, then every vitest project. Needs only Node 20 and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { printf '\n=== %s ===\n' "$*"; }

step "install"
source scripts/bootstrap.sh

step "build"
"$PNPM" -r --filter './packages/*' run build

step "package checks (publint --strict, attw --pack)"
for pkg in packages/*/; do
  if node -e "process.exit(require('./${pkg}package.json').private ? 1 : 0)"; then
    (cd "$pkg" && publint --strict && attw --pack . --format table-flipped)
  fi
done

step "size budgets (min+brotli)"
size-limit

step "typecheck"
"$PNPM" -r --filter './packages/*' run typecheck

step "tests"
report="$(mktemp)"
set +e
vitest run --reporter=default --reporter=json --outputFile.json="$report"
code=$?
set -e
node -e "
  const r = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
  console.log('\nvitest: ' + r.numTotalTests + ' tests in ' + r.numTotalTestSuites + ' suites, ' + (($(date +%s) - $started)) + ' s for the whole run');
  console.log(r.numPassedTests + ' passed, ' + r.numFailedTests + ' failed' + (r.numPendingTests ? ', ' + r.numPendingTests + ' skipped' : ''));
" "$report" || true
rm -f "$report"
exit $code
