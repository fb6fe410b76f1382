#!/usr/bin/env bash
# The whole test suite from a fresh clone: pinned pnpm, frozen install, build, package checks, size budgets,
# typecheck, then every vitest project. Needs only Node 20 and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { printf '\n=== %s ===\n' "$*"; }

step "install"
source scripts/bootstrap.sh

step "system packages from Debian (Chromium for browser tests; nginx, HAProxy, Apache and Caddy for proxy tests; Redis for the cluster)"
source scripts/debian.sh
# python3 holds a SYN black hole in a doctor test
ensure_debian "npm test" /usr/bin/chromium:chromium /usr/sbin/nginx:nginx-light /usr/sbin/haproxy:haproxy /usr/sbin/apache2:apache2 /usr/bin/caddy:caddy /usr/bin/redis-server:redis-server python3:python3-minimal
/usr/bin/chromium --version 2>/dev/null | tail -n 1
/usr/sbin/nginx -v 2>&1
/usr/sbin/haproxy -v 2>&1 | sed -n 1p # sed reads to the end: head would end the pipe early (SIGPIPE under pipefail)
/usr/sbin/apache2 -v 2>&1 | sed -n 1p # sed reads to the end: head would end the pipe early (SIGPIPE under pipefail)
/usr/bin/caddy version 2>&1 | sed -n 1p # sed reads to the end: head would end the pipe early (SIGPIPE under pipefail)
/usr/bin/redis-server --version

step "build"
"$PNPM" -r --filter './packages/*' run build
"$PNPM" -r --filter './examples/*' run build

step "documentation site (API reference from the builds' TSDoc, troubleshooting from @ssr-socket/core/hints, VitePress)"
# Its code blocks are type-checked and the built site is crawled in Chromium by the vitest project 'docs'.
npm run --silent docs:build

step "package checks (publint --strict, attw --pack)"
for pkg in packages/*/; do
  if node -e "process.exit(require('./${pkg}package.json').private ? 1 : 0)"; then
    # Dual packages get every attw check; ESM-only ones (the Nuxt module, as Nuxt modules are) the esm-only profile.
    profile=$(node -p "require('./${pkg}package.json').exports['.'].require ? 'strict' : 'esm-only'")
    (cd "$pkg" && publint --strict && attw --pack . --profile "$profile" --format table-flipped)
  fi
done

step "release rehearsal (npm pack with README and LICENSE, publish dry run, changeset version in a copy)"
bash scripts/release-check.sh

step "size budgets (min+brotli): totals, then eager (before hydration) and lazy (first connect)"
size-limit
node scripts/size-budgets.mjs

step "lint (ESLint: typescript-eslint, eslint-plugin-vue)"
eslint . --max-warnings 0

step "typecheck"
"$PNPM" -r --filter './packages/*' run typecheck

step "compatibility matrix (Nuxt 3 and 4 build + dev, Vue 3.4 and 3.5 SPAs; packed tarballs installed with npm; Chromium)"
node scripts/compat.mjs

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
