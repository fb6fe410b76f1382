import { describe, expect, it } from 'vitest'
import { waitFor, type TestServer } from './testServer.js'
import { isSocketError } from './errors.js'
import { sleep, useCleanup } from './testFixtures.js'

const fx = useCleanup()
const open = fx.open
let server: TestServer | null = null

describe('bounded offline queue', () => {
  it('10,000 emits while disconnected with buffer.max 100 -> the server receives exactly the newest 100, in order; 9,900 dropped', async () => {
    const received: number[] = []
    server = await fx.server({ onConnection: (s) => s.on('n', (n: number) => received.push(n)) })
    const port = server.port
    const client = open({ url: server.url, buffer: { max: 100, ttlMs: 60_000 }, reconnection: { delayMs: 50, maxDelayMs: 50, jitter: 0 } })
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected')
    await server.stop()
    await waitFor(() => client.getState().status === 'reconnecting', 'reconnecting')
    for (let i = 0; i < 10_000; i++) client.emit('n', i)
    expect(client.getDiagnostics().queue).toEqual({ size: 100, dropped: 9_900, expired: 0 })
    // socket.io's own unbounded send buffer stays empty: the queue replaced it.
    expect((client.socket as unknown as { sendBuffer: unknown[] }).sendBuffer).toHaveLength(0)
    await server.start()
    expect(server.port).toBe(port)
    await waitFor(() => received.length === 100, '100 received')
    await sleep(100)
    expect(received).toEqual(Array.from({ length: 100 }, (_, i) => 9_900 + i))
    expect(client.getDiagnostics().queue).toEqual({ size: 0, dropped: 9_900, expired: 0 })
  })

  it('emits made before the first connect are sent once connected; expired ones are dropped and counted', async () => {
    const received: string[] = []
    server = await fx.server({ onConnection: (s) => s.on('m', (m: string) => received.push(m)) })
    const client = open({ url: server.url, buffer: { max: 10, ttlMs: 100 } })
    client.emit('m', 'old')
    await sleep(150)
    client.emit('m', 'fresh')
    client.connect()
    await waitFor(() => received.length === 1, 'fresh received')
    await sleep(50)
    expect(received).toEqual(['fresh'])
    expect(client.getDiagnostics().queue).toEqual({ size: 0, dropped: 0, expired: 1 })
  })

  it('volatile emits are dropped while disconnected; buffer: false drops plain emits', async () => {
    const received: string[] = []
    server = await fx.server({ onConnection: (s) => s.on('m', (m: string) => received.push(m)) })
    const client = open({ url: server.url, buffer: false })
    client.volatile.emit('m', 'volatile')
    client.emit('m', 'plain')
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected')
    client.emit('m', 'live')
    await waitFor(() => received.length === 1, 'live received')
    await sleep(50)
    expect(received).toEqual(['live'])
    expect(client.getDiagnostics().queue.dropped).toBe(1)
  })
})

describe('emitWithAck', () => {
  it('resolves with the ack, also when queued before connecting', async () => {
    server = await fx.server({ onConnection: (s) => s.on('add', (a: number, b: number, ack: (r: number) => void) => ack(a + b)) })
    const client = open({ url: server.url })
    const early = client.emitWithAck('add', 1, 2)
    client.connect()
    expect(await early).toBe(3)
    expect(await client.emitWithAck('add', 20, 22)).toBe(42)
    expect(client.getDiagnostics().pendingAcks).toBe(0)
  })

  it("rejects with kind 'timeout' after ackTimeoutMs", async () => {
    server = await fx.server({ onConnection: (s) => s.on('never', () => {}) })
    const client = open({ url: server.url, ackTimeoutMs: 150 })
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected')
    const started = Date.now()
    const error = await client.emitWithAck('never').catch((e: unknown) => e)
    expect(isSocketError(error) && error.kind).toBe('timeout')
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    expect(client.getDiagnostics().pendingAcks).toBe(0)
  })

  it('rejects while still disconnected when the ack timeout runs out in the queue', async () => {
    const client = open({ url: 'http://127.0.0.1:9', ackTimeoutMs: 100 })
    const error = await client.emitWithAck('x').catch((e: unknown) => e)
    expect(isSocketError(error) && error.kind).toBe('timeout')
    expect(client.getDiagnostics()).toMatchObject({ pendingAcks: 0, queue: { size: 0 } })
  })

  it('pending acks are rejected on disconnect and none remain', async () => {
    server = await fx.server({ onConnection: (s) => s.on('slow', () => {}) })
    const client = open({ url: server.url, ackTimeoutMs: 10_000 })
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected')
    const pending = Array.from({ length: 5 }, (_, i) => client.emitWithAck('slow', i).catch((e: unknown) => e))
    expect(client.getDiagnostics().pendingAcks).toBe(5)
    // And one more on the wire when the connection drops by itself.
    server.io.of('/').sockets.get(client.getState().id!)?.conn.close()
    const results = await Promise.all(pending)
    for (const r of results) expect(isSocketError(r) && r.kind).toBe('network')
    expect(client.getDiagnostics().pendingAcks).toBe(0)
    await waitFor(() => client.getState().status === 'connected', 'reconnected')
    const again = client.emitWithAck('slow').catch((e: unknown) => e)
    client.disconnect()
    expect(isSocketError(await again) && ((await again) as { kind: string }).kind).toBe('network')
    expect(client.getDiagnostics().pendingAcks).toBe(0)
    expect(Object.keys((client.socket as unknown as { acks: object }).acks)).toHaveLength(0)
  })

  it('a queued emitWithAck is rejected by disconnect() and by dispose()', async () => {
    const client = open({ url: 'http://127.0.0.1:9', ackTimeoutMs: 10_000 })
    const a = client.emitWithAck('x').catch((e: unknown) => e)
    client.disconnect()
    expect(isSocketError(await a) && ((await a) as { kind: string }).kind).toBe('network')
    const b = client.emitWithAck('x').catch((e: unknown) => e)
    client.dispose()
    expect(isSocketError(await b)).toBe(true)
    expect(client.getDiagnostics()).toMatchObject({ pendingAcks: 0, queue: { size: 0 } })
  })
})

describe('bad input', () => {
  it('emit/on with a missing event name throw a config error that says what is needed', () => {
    const client = open({ url: 'http://127.0.0.1:9' })
    expect(() => client.emit(undefined as unknown as string)).toThrow(/needs an event name/)
    expect(() => client.on('x', undefined as unknown as () => void)).toThrow(/on\(event, handler\) needs an event name .* handler function/)
    return expect(client.emitWithAck('' as string)).rejects.toMatchObject({ kind: 'config' })
  })
})
