#!/usr/bin/env bash
# Installs the pinned pnpm into .tools/ (no global change) and the workspace from the frozen lockfile.
# Needs only Node 20 and npm. Sourced by the test and demo scripts; exports PNPM.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want="$(node -p "require('$root/package.json').packageManager.split('@')[1]")"
PNPM="$root/.tools/node_modules/.bin/pnpm"
if [ ! -x "$PNPM" ] || [ "$("$PNPM" --version 2>/dev/null)" != "$want" ]; then
  echo "[bootstrap] installing pnpm@$want into .tools/"
  npm install --prefix "$root/.tools" --no-save --no-package-lock --loglevel=error "pnpm@$want" >/dev/null
fi
export PNPM
# pnpm, and the workspace's own tools (vitest, eslint, size-limit, ...): the scripts run the same whether npm
# started them (npm puts node_modules/.bin on PATH) or bash did (bash scripts/test.sh).
export PATH="$root/node_modules/.bin:$root/.tools/node_modules/.bin:$PATH"
echo "[bootstrap] pnpm $("$PNPM" --version); installing from the frozen lockfile"
(cd "$root" && "$PNPM" install --frozen-lockfile --reporter=append-only | tail -n 5)
