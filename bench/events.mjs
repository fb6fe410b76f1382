// 3. Events: N server->client events through useSocketEvent vs a raw socket.io-client socket.on, same process and run.
import { Manager } from 'socket.io-client'
import { createApp, effectScope } from 'vue'
import { createSocketPlugin, useSocketEvent } from '../packages/vue/dist/index.js'
import { median, startServer, until } from './util.mjs'

async function raw(url, n) {
  const socket = new Manager(url, { transports: ['websocket'], autoConnect: false }).socket('/')
  let count = 0
  socket.on('tick', () => count++)
  socket.connect()
  await until(() => socket.connected, 'raw connect')
  const started = performance.now()
  socket.emit('blast', n)
  await until(() => count === n, 'raw events', 120_000)
  const seconds = (performance.now() - started) / 1000
  socket.disconnect()
  return n / seconds
}

/** N events through useSocketEvent, with the plugin options of the transport measured. */
export async function ours(url, n, options = { socketOptions: { transports: ['websocket'] } }) {
  const app = createApp({ render: () => null })
  app.use(createSocketPlugin({ url, isServer: false, ...options }))
  const scope = effectScope()
  let count = 0
  const last = app.runWithContext(() => scope.run(() => useSocketEvent('tick', () => count++)))
  const { getSocketRegistry } = await import('../packages/vue/dist/index.js')
  const client = getSocketRegistry(app).peek()
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

/**
 * Interleaved pairs (raw, ours) after a warm-up of each; the ratio is the median of the per-pair ratios, with their
 * min-max interval. Shared by the WebSocket transport's benchmark (events-websocket.mjs).
 */
export async function interleaved(raw, ours, url, n, pairs) {
  await raw(url, 5000) // warm-up both paths
  await ours(url, 5000)
  const a = []
  const b = []
  const ratios = []
  for (let i = 0; i < pairs; i++) {
    const base = await raw(url, n)
    const value = await ours(url, n)
    b.push(base)
    a.push(value)
    ratios.push(value / base)
  }
  return { value: median(a), baseline: median(b), ratio: median(ratios), interval: [Math.min(...ratios), Math.max(...ratios)] }
}

export async function measureEvents(n = 100_000, pairs = 5) {
  const server = await startServer()
  try {
    const { value, baseline, ratio, interval } = await interleaved(raw, ours, server.url, n, pairs)
    const verdict = interval[0] <= 1 && interval[1] >= 1 ? 'no measurable cost (the interval includes 1.0)' : interval[1] < 1 ? 'a measurable cost (the whole interval is below 1.0)' : 'faster than raw (the whole interval is above 1.0)'
    return {
      name: `${n.toLocaleString('en')} server->client events`,
      unit: 'events/s',
      value,
      baseline,
      ratio,
      interval,
      note: `useSocketEvent vs raw socket.on (websocket transport, server in its own process), ${pairs} interleaved pairs, interval min-max: ${verdict}`,
    }
  } finally {
    await server.stop()
  }
}
