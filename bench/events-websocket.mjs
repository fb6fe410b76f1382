// 3b. Events over the WebSocket transport: N server->client events through useSocketEvent (transport 'websocket')
// vs a raw WebSocket client (npm `ws`, the browser API's shape) that speaks the same protocol by hand and only
// counts its frames. Same server process, same run.
import { createRequire } from 'node:module'
import { interleaved, ours } from './events.mjs'
import { startServer, until } from './util.mjs'

const { WebSocket } = createRequire(new URL('../packages/server/package.json', import.meta.url))('ws')

/** The baseline: a plain WebSocket, the hello/welcome handshake and one JSON.parse per frame, nothing else. */
async function raw(url, n) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/_ws`, 'ssr-socket.v1')
  let count = 0
  let welcomed = false
  ws.onmessage = (event) => {
    const frame = JSON.parse(String(event.data))
    if (frame[0] === 'welcome') welcomed = true
    else if (frame[0] === 'e' && frame[1] === 'tick') count++
  }
  await new Promise((resolve) => (ws.onopen = resolve))
  ws.send('["hello",null]')
  await until(() => welcomed, 'raw welcome')
  const started = performance.now()
  ws.send(JSON.stringify(['e', 'blast', [n]]))
  await until(() => count === n, 'raw events', 120_000)
  const seconds = (performance.now() - started) / 1000
  ws.close()
  return n / seconds
}

export async function measureWebSocketEvents(n = 100_000, pairs = 5) {
  const server = await startServer(0, 'ws-server.mjs')
  try {
    const result = await interleaved(raw, (url, count) => ours(url, count, { transport: 'websocket', websocket: { WebSocket } }), server.url, n, pairs)
    return {
      name: `${n.toLocaleString('en')} server->client events, WebSocket transport`,
      unit: 'events/s',
      ...result,
      note: `useSocketEvent over transport 'websocket' vs a raw ws client speaking the protocol by hand (server: @ssr-socket/server on crossws, its own process), ${pairs} interleaved pairs; goal >= 0.9`,
    }
  } finally {
    await server.stop()
  }
}
