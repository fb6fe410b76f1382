#!/usr/bin/env bash
# Benchmarks: installs and builds like the test command, then runs bench/run.mjs (writes bench/results.json
# and bench/RESULTS.md). Production mode, as apps ship the library. Takes a few minutes.
# `bash scripts/bench.sh cluster` (npm run bench:cluster): the cluster benchmark (bench/cluster.mjs), about 2 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
"$PNPM" -r --filter './packages/*' run build > /tmp/ssr-socket-bench-build.log 2>&1 || { cat /tmp/ssr-socket-bench-build.log; exit 1; }
if [ "${1:-}" = cluster ]; then
  # bench:cluster: redis-server and the chat backend's nodes (Debian's redis-server when missing).
  source scripts/debian.sh
  ensure_debian "npm run bench:cluster" /usr/bin/redis-server:redis-server
  exec env NODE_ENV=production node bench/cluster.mjs
fi
NODE_ENV=production node --expose-gc bench/run.mjs "$@"
