import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestServer, waitFor, type TestServer } from './testServer.js'
import { createSocketClient } from './client.js'
import { createSocketRegistry } from './registry.js'
import type { SocketClient } from './types.js'
import { CountingTarget } from './testFixtures.js'


let win: CountingTarget
let doc: CountingTarget & { visibilityState: string }
let nav: { onLine: boolean }
let server: TestServer | null = null
const clients: SocketClient[] = []

beforeEach(() => {
  win = new CountingTarget()
  doc = Object.assign(new CountingTarget(), { visibilityState: 'visible' })
  nav = { onLine: true }
  Object.assign(globalThis, { window: win, document: doc })
  Object.defineProperty(globalThis, 'navigator', { value: nav, configurable: true, writable: true })
})

afterEach(async () => {
  for (const c of clients.splice(0)) c.dispose()
  await server?.close()
  server = null
  const g = globalThis as Record<string, unknown>
  delete g.window
  delete g.document
  delete g.navigator
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const open = (url: string, delayMs: number): SocketClient => {
  const c = createSocketClient({ url, isServer: false, reconnection: { delayMs, maxDelayMs: delayMs, jitter: 0 } })
  clients.push(c)
  return c
}

/** A client connected with a 5 s retry delay, then its server stopped: a retry is scheduled 5 s ahead. */
async function connectedThenServerDown(): Promise<SocketClient> {
  server = await createTestServer()
  const client = open(server.url, 5000)
  client.connect()
  await waitFor(() => client.getState().status === 'connected', 'connected')
  await server.stop()
  await waitFor(() => client.getState().nextRetryAt !== null, 'a retry scheduled')
  return client
}

describe('online / offline / visibility / pageshow', () => {
  it('offline: the status is offline and attempts pause; online reconnects at once', async () => {
    server = await createTestServer()
    const client = open(server.url, 50)
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected')
    nav.onLine = false
    win.dispatchEvent(new Event('offline'))
    server.io.of('/').sockets.get(client.getState().id!)?.conn.close()
    await waitFor(() => client.getState().status === 'offline', 'offline (not reconnecting)')
    const handshakes = server.handshakes()
    await sleep(500) // ten retry delays
    expect(server.handshakes()).toBe(handshakes)
    expect(client.getState()).toMatchObject({ status: 'offline', nextRetryAt: null })
    expect(client.getDiagnostics().attempts.some((a) => a.event === 'paused')).toBe(true)
    nav.onLine = true
    win.dispatchEvent(new Event('online'))
    await waitFor(() => client.getState().status === 'connected', 'connected after online', 1000)
  })

  for (const [name, fire] of [
    ['online', () => win.dispatchEvent(new Event('online'))],
    ['visibilitychange to visible', () => doc.dispatchEvent(new Event('visibilitychange'))],
    ['pageshow from the back-forward cache', () => win.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }))],
  ] as const) {
    it(`${name} retries at once although the next retry is 5 s away`, async () => {
      const client = await connectedThenServerDown()
      const scheduledIn = client.getState().nextRetryAt! - Date.now()
      expect(scheduledIn).toBeGreaterThan(4000)
      await server!.start()
      const t0 = performance.now()
      fire()
      await waitFor(() => client.getState().status === 'connected', 'connected', 2000)
      const elapsed = performance.now() - t0
      console.info(`[measure] ${name}: connected ${elapsed.toFixed(1)} ms after the event (next scheduled retry was ${scheduledIn} ms away)`)
      // Well before the scheduled retry: the event cut the backoff short.
      expect(elapsed).toBeLessThan(1000)
    })
  }

  it('visibilitychange to hidden and pageshow without persisted do nothing', async () => {
    const client = await connectedThenServerDown()
    await server!.start()
    doc.visibilityState = 'hidden'
    doc.dispatchEvent(new Event('visibilitychange'))
    win.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: false }))
    await sleep(300)
    expect(client.getState().status).toBe('reconnecting')
  })

  it('window listeners are attached on first connect and removed when the last client is disposed', async () => {
    server = await createTestServer()
    server.io.of('/other')
    const registry = createSocketRegistry({ url: server.url, isServer: false, graceMs: 0 })
    const a = registry.acquire()
    const b = registry.acquire({ namespace: '/other' })
    expect(win.listeners + doc.listeners).toBe(0) // nothing before a connection is wanted
    a.connect()
    b.connect()
    await waitFor(() => a.getState().status === 'connected' && b.getState().status === 'connected', 'both connected')
    expect(win.listeners).toBe(3) // online, offline, pageshow: shared by the registry's clients
    expect(doc.listeners).toBe(1) // visibilitychange
    expect(registry.getDiagnostics().windowListeners).toBe(4)
    registry.release(a)
    expect(win.listeners + doc.listeners).toBe(4)
    registry.release(b)
    expect(win.listeners + doc.listeners).toBe(0)
    expect(registry.getDiagnostics().windowListeners).toBe(0)
    registry.dispose()
  })

  it('a standalone client removes its listeners on disconnect() and on dispose()', () => {
    const client = open('http://127.0.0.1:9', 5000)
    client.connect()
    expect(win.listeners + doc.listeners).toBe(4)
    client.disconnect()
    expect(win.listeners + doc.listeners).toBe(0)
    client.connect()
    expect(win.listeners + doc.listeners).toBe(4)
    client.dispose()
    expect(win.listeners + doc.listeners).toBe(0)
  })
})
