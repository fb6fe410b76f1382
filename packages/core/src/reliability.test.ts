// Fault injection: half-open paths, mid-stream cuts, churn, connection state recovery, bad input.
// Loopback only; every server, proxy and client is closed by the test; each case is bounded in time.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createSocketClient } from './client.js'
import { createSocketRegistry } from './registry.js'
import { isSocketError } from './errors.js'
import { createTcpProxy, type TcpProxy } from './tcpProxy.js'
import { createTestServer, waitFor, type TestServer } from './testServer.js'
import type { SocketClient, SocketClientOptions } from './types.js'

const servers: TestServer[] = []
const proxies: TcpProxy[] = []
const clients: SocketClient[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) c.dispose()
  for (const p of proxies.splice(0)) await p.close()
  for (const s of servers.splice(0)) await s.close()
})
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
async function server(options: Parameters<typeof createTestServer>[0] = {}): Promise<TestServer> {
  const s = await createTestServer(options)
  servers.push(s)
  return s
}
async function proxy(target: TestServer): Promise<TcpProxy> {
  const p = await createTcpProxy(target.port)
  proxies.push(p)
  return p
}
function client(options: SocketClientOptions): SocketClient {
  const c = createSocketClient({ isServer: false, ...options })
  clients.push(c)
  return c
}
const fast = { delayMs: 20, maxDelayMs: 100, jitter: 0 }

