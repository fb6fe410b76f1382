import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestServer, waitFor, type TestServer } from './testServer.js'
import { createSocketClient } from './client.js'
import type { SocketClient, SocketClientOptions, SocketState, SocketStatus } from './types.js'

let server: TestServer | null = null
const clients: SocketClient[] = []
const extraServers: Server[] = []
const extraSockets: Socket[] = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.dispose()
  await server?.close()
  server = null
  for (const c of extraSockets.splice(0)) c.destroy()
  for (const s of extraServers.splice(0)) await new Promise((r) => s.close(r))
})

function open(options: SocketClientOptions): { client: SocketClient; states: SocketState[]; statuses: () => SocketStatus[] } {
  const client = createSocketClient({ isServer: false, ...options })
  clients.push(client)
  const states: SocketState[] = [client.getState()]
  client.subscribe((s) => states.push(s))
  // Consecutive duplicates collapsed: the path through the statuses.
  const statuses = (): SocketStatus[] => states.map((s) => s.status).filter((s, i, all) => i === 0 || all[i - 1] !== s)
  return { client, states, statuses }
}

const fast = { delayMs: 100, maxDelayMs: 200, jitter: 0 }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('state machine on a real restart', () => {
  it('idle -> connecting -> connected -> reconnecting -> connected, with attempt and nextRetryAt while reconnecting', async () => {
    server = await createTestServer()
    const { client, states, statuses } = open({ url: server.url, reconnection: fast })
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'first connect')
    const firstId = client.getState().id
    await server.stop()
    await waitFor(() => client.getState().attempt >= 2, 'two failed attempts while the server is down')
    const scheduled = states.filter((s) => s.status === 'reconnecting' && s.attempt > 0 && s.nextRetryAt !== null)
    expect(scheduled.length).toBeGreaterThanOrEqual(2)
    for (const s of scheduled) expect(s.nextRetryAt! - Date.now()).toBeLessThan(1000)
    expect(client.getState().error?.kind).toBe('network')
    await server.start()
    await waitFor(() => client.getState().status === 'connected', 'reconnected after restart')
    expect(statuses()).toEqual(['idle', 'connecting', 'connected', 'reconnecting', 'connected'])
    expect(client.getState()).toMatchObject({ attempt: 0, nextRetryAt: null, error: null })
    expect(client.getState().id).not.toBe(firstId)
    expect(server.connectionCount()).toBe(1)
  })

  it('attempts exhausted -> failed; reconnect() starts over and recovers', async () => {
    server = await createTestServer()
    const port = server.port
    await server.stop()
    const { client, statuses } = open({ url: `http://127.0.0.1:${port}`, reconnection: { attempts: 2, delayMs: 50, maxDelayMs: 50, jitter: 0 } })
    client.connect()
    await waitFor(() => client.getState().status === 'failed', 'failed after 2 attempts')
    expect(client.getState().error?.kind).toBe('network')
    const attempts = client.getDiagnostics().attempts.filter((a) => a.event === 'attempt')
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2])
    await sleep(200)
    expect(client.getState().status).toBe('failed')
    await server.start()
    const handshakesBefore = server.handshakes()
    await sleep(200)
    expect(server.handshakes()).toBe(handshakesBefore) // failed means no further attempts
    client.reconnect()
    await waitFor(() => client.getState().status === 'connected', 'connected after reconnect()')
    expect(statuses()).toEqual(['idle', 'connecting', 'reconnecting', 'failed', 'reconnecting', 'connected'])
  })

  it('disconnect() -> disconnected, and no further attempts even when the server comes back', async () => {
    server = await createTestServer()
    const { client } = open({ url: server.url, reconnection: fast })
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected')
    await server.stop()
    await waitFor(() => client.getState().status === 'reconnecting', 'reconnecting')
    client.disconnect()
    expect(client.getState()).toMatchObject({ status: 'disconnected', nextRetryAt: null, error: null })
    await server.start()
    const before = server.handshakes()
    await sleep(600)
    expect(server.handshakes()).toBe(before)
    expect(server.connectionCount()).toBe(0)
    expect(client.getState().status).toBe('disconnected')
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connect() after disconnect()')
  })

  it("a server-side socket.disconnect() -> disconnected with a 'server' error, not retried by default", async () => {
    server = await createTestServer()
    const { client, statuses } = open({ url: server.url, reconnection: fast })
    client.connect()
    await waitFor(() => server!.connectionCount() === 1, 'server sees the socket')
    await waitFor(() => client.getState().status === 'connected', 'connected')
    server.io.of('/').disconnectSockets()
    await waitFor(() => client.getState().status === 'disconnected', 'disconnected')
    expect(client.getState().error?.kind).toBe('server')
    const before = server.handshakes()
    await sleep(500)
    expect(server.handshakes()).toBe(before)
    expect(statuses()).toEqual(['idle', 'connecting', 'connected', 'disconnected'])
  })

  it('reconnectOnServerDisconnect: true reconnects after a server-side disconnect', async () => {
    server = await createTestServer()
    const { client, statuses } = open({ url: server.url, reconnection: fast, reconnectOnServerDisconnect: true })
    client.connect()
    await waitFor(() => server!.connectionCount() === 1, 'server sees the socket')
    server.io.of('/').disconnectSockets()
    await waitFor(() => statuses().length === 5 && client.getState().status === 'connected', 'connected again')
    expect(statuses()).toEqual(['idle', 'connecting', 'connected', 'reconnecting', 'connected'])
  })
})

