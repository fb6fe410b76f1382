// The engine driven through the transport seam by the mock transport: no server, no network, fake timers for the
// engine's own backoff. The real-server suites (client, emit, auth, reliability...) cover socket.io's side.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSocketClient } from '../client.js'
import { isSocketError } from '../errors.js'
import { createMockTransport, type MockTransport } from '../mockTransport.js'
import type { SocketClient, SocketClientOptions, SocketStatus } from '../types.js'

let mock: MockTransport
const clients: SocketClient[] = []

function open(options: SocketClientOptions = {}): SocketClient {
  const client = createSocketClient({ url: 'http://mock.test', isServer: false, transport: mock.transport, ...options })
  clients.push(client)
  return client
}

/** Lets the engine chunk load and the mock's microtask handshakes run (no timers involved). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve()
  await vi.dynamicImportSettled()
  for (let i = 0; i < 20; i++) await Promise.resolve()
}

const statuses = (client: SocketClient): SocketStatus[] => {
  const seen: SocketStatus[] = []
  client.subscribe((s) => seen.push(s.status))
  return seen
}

beforeEach(() => {
  mock = createMockTransport()
})
afterEach(() => {
  for (const c of clients.splice(0)) c.dispose()
  vi.useRealTimers()
})

describe('engine through the transport seam (mock transport)', () => {
  it('connects, delivers server events to each handler once, answers acks and records the emits', async () => {
    const client = open()
    const got: unknown[] = []
    client.on('news', (n: unknown) => got.push(n))
    client.once('news', (n: unknown) => got.push(`once:${String(n)}`))
    mock.on('add', (a, b) => Number(a) + Number(b))
    client.connect()
    await settle()
    expect(client.getState()).toMatchObject({ status: 'connected', transport: 'mock' })
    mock.emit('news', 1)
    mock.emit('news', 2)
    expect(got).toEqual([1, 'once:1', 2])
    await expect(client.emitWithAck('add', 2, 3)).resolves.toBe(5)
    client.emit('hello', 'x')
    expect(mock.received.map((r) => r.event)).toEqual(['add', 'hello'])
  })

  it('emits recorded before the engine loaded are sent in order on connect, exactly once', async () => {
    const client = open()
    client.emit('m', 1)
    const ack = client.emitWithAck('m', 2)
    client.emit('m', 3)
    mock.on('m', (n) => `ack ${String(n)}`)
    client.connect()
    await settle()
    await expect(ack).resolves.toBe('ack 2')
    expect(mock.received.map((r) => r.args[0])).toEqual([1, 2, 3])
  })

  it('a dropped connection is retried with the engine backoff (its own timers), and onResync runs after an unrecovered reconnect', async () => {
    vi.useFakeTimers()
    const client = open({ reconnection: { delayMs: 1000, maxDelayMs: 4000, jitter: 0 } })
    const resyncs = vi.fn()
    client.onResync(resyncs)
    client.connect()
    await settle()
    const seen = statuses(client)
    mock.stop()
    expect(client.getState().status).toBe('reconnecting')
    expect(client.getState().nextRetryAt).toBeGreaterThan(Date.now())
    await vi.advanceTimersByTimeAsync(1000) // attempt 1 fails: the server is down
    await settle()
    expect(client.getState()).toMatchObject({ status: 'reconnecting', attempt: 2 })
    mock.start()
    await vi.advanceTimersByTimeAsync(2000) // attempt 2, after 2 s: exponential
    await settle()
    expect(client.getState()).toMatchObject({ status: 'connected', recovered: false })
    expect(resyncs).toHaveBeenCalledTimes(1)
    expect(seen[0]).toBe('reconnecting')
    expect(seen.at(-1)).toBe('connected')
  })

  it('attempts exhausted -> failed, and reconnect() starts over', async () => {
    vi.useFakeTimers()
    const client = open({ reconnection: { attempts: 2, delayMs: 100, maxDelayMs: 100, jitter: 0 } })
    client.connect()
    await settle()
    mock.stop()
    await vi.advanceTimersByTimeAsync(100)
    await settle()
    await vi.advanceTimersByTimeAsync(100)
    await settle()
    expect(client.getState().status).toBe('failed')
    expect(vi.getTimerCount()).toBe(0)
    mock.start()
    client.reconnect()
    await settle()
    expect(client.getState().status).toBe('connected')
  })

  it('the server closing on purpose -> disconnected, no retry', async () => {
    vi.useFakeTimers()
    const client = open()
    client.connect()
    await settle()
    mock.kick()
    expect(client.getState()).toMatchObject({ status: 'disconnected', error: { kind: 'server' } })
    expect(vi.getTimerCount()).toBe(0)
  })

  it('an auth rejection is retried with a fresh token auth.retries times, then unauthorized; the token is never in a URL', async () => {
    let n = 0
    mock = createMockTransport({ authorize: (auth) => auth?.token === 'good' })
    const client = open({ auth: { mode: 'token', getToken: () => (++n === 3 ? 'good' : `bad-${n}`), retries: 1 } })
    client.connect()
    await settle()
    expect(client.getState()).toMatchObject({ status: 'unauthorized', error: { kind: 'unauthorized' } })
    expect(mock.handshakes.map((h) => h.auth)).toEqual([{ token: 'bad-1' }, { token: 'bad-2' }])
    client.reconnect()
    await settle()
    expect(client.getState().status).toBe('connected')
    expect(mock.handshakes.at(-1)?.auth).toEqual({ token: 'good' })
  })

  it('an unanswered ack times out at the client deadline; a disconnect rejects queued acks; dispose leaves no timer', async () => {
    vi.useFakeTimers()
    const client = open({ ackTimeoutMs: 500 })
    client.connect()
    await settle()
    const unanswered = client.emitWithAck('nobody-listens')
    const check = expect(unanswered).rejects.toMatchObject({ kind: 'timeout' })
    await vi.advanceTimersByTimeAsync(500)
    await check
    mock.drop()
    const queued = client.emitWithAck('later')
    client.disconnect()
    await expect(queued).rejects.toSatisfy((e: unknown) => isSocketError(e) && e.kind === 'network')
    client.dispose()
    expect(vi.getTimerCount()).toBe(0)
    expect(mock.connections).toBe(0)
  })
})
