// 4. Memory: heap per connected client, 1,000 clients through the core vs 1,000 raw socket.io-client sockets.
import { Manager } from 'socket.io-client'
import { createSocketClient } from '../packages/core/dist/index.js'
import { heap, sleep, startServer, until } from './util.mjs'

async function perClient(url, n, make) {
  await sleep(100)
  const before = heap()
  const clients = []
  for (let i = 0; i < n; i++) clients.push(make(url))
  await until(() => clients.every((c) => c.connected()), `${n} connected`, 60_000)
  await sleep(200)
  const after = heap()
  for (const c of clients) c.close()
  await sleep(300)
  return (after - before) / n
}

export async function measureMemory(n = 1000) {
  if (!globalThis.gc) throw new Error('run with node --expose-gc')
  const server = await startServer()
  try {
    const raw = (url) => {
      const socket = new Manager(url, { transports: ['websocket'], autoConnect: false }).socket('/')
      socket.connect()
      return { connected: () => socket.connected, close: () => socket.disconnect() }
    }
    const ours = (url) => {
      const client = createSocketClient({ url, isServer: false, socketOptions: { transports: ['websocket'] } })
      client.connect()
      return { connected: () => client.getState().status === 'connected', close: () => client.dispose() }
    }
    await perClient(server.url, 50, raw) // warm-up: loads modules
    await perClient(server.url, 50, ours)
    const baseline = await perClient(server.url, n, raw)
    const value = await perClient(server.url, n, ours)
    return { name: `heap per connected client (${n.toLocaleString('en')} clients)`, unit: 'bytes', value, baseline, ratio: value / baseline, note: 'createSocketClient (own Manager each) vs raw Manager + socket; ratio 1.0 = no overhead' }
  } finally {
    await server.stop()
  }
}
