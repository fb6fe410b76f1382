#!/usr/bin/env bash
# Benchmarks: installs and builds like the test command, then runs bench/run.mjs (writes bench/results.json
# and bench/RESULTS.md). Production mode, as apps ship the library. Takes a few minutes.
# `bash scripts/bench.sh cluster` (npm run bench:cluster): the cluster benchmark (bench/cluster.mjs: socket.io, then the
# WebSocket transport on the live board), about 5 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
"$PNPM" -r --filter './packages/*' run build > /tmp/ssr-socket-bench-build.log 2>&1 || { cat /tmp/ssr-socket-bench-build.log; exit 1; }
if [ "${1:-}" = cluster ]; then
  # bench:cluster: redis-server, the chat backend's nodes and the live board's processes behind HAProxy (Debian's
  # redis-server and haproxy when missing).
  source scripts/debian.sh
  ensure_debian "npm run bench:cluster" /usr/bin/redis-server:redis-server /usr/sbin/haproxy:haproxy
  "$PNPM" --filter example-nuxt-live-board run build >> /tmp/ssr-socket-bench-build.log 2>&1 || { tail -n 40 /tmp/ssr-socket-bench-build.log; exit 1; }
  exec env NODE_ENV=production node bench/cluster.mjs
fi
NODE_ENV=production node --expose-gc bench/run.mjs "$@"
