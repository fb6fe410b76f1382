// The server process of the idle-memory benchmark (bench/idle-memory.mjs): argv 'ours' (@ssr-socket/server on
// crossws's Node adapter) or 'socket.io' (socket.io, WebSocket transport only), on 127.0.0.1, any port. Started with
// --expose-gc. Over IPC: sends { port } once listening; answers { id, op: 'memory', connections } with
// { id, connections, rss, heapUsed } once it counts that many connections (gc twice, then ~500 ms to settle).
import { createServer } from 'node:http'
import { createRequire } from 'node:module'

/** A ping during the measure would allocate; both servers get the same long interval. */
const PING_INTERVAL_MS = 600_000
const kind = process.argv[2]
if (!globalThis.gc) throw new Error('run with node --expose-gc')

let count
let close
const http = createServer((_req, res) => res.end('WebSocket only'))
if (kind === 'ours') {
  const { createSocketServer } = await import('../packages/server/dist/index.js')
  const fromServer = createRequire(new URL('../packages/server/package.json', import.meta.url))
  const { default: crossws } = await import(fromServer.resolve('crossws/adapters/node'))
  const sockets = createSocketServer({ pingIntervalMs: PING_INTERVAL_MS })
  const ws = crossws({ hooks: sockets.hooks })
  http.on('upgrade', (req, socket, head) => ws.handleUpgrade(req, socket, head))
  count = () => sockets.peers().length
  close = (done) => {
    sockets.close()
    http.close(done)
  }
} else if (kind === 'socket.io') {
  const { Server } = await import('socket.io')
  const io = new Server(http, { transports: ['websocket'], pingInterval: PING_INTERVAL_MS })
  count = () => io.of('/').sockets.size
  close = (done) => io.close(done)
} else {
  throw new Error(`unknown server kind ${kind}; 'ours' or 'socket.io'`)
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
async function memory(connections) {
  const deadline = Date.now() + 60_000
  while (count() !== connections) {
    if (Date.now() > deadline) throw new Error(`${kind}: ${count()} connections, expected ${connections}`)
    await sleep(20)
  }
  globalThis.gc()
  globalThis.gc()
  await sleep(500)
  const { rss, heapUsed } = process.memoryUsage()
  return { connections: count(), rss, heapUsed }
}

process.on('message', (m) => {
  if (m === 'stop') {
    setTimeout(() => process.exit(0), 2000).unref()
    close(() => process.exit(0))
  } else if (m?.op === 'memory') {
    memory(m.connections).then(
      (figures) => process.send({ id: m.id, ...figures }),
      (error) => process.send({ id: m.id, error: String(error?.message ?? error) }),
    )
  }
})
process.on('disconnect', () => process.exit(0))
http.listen(0, '127.0.0.1', () => process.send({ port: http.address().port }))
