// 3c. The server's cost: the same raw `ws` client against @ssr-socket/server (crossws's Node adapter, every limit
// checked on every frame: payload size, bytes per second, event rate, the peer's buffered amount) and against a plain
// `ws` server that speaks the protocol by hand with no check at all. Both directions: n events from the server to
// the client, and n events from the client to the server (counted, then one ack). Servers in processes of their own.
import { createRequire } from 'node:module'
import { interleaved } from './events.mjs'
import { startServer, until } from './util.mjs'

const { WebSocket } = createRequire(new URL('../packages/server/package.json', import.meta.url))('ws')

async function connect(url) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/_ws`, 'ssr-socket.v1')
  const state = { ticks: 0, acks: new Map(), welcomed: false }
  ws.onmessage = (event) => {
    const frame = JSON.parse(String(event.data))
    if (frame[0] === 'e' && frame[1] === 'tick') state.ticks++
    else if (frame[0] === 'a') state.acks.set(frame[1], frame[2])
    else if (frame[0] === 'welcome') state.welcomed = true
  }
  await new Promise((resolve) => (ws.onopen = resolve))
  ws.send('["hello",null]')
  await until(() => state.welcomed, 'welcome')
  return { ws, state }
}

/** Server -> client: events/s until the n-th tick arrives. */
async function out(url, n) {
  const { ws, state } = await connect(url)
  const started = performance.now()
  ws.send(JSON.stringify(['e', 'blast', [n]]))
  await until(() => state.ticks === n, 'ticks', 120_000)
  const seconds = (performance.now() - started) / 1000
  ws.close()
  return n / seconds
}

/** Client -> server: events/s until the server acks that it counted all n. */
async function into(url, n) {
  const { ws, state } = await connect(url)
  const started = performance.now()
  for (let i = 0; i < n; i++) ws.send(`["e","count",[${i}]]`)
  ws.send('["e","done",[],1]')
  await until(() => state.acks.has(1), 'the count', 120_000)
  const seconds = (performance.now() - started) / 1000
  if (state.acks.get(1) !== n) throw new Error(`the server counted ${state.acks.get(1)} of ${n}`)
  ws.close()
  return n / seconds
}

export async function measureServerEvents(n = 100_000, count = 5) {
  const ours = await startServer(0, 'ws-server.mjs')
  const raw = await startServer(0, 'ws-raw-server.mjs')
  try {
    const note = `the same raw ws client; @ssr-socket/server (crossws Node adapter, every limit checked as in production) vs a plain ws server speaking the protocol with no check; ${count} interleaved pairs, interval min-max; goal >= 0.9`
    // The events benchmark's interleaved pairs, each side against its own server.
    const pairs = (measure) => interleaved((_, k) => measure(raw.url, k), (_, k) => measure(ours.url, k), null, n, count)
    return [
      { name: `${n.toLocaleString('en')} events server -> client (server cost)`, unit: 'events/s', ...(await pairs(out)), note },
      { name: `${n.toLocaleString('en')} events client -> server (server cost)`, unit: 'events/s', ...(await pairs(into)), note },
    ]
  } finally {
    await ours.stop()
    await raw.stop()
  }
}
