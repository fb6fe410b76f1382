// 3b. Events over the WebSocket transport: N server->client events through useSocketEvent (transport 'websocket')
// vs a raw WebSocket client (npm `ws`, the browser API's shape) that speaks the same protocol by hand and only
// counts its frames. Same server process, same run.
import { fork } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { createApp, effectScope } from 'vue'
import { createSocketPlugin, getSocketRegistry, useSocketEvent } from '../packages/vue/dist/index.js'
import { median, until } from './util.mjs'

const { WebSocket } = createRequire(new URL('../packages/server/package.json', import.meta.url))('ws')

function startServer() {
  const child = fork(fileURLToPath(new URL('./ws-server.mjs', import.meta.url)), ['0'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('message', ({ port }) =>
      resolve({
        url: `http://127.0.0.1:${port}`,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done()
            child.once('exit', done)
            child.send('stop')
            setTimeout(() => child.kill('SIGKILL'), 3000).unref()
          }),
      }),
    )
  })
}

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

async function ours(url, n) {
  const app = createApp({ render: () => null })
  app.use(createSocketPlugin({ url, isServer: false, transport: 'websocket', websocket: { WebSocket } }))
  const scope = effectScope()
  let count = 0
  const last = app.runWithContext(() => scope.run(() => useSocketEvent('tick', () => count++)))
  const client = getSocketRegistry(app).peek()
  client.connect()
  await until(() => client.getState().status === 'connected', 'connect')
  const started = performance.now()
  client.emit('blast', n)
  await until(() => count === n, 'events', 120_000)
  const seconds = (performance.now() - started) / 1000
  if (last.value !== n - 1) throw new Error(`last payload ${last.value}, expected ${n - 1}`)
  scope.stop()
  getSocketRegistry(app).dispose()
  return n / seconds
}

/** Interleaved pairs (raw, ours); the ratio is the median of the per-pair ratios, with their min-max interval. */
export async function measureWebSocketEvents(n = 100_000, pairs = 5) {
  const server = await startServer()
  try {
    await raw(server.url, 5000) // warm-up both paths
    await ours(server.url, 5000)
    const a = []
    const b = []
    const ratios = []
    for (let i = 0; i < pairs; i++) {
      const base = await raw(server.url, n)
      const value = await ours(server.url, n)
      b.push(base)
      a.push(value)
      ratios.push(value / base)
    }
    return {
      name: `${n.toLocaleString('en')} server->client events, WebSocket transport`,
      unit: 'events/s',
      value: median(a),
      baseline: median(b),
      ratio: median(ratios),
      interval: [Math.min(...ratios), Math.max(...ratios)],
      note: `useSocketEvent over transport 'websocket' vs a raw ws client speaking the protocol by hand (server: @ssr-socket/server on crossws, its own process), ${pairs} interleaved pairs; goal >= 0.9`,
    }
  } finally {
    await server.stop()
  }
}
