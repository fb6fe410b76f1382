import { afterEach, describe, expect, it, vi } from 'vitest'
import { createTestServer, waitFor, type TestServer } from './testServer.js'
import { createSocketRegistry, type SocketRegistry } from './registry.js'
import { ownedEndpoints } from './ownership.js'

let server: TestServer | null = null
const registries: SocketRegistry[] = []
afterEach(async () => {
  for (const r of registries.splice(0)) r.dispose()
  await server?.close()
  server = null
  vi.restoreAllMocks()
})
const make = (options: Parameters<typeof createSocketRegistry>[0]): SocketRegistry => {
  const r = createSocketRegistry({ isServer: false, ...options })
  registries.push(r)
  return r
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('registry', () => {
  it('two registries for the same URL use two different Managers (no shared io() cache)', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    server = await createTestServer()
    const a = make({ url: server.url, name: 'A' }).acquire()
    const b = make({ url: server.url, name: 'B' }).acquire()
    a.connect()
    b.connect()
    await waitFor(() => a.getState().status === 'connected' && b.getState().status === 'connected', 'both connected')
    expect(a.socket!.io).not.toBe(b.socket!.io)
    expect(server.connectionCount()).toBe(2)
    expect(a.getState().id).not.toBe(b.getState().id)
  })

  it('namespaces of one registry share one Manager', async () => {
    server = await createTestServer()
    server.io.of('/chat')
    const registry = make({ url: server.url })
    const root = registry.acquire()
    const chat = registry.acquire({ namespace: '/chat' })
    root.connect()
    chat.connect()
    await waitFor(() => root.getState().status === 'connected' && chat.getState().status === 'connected', 'both connected')
    expect(root.socket!.io).toBe(chat.socket!.io)
    expect(registry.getDiagnostics().managers).toBe(1)
  })

  it('20 acquires of one key, each connecting before the first connection completes -> one server socket; releasing all -> disconnected after the grace period', async () => {
    server = await createTestServer()
    const registry = make({ url: server.url, graceMs: 300 })
    const held = Array.from({ length: 20 }, () => {
      const c = registry.acquire()
      c.connect()
      return c
    })
    expect(new Set(held).size).toBe(1)
    const client = held[0]!
    await waitFor(() => client.getState().status === 'connected', 'connected')
    await sleep(100)
    expect(server.connectionCount()).toBe(1)
    expect(server.handshakes()).toBe(1)
    expect(registry.getDiagnostics().clients).toEqual([expect.objectContaining({ refs: 20, status: 'connected' })])
    for (const c of held) registry.release(c)
    expect(registry.getDiagnostics()).toMatchObject({ pendingReleases: 1 })
    await sleep(150)
    expect(client.getState().status).toBe('connected') // still within the grace period
    await waitFor(() => client.getState().status === 'disconnected', 'disconnected after grace', 2000)
    await waitFor(() => server!.connectionCount() === 0, 'server sees it go')
    expect(registry.getDiagnostics()).toMatchObject({ clients: [], managers: 0, pendingReleases: 0, windowListeners: 0 })
  })

  it('acquiring again within the grace period keeps the same connection', async () => {
    server = await createTestServer()
    const registry = make({ url: server.url, graceMs: 200 })
    const a = registry.acquire()
    a.connect()
    await waitFor(() => a.getState().status === 'connected', 'connected')
    const id = a.getState().id
    registry.release(a)
    await sleep(50)
    const b = registry.acquire()
    await sleep(300)
    expect(b).toBe(a)
    expect(b.getState()).toMatchObject({ status: 'connected', id })
    expect(server.handshakes()).toBe(1)
  })

  it('acquiring the same key with another auth mode warns once, naming both', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const registry = make({ url: 'http://127.0.0.1:9' })
    registry.acquire({ auth: { mode: 'cookie' } })
    registry.acquire({ auth: { mode: 'token', getToken: () => 'secret-value' } })
    registry.acquire({ auth: { mode: 'token', getToken: () => 'secret-value' } })
    registry.acquire({ auth: { mode: 'cookie' } })
    expect(warn).toHaveBeenCalledTimes(1)
    const message = String(warn.mock.calls[0]?.[0])
    expect(message).toMatch(/conflicting options/)
    expect(message).toMatch(/auth: 'cookie'/)
    expect(message).toMatch(/auth: 'token'/)
    expect(message).toMatch(/registry\.test\.ts/) // the call sites
    expect(message).not.toContain('secret-value')
  })

  it('two namespaces of one url + path (one Manager) with different connection options warn once, naming both call sites; agreeing ones do not', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const registry = make({ url: 'http://127.0.0.1:9' })
    registry.acquire({ namespace: '/a', socketOptions: { transports: ['websocket'] } })
    registry.acquire({ namespace: '/b', socketOptions: { transports: ['websocket'] } })
    expect(warn).not.toHaveBeenCalled()
    registry.acquire({ namespace: '/c', socketOptions: { transports: ['polling'] } })
    registry.acquire({ namespace: '/c', socketOptions: { transports: ['polling'] } })
    const messages = warn.mock.calls.map((c) => String(c[0]))
    expect(messages.length).toBeGreaterThan(0)
    expect(messages.every((m) => /share one connection to http:\/\/127\.0\.0\.1:9\/socket\.io/.test(m))).toBe(true)
    expect(messages[0]).toMatch(/#\/a and .*#\/c/)
    expect(messages[0]).toMatch(/"websocket"/)
    expect(messages[0]).toMatch(/"polling"/)
    expect(messages[0]!.match(/registry\.test\.ts/g)).toHaveLength(2) // both call sites
    // Another server (url) is another Manager: no warning.
    warn.mockClear()
    registry.acquire({ url: 'http://127.0.0.1:10', socketOptions: { transports: ['polling'] } })
    expect(warn).not.toHaveBeenCalled()
  })

  it('two registries in one page connecting to the same url+path -> one warning naming both (development only)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    server = await createTestServer()
    const plugin = make({ url: server.url, name: 'plugins/socket.client.ts' })
    const composable = make({ url: server.url, name: 'composables/useChat.ts' })
    const a = plugin.acquire()
    const b = composable.acquire()
    a.connect()
    b.connect()
    composable.acquire({ namespace: '/x' }) // not connected: no claim
    await waitFor(() => a.getState().status === 'connected' && b.getState().status === 'connected', 'both connected')
    expect(warn).toHaveBeenCalledTimes(1)
    const message = String(warn.mock.calls[0]?.[0])
    expect(message).toContain('plugins/socket.client.ts')
    expect(message).toContain('composables/useChat.ts')
    expect(message).toContain(`${server.url}/socket.io`)
    // Production: silent.
    const env = process.env.NODE_ENV
    process.env.NODE_ENV = 'production'
    try {
      const third = make({ url: server.url, name: 'third' })
      const c = third.acquire()
      c.connect()
      await waitFor(() => c.getState().status === 'connected', 'third connected')
      expect(warn).toHaveBeenCalledTimes(1)
      third.dispose()
    } finally {
      process.env.NODE_ENV = env
    }
    plugin.dispose()
    composable.dispose()
    expect(ownedEndpoints()).toEqual([])
  })

  it('a disposed registry refuses acquire() with a clear error; release() of a foreign client is ignored', () => {
    const registry = make({ url: 'http://127.0.0.1:9' })
    const other = make({ url: 'http://127.0.0.1:9' }).acquire()
    registry.release(other)
    registry.dispose()
    expect(() => registry.acquire()).toThrow(/disposed registry/)
  })
})
