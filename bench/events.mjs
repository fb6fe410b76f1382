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

async function ours(url, n) {
  const app = createApp({ render: () => null })
  app.use(createSocketPlugin({ url, isServer: false, socketOptions: { transports: ['websocket'] } }))
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
 * Interleaved pairs (raw, ours); the ratio is the median of the per-pair ratios, with their min-max interval. "No
 * measurable cost" is claimed only when that interval includes 1.0.
 */
export async function measureEvents(n = 100_000, pairs = 5) {
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
    const interval = [Math.min(...ratios), Math.max(...ratios)]
    const verdict = interval[0] <= 1 && interval[1] >= 1 ? 'no measurable cost (the interval includes 1.0)' : interval[1] < 1 ? 'a measurable cost (the whole interval is below 1.0)' : 'faster than raw (the whole interval is above 1.0)'
    return {
      name: `${n.toLocaleString('en')} server->client events`,
      unit: 'events/s',
      value: median(a),
      baseline: median(b),
      ratio: median(ratios),
      interval,
      note: `useSocketEvent vs raw socket.on (websocket transport, server in its own process), ${pairs} interleaved pairs, interval min-max: ${verdict}`,
    }
  } finally {
    await server.stop()
  }
}
