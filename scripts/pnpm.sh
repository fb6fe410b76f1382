#!/usr/bin/env bash
# The pinned pnpm for the npm scripts (`npm run build`, `npm run typecheck`): installed into .tools/ on first use,
# with the workspace from the frozen lockfile, so that nothing needs a global pnpm.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh" >/dev/null
exec "$PNPM" "$@"
