// A child process running @ssr-socket/server the way its README's plain-Node example does (crossws's Node adapter,
// the transport's maxPayload set from the server's limits), so that the adversarial tests can watch it from outside:
// a crash is the process exiting, memory is its own RSS. argv: the built module's path, then a JSON config.
// No uncaughtException / unhandledRejection handler on purpose: whatever would crash a real server crashes this one.
// IPC: the parent sends { id, cmd, ...args }, this answers { id, ...result }.
import { createServer } from 'node:http'
import crossws from 'crossws/adapters/node'

const [, , modulePath, configText] = process.argv
const config = JSON.parse(configText ?? '{}')
const { createSocketServer } = await import(modulePath)

const errors = []
let handled = 0
const sockets = createSocketServer({
  ...config.options,
  onError: (error, event) => {
    errors.push(`${event}: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`)
    if (config.onErrorThrows) throw new Error('onError itself failed')
  },
})
sockets.on('echo', (_peer, value, ack) => ack(value))
sockets.on('noop', () => void handled++)
sockets.on('boom', () => {
  throw new Error('boom')
})
// A handler that validates, as the README's do; and one that does not (what a careless app writes).
sockets.on('join', (peer, room, ack) => {
  if (typeof room !== 'string' || room.length > 40) return ack(false)
  peer.join(room)
  ack(true)
})
sockets.on('joinRaw', (peer, room, ack) => {
  peer.join(room)
  ack(true)
})
sockets.on('say', (peer, room, text) => peer.to(room).emit('said', text))
sockets.on('unencodable', (_peer, kind, ack) => {
  if (kind === 'cycle') {
    const value = { name: 'loop' }
    value.self = value
    return ack(value)
  }
  if (kind === 'bigint') return ack({ big: 10n })
  let deep = []
  for (let i = 0; i < 200_000; i++) deep = [deep]
  return ack(deep)
})
// Lifecycle order: what onConnection / onDisconnect saw, in order.
const log = []
if (config.lifecycle) {
  sockets.onConnection((peer) => {
    log.push(`+${peer.id}`)
    if (config.closeOnConnect) peer.close(4000, 'not today')
  })
  sockets.onConnection((peer) => log.push(`++${peer.id}`))
  sockets.onDisconnect((peer) => log.push(`-${peer.id}:${[...peer.rooms].join(',')}`))
}
if (config.askOnConnect) {
  // The example: an async lifecycle hook whose promise rejects when the client leaves before answering.
  sockets.onConnection(async (peer) => {
    peer.data = await peer.emitWithAck('whoami')
  })
}

// As the README's plain-Node example: the transport refuses a frame over the server's limit while it arrives.
const ws = crossws({ hooks: sockets.hooks, serverOptions: config.transportMaxPayload === false ? {} : { maxPayload: sockets.limits.maxPayloadBytes } })
const http = createServer((_req, res) => res.end('WebSocket only'))
http.on('upgrade', (req, socket, head) => ws.handleUpgrade(req, socket, head))


const commands = {
  stats: () => ({
    rss: process.memoryUsage().rss,
    // The process's peak RSS (ru_maxrss): what a frame held for a moment costs, even when it is freed at once.
    maxRss: process.resourceUsage().maxRSS * 1024,
    heapUsed: process.memoryUsage().heapUsed,
    server: sockets.stats(),
    errors: errors.length,
    lastErrors: errors.slice(-5),
    handled,
    log,
  }),
  gc: () => {
    globalThis.gc?.()
    globalThis.gc?.()
    return {}
  },
  /** The server asks every peer `count` questions (emitWithAck) and reports how they ended. */
  ask: async ({ count }) => {
    const results = await Promise.allSettled(sockets.peers().flatMap((peer) => Array.from({ length: count }, (_, i) => peer.emitWithAck('question', i))))
    return { resolved: results.filter((r) => r.status === 'fulfilled').length, rejected: results.filter((r) => r.status === 'rejected').length }
  },
  /** `count` events of `size` characters to every peer, `batch` per turn of the event loop. */
  broadcast: async ({ count, size, batch = 50 }) => {
    const text = 'x'.repeat(size)
    for (let sent = 0; sent < count; sent += batch) {
      for (let i = 0; i < batch && sent + i < count; i++) sockets.emit('news', sent + i, text)
      await new Promise((resolve) => setImmediate(resolve))
    }
    return {}
  },
  /**
   * The cost of one `peer.to(room).emit` to a room of `members` peers, in microseconds: the least of `rounds` rounds
   * of `sends` sends (the least is the cost without the machine's other work in it).
   */
  roomCost: async ({ members, sends, rounds }) => {
    const peers = sockets.peers()
    const room = `cost-${peers.length}`
    const inRoom = peers.slice(0, members)
    for (const peer of inRoom) peer.join(room)
    let best = Infinity
    for (let r = 0; r < rounds; r++) {
      const started = process.hrtime.bigint()
      for (let i = 0; i < sends; i++) inRoom[0].to(room).emit('tick', i)
      best = Math.min(best, Number(process.hrtime.bigint() - started) / 1000 / sends)
      await new Promise((resolve) => setTimeout(resolve, 20)) // let the sockets drain between rounds
    }
    for (const peer of inRoom) peer.leave(room)
    return { microseconds: best }
  },
  closeAll: () => (sockets.close(), {}),
}

process.on('message', async ({ id, cmd, ...args }) => {
  const result = await commands[cmd](args)
  process.send({ id, ...result })
})
process.on('disconnect', () => {
  sockets.close()
  http.close()
  process.exit(0)
})
http.listen(0, '127.0.0.1', () => process.send({ ready: true, port: http.address().port }))
