// The client contract, once, run against both transports: socket.io (a real socket.io server) and 'websocket'
// (@ssr-socket/server on crossws's Node adapter). Same cases, same assertions; only the harness differs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSocketClient, createSocketRegistry, createSubscription, isSocketError, type SocketClient, type SocketClientOptions, type SocketRegistry } from '@ssr-socket/core'
import { createTcpProxy, waitFor, type TcpProxy } from '@ssr-socket/core/testing'
import { CountingTarget } from '../../core/src/testFixtures'
import { WebSocket } from 'ws'
import { TRANSPORTS, type Harness } from './harness'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe.each(TRANSPORTS)('contract: $name', (transport) => {
  let harness: Harness | null = null
  let proxy: TcpProxy | null = null
  const clients: SocketClient[] = []
  const registries: SocketRegistry[] = []
  let win: CountingTarget

  beforeEach(() => {
    // Browser signals (online, visibilitychange) come from window/document; real EventTargets stand in for them.
    win = new CountingTarget()
    Object.assign(globalThis, { window: win, document: Object.assign(new CountingTarget(), { visibilityState: 'visible' }) })
  })

  afterEach(async () => {
    for (const c of clients.splice(0)) c.dispose()
    for (const r of registries.splice(0)) r.dispose()
    await proxy?.close()
    proxy = null
    await harness?.close()
    harness = null
    const g = globalThis as Record<string, unknown>
    delete g.window
    delete g.document
  })

  const open = (options: SocketClientOptions = {}, url = harness!.url): SocketClient => {
    const client = createSocketClient({ url, isServer: false, reconnection: { delayMs: 50, maxDelayMs: 100, jitter: 0 }, ...harness!.client, ...options })
    clients.push(client)
    return client
  }
  const connected = (c: SocketClient, what = 'connected') => waitFor(() => c.getState().status === 'connected', what, 10_000)

  it('stays idle until connect(), then connects once', async () => {
    harness = await transport.start()
    const client = open()
    await sleep(100)
    expect(client.getState().status).toBe('idle')
    expect(harness.handshakes()).toBe(0)
    client.connect()
    await connected(client)
    expect(harness.connections()).toBe(1)
    expect(client.getState().transport).toBe('websocket')
  })

  it('handlers run exactly once per event across 5 forced reconnects', async () => {
    harness = await transport.start()
    const client = open()
    const seen: unknown[] = []
    client.on('greeting', (v) => seen.push(v))
    client.connect()
    await connected(client)
    for (let i = 0; i < 5; i++) {
      const id = client.getState().id
      harness.dropAll()
      await waitFor(() => client.getState().status === 'connected' && client.getState().id !== id, `reconnect ${i + 1}`, 10_000)
      client.emit('greet')
      await waitFor(() => seen.length === i + 1, `greeting ${i + 1}`)
    }
    await sleep(100)
    expect(seen).toEqual(['hello', 'hello', 'hello', 'hello', 'hello'])
    expect(harness.connections()).toBe(1)
  })

  it('a real server restart: reconnecting, then connected, and events flow again', async () => {
    harness = await transport.start()
    const client = open()
    client.connect()
    await connected(client)
    const restarted = harness.restart(300)
    await waitFor(() => client.getState().status === 'reconnecting', 'reconnecting')
    await restarted
    await connected(client, 'connected after the restart')
    expect(await client.emitWithAck('echo', 'after')).toBe('after')
  })

  it('a fresh token on every handshake, never in a URL', async () => {
    harness = await transport.start()
    let n = 0
    const client = open({ auth: { mode: 'token', getToken: () => `token-${++n}-abcdef` } })
    client.connect()
    await connected(client)
    for (let i = 0; i < 3; i++) {
      const id = client.getState().id
      harness.dropAll()
      await waitFor(() => client.getState().status === 'connected' && client.getState().id !== id, `reconnect ${i + 1}`, 10_000)
    }
    expect(harness.tokens()).toEqual(['token-1-abcdef', 'token-2-abcdef', 'token-3-abcdef', 'token-4-abcdef'])
    expect(harness.requestUrls().length).toBeGreaterThanOrEqual(4)
    expect(harness.requestUrls().filter((u) => u.includes('token'))).toEqual([])
  })

  it('a refused handshake -> unauthorized after auth.retries fresh tokens, then no more attempts', async () => {
    harness = await transport.start({ accept: () => false })
    let calls = 0
    const client = open({ auth: { mode: 'token', getToken: () => `bad-${++calls}-token`, retries: 2 } })
    client.connect()
    await waitFor(() => client.getState().status === 'unauthorized', 'unauthorized', 10_000)
    expect(client.getState().error?.kind).toBe('unauthorized')
    await sleep(500)
    expect(harness.handshakes()).toBe(3) // the first + 2 retries
    expect(calls).toBe(3)
  })

  it("'online' retries at once (backoff reset); 'visibilitychange' to visible too", async () => {
    harness = await transport.start()
    const client = open({ reconnection: { delayMs: 5000, maxDelayMs: 5000, jitter: 0 } })
    client.connect()
    await connected(client)
    for (const signal of ['online', 'visibilitychange'] as const) {
      await harness.stop()
      await waitFor(() => client.getState().status === 'reconnecting' && client.getState().nextRetryAt !== null, `retry scheduled (${signal})`, 10_000)
      await harness.start()
      const scheduled = client.getState().nextRetryAt!
      ;(signal === 'online' ? win : (globalThis as unknown as { document: EventTarget }).document).dispatchEvent(new Event(signal))
      await connected(client, `connected after ${signal}`)
      // Causal, not a timing figure: connected before the retry that was scheduled 5 s ahead could have run.
      expect(client.getState().connectedAt!).toBeLessThan(scheduled)
    }
  })

  it('the offline queue keeps the newest buffer.max emits and sends them in order on reconnect', async () => {
    harness = await transport.start()
    const client = open({ buffer: { max: 3, ttlMs: 60_000 } })
    client.connect()
    await connected(client)
    await harness.stop()
    await waitFor(() => client.getState().status !== 'connected', 'disconnected')
    const answers: Array<Promise<unknown>> = []
    for (let i = 1; i <= 5; i++) answers.push(client.emitWithAck('echo', i).catch((e: unknown) => (isSocketError(e) ? e.kind : e)))
    expect(client.getDiagnostics().queue).toMatchObject({ size: 3, dropped: 2 })
    await harness.start()
    expect(await Promise.all(answers)).toEqual(['network', 'network', 3, 4, 5])
  })

  it('emitWithAck rejects with a timeout error when the server never answers', async () => {
    harness = await transport.start()
    const client = open({ ackTimeoutMs: 200 })
    client.connect()
    await connected(client)
    const error = await client.emitWithAck('never').catch((e: unknown) => e)
    expect(isSocketError(error) && error.kind).toBe('timeout')
    expect(await client.emitWithAck('echo', 'still fine')).toBe('still fine')
  })

  it('a half-open connection (the path stops carrying bytes) is detected and replaced', async () => {
    harness = await transport.start({ pingIntervalMs: 200, pingTimeoutMs: 200 })
    proxy = await createTcpProxy(harness.port)
    const client = open({}, proxy.url)
    client.connect()
    await connected(client)
    proxy.pause()
    await waitFor(() => client.getState().status === 'reconnecting', 'half-open detected', 5000)
    proxy.resume()
    await connected(client, 'connected again through the path')
  })

  it('a handshake the path holds without answering is abandoned after its timeout and tried again', async () => {
    harness = await transport.start()
    proxy = await createTcpProxy(harness.port)
    proxy.pause() // connections are accepted, nothing is carried
    const timeout = transport.name === 'websocket' ? { websocket: { ...harness.client.websocket, timeoutMs: 300 } } : { socketOptions: { ...harness.client.socketOptions, timeout: 300 } }
    const client = open(timeout, proxy.url)
    client.connect()
    await waitFor(() => client.getDiagnostics().errors.length >= 2, 'two attempts abandoned', 10_000)
    expect(client.getState().status).not.toBe('connected')
    proxy.resume()
    await connected(client, 'connected once the path carries bytes')
  })

  // Connection state recovery: socket.io's own, and @ssr-socket/server's (PROTOCOL.md, "Recovery"). The server sends
  // 100 events, alternately to the client by its id and to a room it joined, and the connection drops in the middle.
  describe('recovery', () => {
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)
    /** Starts a recovering server and a client in room `r` that records the `n` events it gets. */
    const setUp = async (options: Parameters<typeof transport.start>[0] = {}, through?: 'proxy', client: SocketClientOptions = {}) => {
      harness = await transport.start({ recovery: { maxDisconnectionDurationMs: 10_000 }, ...options })
      if (through) proxy = await createTcpProxy(harness.port)
      const c = open(client, proxy?.url)
      const seen: number[] = []
      c.on('n', (v) => seen.push(v as number))
      c.connect()
      await connected(c)
      expect(await c.emitWithAck('join', 'r')).toBe(true)
      const id = c.getState().id!
      const send = (numbers: number[]) => {
        for (const i of numbers) {
          if (i % 2) harness!.emitTo(id, 'n', i)
          else harness!.emitRoom('r', 'n', i)
        }
      }
      return { client: c, seen, id, send }
    }
    /** All 100 once and in order, on a recovered session: the same id, room kept, no re-join. */
    const expectRecovered = async (t: Awaited<ReturnType<typeof setUp>>) => {
      await waitFor(() => t.seen.length >= 100, '100 events', 10_000)
      await sleep(100) // none more (a replay twice would show here)
      expect(t.seen).toEqual(range(1, 100))
      expect(t.client.getState()).toMatchObject({ status: 'connected', recovered: true, id: t.id })
      expect(harness!.joins()).toBe(1)
    }

    it('a TCP reset while 100 events are sent: all delivered once, in order, recovered: true, rooms kept', async () => {
      const t = await setUp()
      t.send(range(1, 30))
      await waitFor(() => t.seen.length === 30, '30 events before the drop')
      harness!.dropAll()
      t.send(range(31, 70)) // to a connection the server does not know is gone yet, then to none
      await waitFor(() => t.client.getState().status === 'connected' && t.client.getState().recovered, 'recovered', 10_000)
      t.send(range(71, 100))
      await expectRecovered(t)
    })

    it('a ping timeout (the path stops carrying bytes): the missed events are replayed once it carries them again', async () => {
      const attempt = transport.name === 'websocket' ? { websocket: { WebSocket, timeoutMs: 500 } } : { socketOptions: { transports: ['websocket' as const], timeout: 500 } }
      const t = await setUp({ pingIntervalMs: 200, pingTimeoutMs: 200 }, 'proxy', attempt)
      t.send(range(1, 30))
      await waitFor(() => t.seen.length === 30, '30 events before the pause')
      proxy!.pause()
      t.send(range(31, 70)) // swallowed by the path
      await waitFor(() => harness!.connections() === 0, 'the server timed the connection out', 10_000)
      t.send(range(71, 80)) // while the client is away
      proxy!.resume()
      await waitFor(() => t.client.getState().status === 'connected' && t.client.getState().recovered, 'recovered', 10_000)
      t.send(range(81, 100))
      await expectRecovered(t)
    })

    it('a server restart in place (the process survives): every client recovers what was sent meanwhile', async () => {
      const t = await setUp()
      t.send(range(1, 30))
      await waitFor(() => t.seen.length === 30, '30 events before the restart')
      const restarted = harness!.restart(300)
      await waitFor(() => t.client.getState().status !== 'connected', 'disconnected by the restart')
      t.send(range(31, 70))
      await restarted
      await waitFor(() => t.client.getState().status === 'connected' && t.client.getState().recovered, 'recovered', 10_000)
      t.send(range(71, 100))
      await expectRecovered(t)
    })

    it('after maxDisconnectionDurationMs: a fresh session, and subscriptions are sent again', async () => {
      harness = await transport.start({ recovery: { maxDisconnectionDurationMs: 300 } })
      const c = open()
      const seen: number[] = []
      c.on('n', (v) => seen.push(v as number))
      const subscription = createSubscription(c, 'join', ['r'])
      c.connect()
      await connected(c)
      await waitFor(() => harness!.joins() === 1, 'subscribed')
      const id = c.getState().id
      await harness.stop()
      const stoppedAt = Date.now()
      await waitFor(() => c.getState().status === 'reconnecting', 'reconnecting')
      await waitFor(() => Date.now() - stoppedAt > 500 && (harness!.stats?.().sessions ?? 0) === 0, 'the session expired', 5000)
      await harness.start()
      await connected(c, 'connected again')
      expect(c.getState()).toMatchObject({ recovered: false })
      expect(c.getState().id).not.toBe(id)
      await waitFor(() => harness!.joins() === 2, 'subscribed again')
      harness.emitRoom('r', 'n', 1)
      await waitFor(() => seen.length === 1, 'a room event on the fresh session')
      subscription.stop()
    })
  })

  it('dispose leaves no socket: 0 on the server, no window listener', async () => {
    harness = await transport.start()
    const registry = createSocketRegistry({ url: harness.url, isServer: false, graceMs: 0, ...harness.client })
    registries.push(registry)
    const a = registry.acquire()
    a.connect()
    await connected(a)
    expect(harness.connections()).toBe(1)
    expect(win.listeners).toBeGreaterThan(0)
    registry.dispose()
    await waitFor(() => harness!.connections() === 0, '0 connections on the server')
    expect(win.listeners).toBe(0)
    expect(registry.getDiagnostics().clients).toEqual([])
  })
})
