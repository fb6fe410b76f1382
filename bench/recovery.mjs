// 5. Recovery: time to `connected` after the server is back up (and after an `online` event), core vs raw
// socket.io-client with the same settings (delay 1000 ms, max 5000 ms, no jitter).
import { Manager } from 'socket.io-client'
import { createSocketClient } from '../packages/core/dist/index.js'
import { median, sleep, startServer, until } from './util.mjs'

const settings = { delayMs: 1000, maxDelayMs: 5000, jitter: 0 }

function raw(url) {
  const socket = new Manager(url, { transports: ['websocket'], autoConnect: false, reconnectionDelay: settings.delayMs, reconnectionDelayMax: settings.maxDelayMs, randomizationFactor: settings.jitter }).socket('/')
  socket.connect()
  return { connected: () => socket.connected, close: () => socket.disconnect() }
}
function ours(url) {
  const client = createSocketClient({ url, isServer: false, reconnection: settings, socketOptions: { transports: ['websocket'] } })
  client.connect()
  return { connected: () => client.getState().status === 'connected', close: () => client.dispose() }
}

/** Server down for `downMs`, up again: ms from "listening" to the client connected. `online` fires right after. */
async function once(make, port, downMs, fireOnline) {
  let server = await startServer(port)
  const client = make(server.url)
  await until(client.connected, 'first connect')
  await server.stop()
  await until(() => !client.connected(), 'noticed the drop')
  await sleep(downMs)
  server = await startServer(port)
  const up = performance.now()
  if (fireOnline) window.dispatchEvent(new Event('online'))
  await until(client.connected, 'reconnected', 30_000)
  const ms = performance.now() - up
  client.close()
  await server.stop()
  return ms
}

export async function measureRecovery(rounds = 3) {
  // A window for the `online` event (the core listens on window; raw socket.io-client does not retry on it).
  const target = new EventTarget()
  Object.assign(globalThis, { window: target, document: Object.assign(new EventTarget(), { visibilityState: 'visible' }) })
  try {
    const probe = await startServer()
    const port = probe.port
    await probe.stop()
    const results = []
    for (const [label, fireOnline] of [['server back up', false], ['server back up + online event', true]]) {
      const a = []
      const b = []
      for (let i = 0; i < rounds; i++) {
        b.push(await once(raw, port, 1500, fireOnline))
        a.push(await once(ours, port, 1500, fireOnline))
      }
      const value = median(a)
      const baseline = median(b)
      results.push({ name: `recovery: ${label}`, unit: 'ms', value, baseline, ratio: value / baseline, note: `median of ${rounds}; server down 1.5 s; same backoff settings; ratio < 1 = faster` })
    }
    return results
  } finally {
    delete globalThis.window
    delete globalThis.document
  }
}
