// 3. Events: N server->client events through useSocketEvent vs a raw socket.io-client socket.on, same process and run.
import { Manager } from 'socket.io-client'
import { createApp, effectScope } from 'vue'
import { createSocketPlugin, useSocketEvent } from '../packages/vue/dist/index.js'
import { startServer, until } from './util.mjs'

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

export async function measureEvents(n = 100_000) {
  const server = await startServer()
  try {
    await raw(server.url, 5000) // warm-up both paths
    await ours(server.url, 5000)
    const a = []
    const b = []
    for (let i = 0; i < 3; i++) {
      b.push(await raw(server.url, n))
      a.push(await ours(server.url, n))
    }
    const value = Math.max(...a)
    const baseline = Math.max(...b)
    return { name: `${n.toLocaleString('en')} server->client events`, unit: 'events/s', value, baseline, ratio: value / baseline, note: 'useSocketEvent vs raw socket.on (websocket transport, server in its own process); ratio 1.0 = no cost' }
  } finally {
    await server.stop()
  }
}
