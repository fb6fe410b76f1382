#!/usr/bin/env bash
# The whole test suite from a fresh clone: pinned pnpm, frozen install, build, package checks, size budgets,
# typecheck, then every vitest project. Needs only Node 20 and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { printf '\n=== %s ===\n' "$*"; }

step "install"
source scripts/bootstrap.sh

step "system packages from Debian (Chromium for browser tests; nginx, HAProxy, Apache and Caddy for proxy tests)"
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ -x /usr/sbin/haproxy ] || missing+=(haproxy)
[ -x /usr/sbin/apache2 ] || missing+=(apache2)
[ -x /usr/bin/caddy ] || missing+=(caddy)
command -v python3 >/dev/null || missing+=(python3-minimal) # holds a SYN black hole in a doctor test
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${missing[*]} from Debian"
    # The proxies are started by the tests on their own ports, never as services: keep apt from starting them
    # (a policy-rc.d that denies starts, only for this install when the machine has none).
    own_policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      own_policy=1
      trap 'rm -f /usr/sbin/policy-rc.d' EXIT # also when the install fails or is interrupted
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
      chmod +x /usr/sbin/policy-rc.d
    fi
    installed=0
    { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } || installed=$?
    [ -z "$own_policy" ] || { rm -f /usr/sbin/policy-rc.d; trap - EXIT; }
    [ "$installed" = 0 ] || exit "$installed"
  else
    echo "Missing Debian packages: ${missing[*]}. Install them (sudo apt-get install ${missing[*]}), then run npm test again." >&2
    exit 1
  fi
fi
/usr/bin/chromium --version 2>/dev/null | tail -n 1
/usr/sbin/nginx -v 2>&1
/usr/sbin/haproxy -v 2>&1 | sed -n 1p # sed reads to the end: head would end the pipe early (SIGPIPE under pipefail)
/usr/sbin/apache2 -v 2>&1 | sed -n 1p # sed reads to the end: head would end the pipe early (SIGPIPE under pipefail)
/usr/bin/caddy version 2>&1 | sed -n 1p # sed reads to the end: head would end the pipe early (SIGPIPE under pipefail)

step "build"
"$PNPM" -r --filter './packages/*' run build
"$PNPM" -r --filter './examples/*' run build

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
