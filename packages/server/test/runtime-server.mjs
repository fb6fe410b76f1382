// @ssr-socket/server on Bun (Bun.serve + crossws/adapters/bun) or Deno (Deno.serve + crossws/adapters/deno), for
// runtimes.test.ts. Not run as it is: the test bundles it with esbuild per runtime and per crossws version
// (__RUNTIME__, __CROSSWS__ and the crossws copy are chosen at bundle time), then runs the bundle with `bun` or `deno`.
// Listens on 127.0.0.1, port 0; prints one JSON line `{ ready, port, runtime, crossws }` on stdout; GET /stats answers
// the server's stats() and the onConnection / onDisconnect counts; stops on SIGTERM.
/* global Bun, Deno, __RUNTIME__, __CROSSWS__ */
import bunAdapter from 'crossws/adapters/bun'
import denoAdapter from 'crossws/adapters/deno'
import { createSocketServer } from '../src/index.ts'

const errors = []
const app = createSocketServer({
  pingIntervalMs: 300,
  pingTimeoutMs: 300,
  onError: (error, event) => errors.push(`${event}: ${error instanceof Error ? error.message : String(error)}`),
})
let connected = 0
let disconnected = 0
app.onConnection(() => void connected++)
app.onDisconnect(() => void disconnected++)
app.on('echo', (_peer, value, ack) => ack(value))
app.on('join', (peer, room, ack) => {
  peer.join(room)
  ack(true)
})
// Acked after the broadcast: a sender that is not in the room has seen everything the broadcast sent it by its ack.
app.on('room', (_peer, room, value, ack) => {
  app.to(room).emit('room', value)
  ack(true)
})
app.on('ask', async (peer, x) => {
  const answer = await peer.emitWithAck('question', x)
  peer.emit('answer', answer)
})
app.on('close-me', (peer) => peer.close(1000))

const stats = () => Response.json({ stats: app.stats(), connected, disconnected, errors })
const isUpgrade = (request) => request.headers.get('upgrade')?.toLowerCase() === 'websocket'

if (__RUNTIME__ === 'bun') {
  const ws = bunAdapter({ hooks: app.hooks })
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (request, srv) => (isUpgrade(request) ? ws.handleUpgrade(request, srv) : new URL(request.url).pathname === '/stats' ? stats() : new Response('WebSocket only', { status: 426 })),
    websocket: ws.websocket,
  })
  process.on('SIGTERM', () => {
    app.close()
    server.stop(true)
    process.exit(0)
  })
  console.log(JSON.stringify({ ready: true, port: server.port, runtime: `bun ${Bun.version}`, crossws: __CROSSWS__ }))
} else {
  const ws = denoAdapter({ hooks: app.hooks })
  const server = Deno.serve(
    {
      hostname: '127.0.0.1',
      port: 0,
      onListen: ({ port }) => console.log(JSON.stringify({ ready: true, port, runtime: `deno ${Deno.version.deno}`, crossws: __CROSSWS__ })),
    },
    (request, info) => (isUpgrade(request) ? ws.handleUpgrade(request, info) : new URL(request.url).pathname === '/stats' ? stats() : new Response('WebSocket only', { status: 426 })),
  )
  Deno.addSignalListener('SIGTERM', () => {
    app.close()
    void server.shutdown()
    Deno.exit(0)
  })
}
