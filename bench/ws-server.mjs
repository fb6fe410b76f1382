// The WebSocket transport's server for the benchmarks (@ssr-socket/server on crossws's Node adapter), in its own
// process so that client figures are the client's. argv: port. Events: 'blast' (n) -> n 'tick' events to the sender.
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { createSocketServer } from '../packages/server/dist/index.js'

const fromServer = createRequire(new URL('../packages/server/package.json', import.meta.url))
const { default: crossws } = await import(fromServer.resolve('crossws/adapters/node'))

// 'blast' queues n events in one turn of the event loop (~2 MB for 100,000): more than the default 1 MiB a slow
// reader may have waiting, so the bound is raised here; it is still checked as in production (what is measured).
// The limits that a flood would trip are raised, not turned off: the checks still run, which is what the benchmarks
// measure.
const sockets = createSocketServer({ rateLimit: { events: 1_000_000, perMs: 1000 }, bytesPerSecond: 1e12, maxBufferedBytes: 256 * 1_048_576 })
// server-events.mjs: 'count' events counted per connection, 'done' answers the count.
const counts = new WeakMap()
sockets.on('count', (peer) => counts.set(peer, (counts.get(peer) ?? 0) + 1))
sockets.on('done', (peer, ack) => {
  ack(counts.get(peer) ?? 0)
  counts.delete(peer)
})
sockets.on('blast', (peer, n, ack) => {
  for (let i = 0; i < n; i++) peer.emit('tick', i)
  ack?.(true)
})
const ws = crossws({ hooks: sockets.hooks })
const http = createServer((_req, res) => res.end('WebSocket only'))
http.on('upgrade', (req, socket, head) => ws.handleUpgrade(req, socket, head))
http.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => process.send?.({ port: http.address().port }))
const stop = () => {
  sockets.close()
  http.close(() => process.exit(0))
}
process.on('message', (m) => m === 'stop' && stop())
process.on('disconnect', () => process.exit(0))
