// The baseline of bench/server-events.mjs: a plain `ws` server that speaks just enough of the events protocol by hand
// (hello -> welcome, 'blast' -> n 'tick' frames, 'count'/'done' counted and acked) with no limit, no check, no room.
// argv: port. Same shape as ws-server.mjs (IPC: { port } once listening, 'stop').
import { createServer } from 'node:http'
import { createRequire } from 'node:module'

const { WebSocketServer } = createRequire(new URL('../packages/server/package.json', import.meta.url))('ws')

const http = createServer((_req, res) => res.end('WebSocket only'))
const wss = new WebSocketServer({ server: http, handleProtocols: (protocols) => (protocols.has('ssr-socket.v1') ? 'ssr-socket.v1' : false) })
wss.on('connection', (ws) => {
  let counted = 0
  ws.on('message', (data) => {
    const [type, event, args, id] = JSON.parse(String(data))
    if (type === 'hello') return ws.send(JSON.stringify(['welcome', { id: 'raw', pingInterval: 25_000, pingTimeout: 20_000, v: 1 }]))
    if (type !== 'e') return
    if (event === 'blast') {
      for (let i = 0; i < args[0]; i++) ws.send(JSON.stringify(['e', 'tick', [i]]))
      if (id) ws.send(JSON.stringify(['a', id, true]))
    } else if (event === 'count') counted++
    else if (event === 'done') {
      ws.send(JSON.stringify(['a', id, counted]))
      counted = 0
    }
  })
})
http.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => process.send?.({ port: http.address().port }))
process.on('message', (m) => m === 'stop' && (wss.close(), http.close(() => process.exit(0))))
process.on('disconnect', () => process.exit(0))
