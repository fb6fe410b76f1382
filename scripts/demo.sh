#!/usr/bin/env bash
# The demo: the Nuxt SSR chat (examples/nuxt-chat) with its socket.io backend, as a production build.
# Needs only Node 20 and npm. PORT (3000) and BACKEND_PORT (8000) choose the ports; Ctrl-C stops everything.
# --cluster (npm run demo:cluster): the backend as NODES (3) socket.io nodes sharing Redis (socket.io's Redis Streams
# adapter) behind HAProxy with cookie stickiness; BACKEND_PORT is then the balancer's (redis-server and haproxy come
# from Debian when missing).
# --nitro (npm run demo:nitro): the live board (examples/nuxt-live-board), whose WebSocket server lives inside Nitro:
# one process on PORT, no backend. `npm run demo:nitro -- --cluster`: three of them on Redis behind HAProxy on PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
export PORT="${PORT:-3000}" BACKEND_PORT="${BACKEND_PORT:-8000}"
if [ "${1:-}" = --nitro ]; then
  node --input-type=module -e "
    import { ensurePortFree } from './examples/nuxt-chat/demo.mjs'
    try { await ensurePortFree(Number(process.env.PORT), 'the live board', 'PORT') } catch (error) { console.error(error.message.replace('npm run demo', 'npm run demo:nitro')); process.exit(1) }
  "
  if [ "${2:-}" = --cluster ]; then
    source scripts/debian.sh
    ensure_debian "npm run demo:nitro -- --cluster" /usr/bin/redis-server:redis-server /usr/sbin/haproxy:haproxy
  fi
  source scripts/bootstrap.sh
  echo "[demo] building the packages and the live board (about a minute the first time)"
  "$PNPM" -r --filter './packages/*' run build > /tmp/ssr-socket-demo-build.log 2>&1 || { cat /tmp/ssr-socket-demo-build.log; exit 1; }
  "$PNPM" --filter example-nuxt-live-board run build >> /tmp/ssr-socket-demo-build.log 2>&1 || { tail -n 40 /tmp/ssr-socket-demo-build.log; exit 1; }
  exec node examples/nuxt-live-board/demo.mjs ${2:-}
fi
cluster=
[ "${1:-}" != --cluster ] || cluster=--cluster
export BACKEND_WHAT="$([ -n "$cluster" ] && echo 'the load balancer' || echo 'the socket.io backend')"

# Fail fast, before installing and building, when a port is taken.
node --input-type=module -e "
  import { ensurePortFree } from './examples/nuxt-chat/demo.mjs'
  try {
    await ensurePortFree(Number(process.env.PORT), 'the chat app', 'PORT')
    await ensurePortFree(Number(process.env.BACKEND_PORT), process.env.BACKEND_WHAT, 'BACKEND_PORT')
  } catch (error) { console.error(error.message); process.exit(1) }
"
if [ -n "$cluster" ]; then
  source scripts/debian.sh
  ensure_debian "npm run demo:cluster" /usr/bin/redis-server:redis-server /usr/sbin/haproxy:haproxy
fi

source scripts/bootstrap.sh
echo "[demo] building the packages and the chat app (about a minute the first time)"
"$PNPM" -r --filter './packages/*' run build > /tmp/ssr-socket-demo-build.log 2>&1 || { cat /tmp/ssr-socket-demo-build.log; exit 1; }
"$PNPM" --filter example-nuxt-chat run build >> /tmp/ssr-socket-demo-build.log 2>&1 || { tail -n 40 /tmp/ssr-socket-demo-build.log; exit 1; }
exec node examples/nuxt-chat/demo.mjs $cluster