describe('handlers across reconnects', () => {
  it('after 20 forced reconnects each server emit reaches each handler exactly once; socket listener counts stay constant', async () => {
    server = await createTestServer()
    const { client } = open({ url: server.url, reconnection: { delayMs: 10, maxDelayMs: 20, jitter: 0 } })
    const a: number[] = []
    const b: number[] = []
    const onceSeen: number[] = []
    client.on('tick', (n: number) => a.push(n))
    client.on('tick', (n: number) => b.push(n))
    client.once('tick', (n: number) => onceSeen.push(n))
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected')
    const baseline = client.getDiagnostics().socketListeners
    expect(baseline.tick).toBe(1)
    const ids = new Set<string>()
    for (let i = 0; i < 20; i++) {
      const id = client.getState().id!
      ids.add(id)
      // Kill the transport under the socket: the client sees "transport close" and socket.io reconnects.
      server.io.of('/').sockets.get(id)?.conn.close()
      await waitFor(() => client.getState().status === 'connected' && client.getState().id !== id, `reconnect ${i + 1}`)
      await waitFor(() => server!.connectionCount() === 1, 'one server socket')
      server.io.emit('tick', i)
      await waitFor(() => a.length === i + 1 && b.length === i + 1, `tick ${i} delivered`)
      expect(client.getDiagnostics().socketListeners).toEqual(baseline)
    }
    await sleep(50)
    expect(ids.size).toBe(20)
    expect(a).toEqual([...Array(20).keys()])
    expect(b).toEqual([...Array(20).keys()])
    expect(onceSeen).toEqual([0])
    expect(client.getDiagnostics().handlers).toEqual({ tick: 2 })
  })

  it('off() and the returned function remove handlers; the socket dispatcher goes with the last one', async () => {
    server = await createTestServer()
    const { client } = open({ url: server.url })
    const seen: string[] = []
    const h = (m: string) => seen.push(`h:${m}`)
    const stop = client.on('m', (m: string) => seen.push(`a:${m}`))
    client.on('m', h)
    client.connect()
    await waitFor(() => server!.connectionCount() === 1, 'connected')
    server.io.emit('m', '1')
    await waitFor(() => seen.length === 2, 'both handlers')
    stop()
    server.io.emit('m', '2')
    await waitFor(() => seen.length === 3, 'one handler')
    client.off('m', h)
    expect(client.getDiagnostics().socketListeners.m).toBeUndefined()
    expect(client.socket!.listeners('m')).toHaveLength(0)
    expect(seen).toEqual(['a:1', 'h:1', 'h:2'])
  })
})

describe('error classification', () => {
  it('connection refused -> network', async () => {
    const probe = await createTestServer()
    const url = probe.url
    await probe.close()
    const { client } = open({ url, reconnection: false })
    client.connect()
    await waitFor(() => client.getState().status === 'failed', 'failed')
    expect(client.getState().error?.kind).toBe('network')
  })

  it('middleware rejection -> unauthorized, with the server data', async () => {
    server = await createTestServer({
      middleware: (_socket, next) => {
        const err = new Error('not authorized') as Error & { data?: unknown }
        err.data = { reason: 'no session' }
        next(err)
      },
    })
    const { client } = open({ url: server.url })
    client.connect()
    await waitFor(() => client.getState().status === 'unauthorized', 'unauthorized')
    expect(client.getState().error).toMatchObject({ kind: 'unauthorized', data: { reason: 'no session' } })
    expect(client.getState().error?.message).toMatch(/not authorized/)
  })

  it("an unknown namespace -> failed with a 'config' error naming the option", async () => {
    server = await createTestServer()
    const { client } = open({ url: server.url, namespace: '/nope' })
    client.connect()
    await waitFor(() => client.getState().status === 'failed', 'failed')
    expect(client.getState().error).toMatchObject({ kind: 'config' })
    expect(client.getState().error?.message).toMatch(/options\.namespace/)
  })

  it('handshake timeout -> timeout (a TCP server that accepts and never answers)', async () => {
    const silent = createServer((conn) => conn.on('error', () => {}))
    silent.on('connection', (conn) => extraSockets.push(conn))
    extraServers.push(silent)
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    const { port } = silent.address() as AddressInfo
    const { client } = open({ url: `http://127.0.0.1:${port}`, reconnection: false, socketOptions: { timeout: 300 } })
    client.connect()
    await waitFor(() => client.getState().status === 'failed', 'failed')
    expect(client.getState().error?.kind).toBe('timeout')
  })
})

describe('dispose', () => {
  it('closes the server connection, and drops listeners, handlers and subscribers', async () => {
    server = await createTestServer()
    const { client } = open({ url: server.url })
    client.on('x', () => {})
    client.connect()
    await waitFor(() => server!.connectionCount() === 1, 'connected')
    const socket = client.socket!
    client.dispose()
    await waitFor(() => server!.connectionCount() === 0, 'server sees the disconnect')
    expect(client.socket).toBeNull()
    for (const event of ['x', 'connect', 'disconnect', 'connect_error']) expect(socket.listeners(event)).toHaveLength(0)
    expect(socket.io.listeners('reconnect_attempt')).toHaveLength(0)
    expect(client.getDiagnostics()).toMatchObject({ handlers: {}, hasSocket: false, status: 'disconnected' })
  })
})
