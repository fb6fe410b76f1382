#!/usr/bin/env bash
# The cluster demo: the chat backend as NODES (3) socket.io nodes sharing Redis (socket.io's Redis Streams adapter)
# behind HAProxy with cookie stickiness, and the Nuxt app in front. Needs only Node 20 and npm (redis-server and
# haproxy come from Debian when missing). PORT (3000) is the app, BACKEND_PORT (8000) the balancer; Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
export PORT="${PORT:-3000}" BACKEND_PORT="${BACKEND_PORT:-8000}"

node --input-type=module -e "
  import { ensurePortFree } from './examples/nuxt-chat/demo.mjs'
  try {
    await ensurePortFree(Number(process.env.PORT), 'the chat app', 'PORT')
    await ensurePortFree(Number(process.env.BACKEND_PORT), 'the load balancer', 'BACKEND_PORT')
  } catch (error) { console.error(error.message); process.exit(1) }
"
source scripts/debian.sh
ensure_debian "npm run demo:cluster" /usr/bin/redis-server:redis-server /usr/sbin/haproxy:haproxy

source scripts/bootstrap.sh
echo "[demo] building the packages and the chat app (about a minute the first time)"
"$PNPM" -r --filter './packages/*' run build > /tmp/ssr-socket-demo-build.log 2>&1 || { cat /tmp/ssr-socket-demo-build.log; exit 1; }
"$PNPM" --filter example-nuxt-chat run build >> /tmp/ssr-socket-demo-build.log 2>&1 || { tail -n 40 /tmp/ssr-socket-demo-build.log; exit 1; }
exec node examples/nuxt-chat/demo.mjs --cluster
