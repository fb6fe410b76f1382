#!/usr/bin/env bash
# Benchmarks: installs and builds like the test command, then runs bench/run.mjs (writes bench/results.json
# and bench/RESULTS.md). Production mode, as apps ship the library. Takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
"$PNPM" -r --filter './packages/*' run build > /tmp/ssr-socket-bench-build.log 2>&1 || { cat /tmp/ssr-socket-bench-build.log; exit 1; }
NODE_ENV=production node --expose-gc bench/run.mjs "$@"