describe('reliability', () => {
  it('1. a half-open path is detected by the ping timeout and recovered when forwarding resumes', async () => {
    const s = await server({ server: { pingInterval: 50, pingTimeout: 30 } })
    const p = await proxy(s)
    const c = client({ url: p.url, reconnection: fast, socketOptions: { transports: ['websocket'], timeout: 400 } })
    c.connect()
    await waitFor(() => c.getState().status === 'connected', 'connected')
    const started = Date.now()
    p.pause() // bytes stop, nothing closes
    await waitFor(() => c.getState().status === 'reconnecting', 'ping timeout noticed', 3000)
    const detectedMs = Date.now() - started
    expect(c.getState().error?.kind).toBe('timeout')
    expect(c.getDiagnostics().errors.some((e) => /ping/.test(e.message))).toBe(true)
    await sleep(300)
    expect(c.getState().status).toBe('reconnecting') // still held: handshakes time out through the paused path
    p.resume()
    await waitFor(() => c.getState().status === 'connected', 'recovered after resume', 5000)
    console.info(`[measure] half-open path detected after ${detectedMs} ms (pingInterval 50 + pingTimeout 30)`)
  })

  it('2. 20 mid-stream cuts: reconnects every time, no handler runs twice for one emit, emitWithAck with retries delivered at least once and acked once', async () => {
    const deliveries = new Map<number, number>()
    const s = await server({
      onConnection: (socket) =>
        socket.on('work', (n: number, ack: (r: number) => void) => {
          deliveries.set(n, (deliveries.get(n) ?? 0) + 1)
          ack(n * 2)
        }),
    })
    const p = await proxy(s)
    const c = client({ url: p.url, reconnection: fast, ackTimeoutMs: 1000, socketOptions: { transports: ['websocket'] } })
    let connects = 0
    c.subscribe((state) => state.status === 'connected' && connects++)
    const seen = new Map<number, number>()
    c.on('seq', (n: number) => seen.set(n, (seen.get(n) ?? 0) + 1))
    c.connect()
    await waitFor(() => c.getState().status === 'connected', 'connected')
    let seq = 0
    const emitter = setInterval(() => s.io.emit('seq', seq++), 2)
    const acked = new Map<number, number>()
    const withRetries = async (n: number) => {
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          const r = await c.emitWithAck('work', n)
          acked.set(n, (acked.get(n) ?? 0) + 1)
          expect(r).toBe(n * 2)
          return
        } catch (error) {
          if (!isSocketError(error) || (error.kind !== 'network' && error.kind !== 'timeout')) throw error
        }
      }
      throw new Error(`work ${n} never acknowledged`)
    }
    const work: Array<Promise<void>> = []
    let n = 0
    try {
      for (let cut = 0; cut < 20; cut++) {
        for (let i = 0; i < 5; i++) work.push(withRetries(n++))
        await sleep(15)
        const id = c.getState().id
        expect(p.cutAll()).toBeGreaterThan(0)
        await waitFor(() => c.getState().status === 'connected' && c.getState().id !== id, `reconnect after cut ${cut + 1}`, 5000)
      }
      await Promise.all(work)
      // Enough server events across the cuts to mean something, however slow the machine (a condition, not a time).
      await waitFor(() => seen.size > 100, 'over 100 server events seen', 10_000)
    } finally {
      clearInterval(emitter)
    }
    await sleep(50)
    expect([...seen.values()].every((times) => times === 1)).toBe(true)
    for (let k = 0; k < n; k++) {
      expect(deliveries.get(k) ?? 0, `work ${k} delivered`).toBeGreaterThanOrEqual(1)
      expect(acked.get(k), `work ${k} acked`).toBe(1)
    }
    expect(c.getDiagnostics().pendingAcks).toBe(0)
    expect(connects).toBeGreaterThanOrEqual(21)
  })

  it('3. churn: 300 clients connecting and disconnecting for 20 s leave 0 sockets and 0 unhandled rejections', async () => {
    const s = await server()
    // Standalone clients on one URL are two owners on purpose here: keep the development warning quiet.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const rejections: unknown[] = []
    const onRejection = (reason: unknown) => rejections.push(reason)
    process.on('unhandledRejection', onRejection)
    const registry = createSocketRegistry({ url: s.url, isServer: false, graceMs: 0, reconnection: fast, socketOptions: { transports: ['websocket'] } })
    const live: SocketClient[] = []
    const standalone: SocketClient[] = []
    let created = 0
    const until = Date.now() + 20_000
    try {
      while (Date.now() < until) {
        // Up to 300 alive at once: half standalone clients, half from a registry (one per namespace key).
        while (live.length + standalone.length < 300) {
          created++
          if (created % 2) {
            const c = createSocketClient({ url: s.url, isServer: false, reconnection: fast, socketOptions: { transports: ['websocket'] } })
            c.connect()
            void c.emitWithAck('nobody-answers').catch(() => {})
            standalone.push(c)
          } else {
            const c = registry.acquire()
            c.connect()
            live.push(c)
          }
        }
        for (let i = 0; i < 40; i++) {
          const pool = i % 2 ? standalone : live
          const victim = pool.splice(Math.floor(Math.random() * pool.length), 1)[0]
          if (!victim) continue
          if (pool === live) registry.release(victim)
          else victim.dispose()
        }
        await sleep(25)
      }
    } finally {
      for (const c of standalone.splice(0)) c.dispose()
      for (const c of live.splice(0)) registry.release(c)
      registry.dispose()
    }
    await waitFor(() => s.connectionCount() === 0 && s.io.engine.clientsCount === 0, '0 sockets and 0 engine connections on the server', 10_000)
    expect(registry.getDiagnostics()).toMatchObject({ clients: [], managers: 0, windowListeners: 0 })
    await sleep(100)
    process.off('unhandledRejection', onRejection)
    warn.mockRestore()
    expect(rejections).toEqual([])
    console.info(`[measure] churn: ${created} clients created in 20 s`)
  }, 40_000)

  it('4. connection state recovery: a short cut is recovered with the missed events; a long one is not and onResync fires once', async () => {
    const s = await server({ server: { connectionStateRecovery: { maxDisconnectionDuration: 400, skipMiddlewares: true } } })
    const p = await proxy(s)
    const c = client({ url: p.url, reconnection: { delayMs: 50, maxDelayMs: 50, jitter: 0 }, socketOptions: { transports: ['websocket'], timeout: 300 } })
    const got: string[] = []
    let resyncs = 0
    c.on('news', (text: string) => got.push(text))
    c.onResync(() => resyncs++)
    c.connect()
    await waitFor(() => c.getState().status === 'connected', 'connected')
    s.io.emit('news', 'before') // gives the session an offset
    await waitFor(() => got.length === 1, 'first event')

    p.cutAll()
    await waitFor(() => c.getState().status === 'reconnecting', 'cut noticed')
    s.io.emit('news', 'during the gap')
    await waitFor(() => c.getState().status === 'connected', 'reconnected')
    await waitFor(() => got.includes('during the gap'), 'missed event replayed')
    expect(c.getState().recovered).toBe(true)
    expect(resyncs).toBe(0)

    p.pause()
    p.cutAll()
    await waitFor(() => c.getState().status === 'reconnecting', 'second cut noticed')
    s.io.emit('news', 'lost')
    await sleep(700) // longer than maxDisconnectionDuration
    p.resume()
    await waitFor(() => c.getState().status === 'connected', 'reconnected after the window', 5000)
    await sleep(50)
    expect(c.getState().recovered).toBe(false)
    expect(resyncs).toBe(1)
    expect(got).not.toContain('lost')
  })

  it('4b. after a reconnect the server did not recover, onResync runs before the emits buffered meanwhile are sent; a handler or state listener that throws stops neither', async () => {
    const s = await server()
    const p = await proxy(s)
    const arrived: string[] = []
    s.io.on('connection', (socket) => socket.onAny((event: string) => arrived.push(event)))
    const c = client({ url: p.url, reconnection: { delayMs: 50, maxDelayMs: 50, jitter: 0 }, socketOptions: { transports: ['websocket'] } })
    const errors: unknown[] = []
    const report = vi.spyOn(console, 'error').mockImplementation((...args) => void errors.push(args))
    c.onResync(() => {
      throw new Error('a broken resync handler')
    })
    c.onResync(() => c.emit('rejoin'))
    const unsubscribe = c.subscribe(() => {
      throw new Error('a broken state listener')
    })
    c.connect()
    await waitFor(() => c.getState().status === 'connected', 'connected')
    p.pause()
    p.cutAll()
    await waitFor(() => c.getState().status === 'reconnecting', 'cut noticed')
    c.emit('buffered') // no recovery on this server: the session is new after the cut
    p.resume()
    await waitFor(() => arrived.length === 2, 'both arrived')
    // A handler or a listener that throws is reported; the others and the flush still run.
    expect(arrived).toEqual(['rejoin', 'buffered'])
    expect(errors.length).toBeGreaterThan(0)
    unsubscribe()
    report.mockRestore()
  })

  it('5. bad input to every public function: a clear error, no crash, state unchanged', async () => {
    const s = await server()
    const c = client({ url: s.url, maxPayloadBytes: 1024 })
    c.connect()
    await waitFor(() => c.getState().status === 'connected', 'connected')
    const before = c.getState()
    const calls: Array<[string, () => unknown]> = [
      ['emit(undefined)', () => c.emit(undefined as unknown as string)],
      ['emit(42)', () => c.emit(42 as unknown as string)],
      ['emit with 2 kB', () => c.emit('x', 'y'.repeat(2048))],
      ['volatile.emit({})', () => c.volatile.emit({} as unknown as string)],
      ['on(null, fn)', () => c.on(null as unknown as string, () => {})],
      ['on("x", "fn")', () => c.on('x', 'fn' as unknown as () => void)],
      ['once("x")', () => c.once('x', undefined as unknown as () => void)],
      ['subscribe(null)', () => c.subscribe(null as unknown as () => void)],
      ['onResync(1)', () => c.onResync(1 as unknown as () => void)],
      ['createSocketClient({ url: 1 })', () => createSocketClient({ url: 1 as unknown as string, isServer: false })],
      ['createSocketClient(null)', () => createSocketClient(null as unknown as SocketClientOptions)],
      ['createSocketRegistry({ graceMs: "2s" })', () => createSocketRegistry({ graceMs: '2s' as unknown as number })],
      ['createSocketClient({ maxPayloadBytes: -1 })', () => createSocketClient({ url: s.url, isServer: false, maxPayloadBytes: -1 })],
    ]
    for (const [what, call] of calls) {
      let error: unknown
      try {
        call()
      } catch (e) {
        error = e
      }
      expect(isSocketError(error) && error.kind, what).toBe('config')
      expect((error as Error).message.length, what).toBeGreaterThan(10)
    }
    for (const [what, call] of [
      ['emitWithAck(undefined)', () => c.emitWithAck(undefined as unknown as string)],
      ['emitWithAck with 2 kB', () => c.emitWithAck('x', 'y'.repeat(2048))],
    ] as const) {
      const error = await (call() as Promise<unknown>).catch((e: unknown) => e)
      expect(isSocketError(error) && error.kind, what).toBe('config')
    }
    expect((await c.emitWithAck('x', 'y'.repeat(2048)).catch((e: Error) => e.message)) as string).toMatch(/maxPayloadBytes/)
    // Harmless extra arguments and foreign objects are ignored.
    ;(c.connect as (x: unknown) => void)('nonsense')
    ;(c.off as (a: unknown, b: unknown) => void)(123, 'x')
    createSocketRegistry({ url: s.url, isServer: false }).release({} as SocketClient)
    expect(c.getState()).toBe(before)
    expect(s.connectionCount()).toBe(1)
  })
})
