// Regression tests for known defects, one `describe` each. They use the public API only (the package entry,
// getState(), getDiagnostics() and the testing helpers) because the client is being rewritten and these
// cases must hold, unchanged, for the new implementation. Real servers on 127.0.0.1; every server, client
// and global stand-in is removed after each test. (Defect 3, behind a proxy, is in proxy.test.ts: it needs nginx.)
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSocketRegistry, isSocketError, type SocketClient } from './index.js'
import { waitFor, type TestServer } from './testing.js'
import { twoNamespaces, useCleanup } from './testFixtures.js'

const fx = useCleanup()

/** A server that records every event name it receives and acks each with 'ok'. */
async function recordingServer(): Promise<{ server: TestServer; seen: string[] }> {
  const seen: string[] = []
  const server = await fx.server({
    onConnection: (s) =>
      s.onAny((event: string, ...args: unknown[]) => {
        seen.push(event)
        const ack = args.at(-1)
        if (typeof ack === 'function') ack('ok')
      }),
  })
  return { server, seen }
}
afterEach(() => {
  vi.restoreAllMocks()
})

/** The kind of a SocketError, else a description of what it was instead (shown in a failed assertion). */
function kindOf(error: unknown): string {
  if (isSocketError(error)) return error.kind
  if (error === undefined) return 'nothing thrown'
  return error instanceof Error ? `not a SocketError: ${error.name}: ${error.message}` : `not a SocketError: ${String(error)}`
}

/** What `call` threw synchronously, as kindOf() describes it. */
function thrownKind(call: () => unknown): string {
  try {
    call()
  } catch (error) {
    return kindOf(error)
  }
  return 'nothing thrown'
}

/**
 * How a promise settles: 'resolved', or the kind of its rejection. The promises checked here are expected
 * to reject at once, so this gives them a short while only and answers 'still pending' after it.
 */
async function settledKind(promise: Promise<unknown>, withinMs = 200): Promise<string> {
  let out: string | null = null
  promise.then(
    () => (out = 'resolved'),
    (error: unknown) => (out = kindOf(error)),
  )
  await waitFor(() => out !== null, 'the promise to settle', withinMs).catch(() => {})
  return out ?? 'still pending'
}

async function connected(client: SocketClient): Promise<void> {
  client.connect()
  await waitFor(() => client.getState().status === 'connected', 'connected')
}

/** A socket on the test server for the client, once the server has it. */
async function serverSocketOf(server: TestServer, client: SocketClient) {
  await waitFor(() => server.io.of('/').sockets.has(client.getState().id ?? ''), 'the server to see the socket')
  return server.io.of('/').sockets.get(client.getState().id!)!
}

describe('1. off(event, handler) removes a handler added with once(event, handler)', () => {
  it('after once("e", h) and off("e", h), a server emit of "e" does not call h and no "e" handler remains', async () => {
    const server = await fx.server()
    const client = fx.open({ url: server.url })
    const calls: unknown[] = []
    const h = (value: unknown) => calls.push(value)
    client.once('e', h)
    client.off('e', h)
    let done = false
    client.on('done', () => (done = true))
    await connected(client)
    const socket = await serverSocketOf(server, client)
    // socket.io keeps the order of one socket's packets: once 'done' has arrived, so has 'e'.
    socket.emit('e', 1)
    socket.emit('done')
    await waitFor(() => done, '"done" after "e"')
    expect(calls, 'h was called although it was removed with off()').toEqual([])
    expect(client.getDiagnostics().handlers).not.toHaveProperty('e')
  })
})

describe('2. reserved event names and unserialisable payloads are refused at the call', () => {
  const circular: Record<string, unknown> = { name: 'loop' }
  circular.self = circular
  const RESERVED = ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']
  /** [what, event, args] of every call that must be refused. */
  const REFUSED: Array<[string, string, unknown[]]> = [
    ...RESERVED.map((name): [string, string, unknown[]] => [`reserved name "${name}"`, name, ['x']]),
    ['a BigInt payload', 'm', [10n]],
    ['a circular payload', 'm', [circular]],
  ]

  /** Every refused call through emit, volatile.emit and emitWithAck, by label: the kind each threw or rejected with. */
  async function refusals(client: SocketClient): Promise<Record<string, string>> {
    const kinds: Record<string, string> = {}
    for (const [what, event, args] of REFUSED) {
      kinds[`emit with ${what}`] = thrownKind(() => client.emit(event, ...args))
      kinds[`volatile.emit with ${what}`] = thrownKind(() => client.volatile.emit(event, ...args))
      kinds[`emitWithAck with ${what}`] = await settledKind(client.emitWithAck(event, ...args))
    }
    return kinds
  }
  const allConfig = (kinds: Record<string, string>) => Object.fromEntries(Object.keys(kinds).map((k) => [k, 'config']))

  it("offline: emit and volatile.emit throw a 'config' SocketError at once; emitWithAck rejects with one; nothing is queued", async () => {
    const client = fx.open({ url: 'http://127.0.0.1:9' }) // never connected
    const kinds = await refusals(client)
    expect(kinds).toEqual(allConfig(kinds))
    expect(client.getDiagnostics()).toMatchObject({ queue: { size: 0 }, pendingAcks: 0 })
  })

  it("connected: the same calls throw / reject with a 'config' SocketError and nothing reaches the server", async () => {
    const { server, seen } = await recordingServer()
    const client = fx.open({ url: server.url })
    await connected(client)
    const kinds = await refusals(client)
    expect(kinds).toEqual(allConfig(kinds))
    // The connection is still usable, and the refused calls never reached the server.
    expect(await client.emitWithAck('after')).toBe('ok')
    expect(seen).toEqual(['after'])
    expect(client.getDiagnostics().pendingAcks).toBe(0)
  })

  it('valid emits queued offline before and after refused calls are all delivered in order on connect, and their acks settle', async () => {
    const seen: string[] = []
    const server = await fx.server({
      onConnection: (s) => {
        s.on('m', (n: number) => seen.push(`m${n}`))
        s.on('a', (n: number, ack: (r: number) => void) => {
          seen.push(`a${n}`)
          ack(n * 10)
        })
      },
    })
    const client = fx.open({ url: server.url, ackTimeoutMs: 5000 })
    const acks: Array<string | number> = []
    const track = (promise: Promise<unknown>, index: number): void => {
      promise.then(
        (value) => (acks[index] = value as number),
        (error: unknown) => (acks[index] = kindOf(error)),
      )
    }
    /** A call that should be refused: whatever it throws or returns is ignored here (the tests above check it). */
    const attempt = (call: () => unknown): void => {
      try {
        const out = call()
        if (out instanceof Promise) out.catch(() => {})
      } catch {
        // refused at the call, as it should be
      }
    }
    client.emit('m', 1)
    track(client.emitWithAck('a', 1), 0)
    attempt(() => client.emit('connect', 'x'))
    client.emit('m', 2)
    attempt(() => client.emitWithAck('m', 10n))
    track(client.emitWithAck('a', 2), 1)
    attempt(() => client.volatile.emit('disconnect'))
    attempt(() => client.emit('m', circular))
    attempt(() => client.emitWithAck('newListener'))
    client.emit('m', 3)
    track(client.emitWithAck('a', 3), 2)
    client.connect()
    await waitFor(() => seen.length === 6 && acks.filter((a) => a !== undefined).length === 3, 'the 6 valid emits delivered and their 3 acks settled')
    expect(seen).toEqual(['m1', 'a1', 'm2', 'a2', 'm3', 'a3'])
    expect(acks).toEqual([10, 20, 30])
    expect(client.getDiagnostics()).toMatchObject({ pendingAcks: 0, queue: { size: 0, expired: 0 } })
    expect(client.getState().status).toBe('connected')
  })
})

describe("4. a server answering the socket path with an HTTP error or a web page (websocket only)", () => {
  const httpServers: HttpServer[] = []
  afterEach(async () => {
    for (const h of httpServers.splice(0)) {
      h.closeAllConnections()
      await new Promise((resolve) => h.close(resolve))
    }
  })

  /**
   * A plain node HTTP server on 127.0.0.1, no socket.io: `answer` handles every request. It has no 'upgrade'
   * listener, so node hands the WebSocket upgrade request to the request handler like any other.
   */
  async function plainServer(answer: (res: ServerResponse) => void): Promise<{ url: string; requests: string[] }> {
    const requests: string[] = []
    const h = createServer((req: IncomingMessage, res) => {
      requests.push(req.url ?? '')
      answer(res)
    })
    httpServers.push(h)
    await new Promise<void>((resolve) => h.listen(0, '127.0.0.1', resolve))
    return { url: `http://127.0.0.1:${(h.address() as AddressInfo).port}`, requests }
  }

  const html = '<!doctype html><html><head><title>My app</title></head><body>Welcome</body></html>'
  for (const [answer, respond, kind] of [
    ['403', (res: ServerResponse) => res.writeHead(403, { 'content-type': 'text/plain' }).end('Forbidden'), 'forbidden-origin'],
    ['500', (res: ServerResponse) => res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error'), 'server'],
    ['200 with an HTML page', (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end(html), 'server'],
  ] as const) {
    it(`${answer} -> state.error.kind '${kind}'`, async () => {
      const target = await plainServer(respond)
      const client = fx.open({ url: target.url, reconnection: false, socketOptions: { transports: ['websocket'] } })
      client.connect()
      await waitFor(() => client.getState().status === 'failed', 'failed after the one attempt')
      expect(target.requests.some((url) => url.startsWith('/socket.io/'))).toBe(true)
      expect(client.getState().error?.kind).toBe(kind)
    })
  }
})

describe('5. queue TTL and ack deadlines do not follow wall-clock jumps', () => {
  const HOUR = 3_600_000
  /**
   * Date.now() shifted by `clock.jump` ms. Installed before the client exists, so the client reads this clock
   * whether it calls Date.now() each time or kept a reference to it; a jump is then one assignment.
   */
  function wallClock(): { jump: number } {
    const clock = { jump: 0 }
    const realNow = Date.now
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + clock.jump) // restored by the afterEach above
    return clock
  }

  it('a jump forward of one hour while offline neither expires a queued emit nor its ack', async () => {
    const received: string[] = []
    const server = await fx.server({
      onConnection: (s) => {
        s.on('m', (text: string) => received.push(text))
        s.on('a', (ack: (r: string) => void) => ack('answer'))
      },
    })
    const clock = wallClock()
    const client = fx.open({ url: server.url, buffer: { max: 10, ttlMs: 60_000 }, ackTimeoutMs: 10_000 })
    client.emit('m', 'queued')
    const ack = client.emitWithAck('a').then(
      (value) => ({ value }),
      (error: unknown) => ({ error: kindOf(error), message: (error as Error).message }),
    )
    clock.jump = HOUR // the wall clock jumps (NTP, a laptop resumed) while the emits wait; no real time passes
    client.connect()
    const outcome = await ack
    // Sent after the flush on the same socket: once it is acked, every queued emit that was sent has arrived.
    expect(await client.emitWithAck('a')).toBe('answer')
    expect({ ack: outcome, received, expired: client.getDiagnostics().queue.expired }).toEqual({
      ack: { value: 'answer' },
      received: ['queued'],
      expired: 0,
    })
  })

  it('a jump backward of one hour does not hold a queued ack past its deadline', async () => {
    const arrived: string[] = []
    const server = await fx.server({ onConnection: (s) => s.on('never-acked', () => arrived.push('never-acked')) })
    const clock = wallClock()
    const client = fx.open({ url: server.url, ackTimeoutMs: 1000 })
    let outcome: string | null = null
    client.emitWithAck('never-acked').then(
      () => (outcome = 'resolved'),
      (error: unknown) => (outcome = kindOf(error)),
    )
    clock.jump = -HOUR
    client.connect()
    // Sent well within its 1 s deadline (a loopback connect takes milliseconds)...
    await waitFor(() => arrived.length === 1, 'the queued emit to reach the server')
    // ...so it must time out about 1 s after the emitWithAck() call, not an hour later.
    await waitFor(() => outcome !== null, 'the ack to time out at its 1 s deadline', 3000)
    expect(outcome).toBe('timeout')
    expect(client.getDiagnostics().pendingAcks).toBe(0)
  })
})

describe('6. a handler that throws does not stop the handlers after it', () => {
  it('on("e", throwing) then on("e", h2): the emit reaches h2, the error is reported, the client stays connected', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    const server = await fx.server()
    const client = fx.open({ url: server.url })
    const h2: number[] = []
    client.on('e', () => {
      throw new Error('a bug in an app handler')
    })
    client.on('e', (n: number) => h2.push(n))
    let done = 0
    client.on('done', () => done++)
    await connected(client)
    const socket = await serverSocketOf(server, client)
    socket.emit('e', 1)
    socket.emit('done')
    await waitFor(() => done === 1, '"done" after "e"')
    expect(h2).toEqual([1])
    expect(consoleError).toHaveBeenCalled()
    // Still the same, working connection: the next emit arrives too.
    const id = client.getState().id
    socket.emit('e', 2)
    socket.emit('done')
    await waitFor(() => done === 2, 'the second "done"')
    expect(h2).toEqual([1, 2])
    expect(client.getState()).toMatchObject({ status: 'connected', id })
  })
})

describe('7. after socket.io-client failed to load, the client can load it again', () => {
  /** A loader that fails the first time (a chunk that did not load) and returns the real module after. */
  function flakyLoader() {
    let calls = 0
    return {
      load: () => (calls++ === 0 ? Promise.reject(new Error('Failed to fetch dynamically imported module')) : import('socket.io-client')),
      calls: () => calls,
    }
  }

  it("reconnect() after the failed load loads again and connects", async () => {
    const server = await fx.server()
    const loader = flakyLoader()
    const client = fx.open({ url: server.url, io: loader.load })
    client.connect()
    await waitFor(() => client.getState().status === 'failed', 'failed after the load error')
    expect(client.getState().error?.kind).toBe('config')
    client.reconnect()
    await waitFor(() => client.getState().status === 'connected', 'connected after reconnect()')
    expect(loader.calls()).toBe(2)
  })

  describe('an online event while failed after the load error', () => {
    // Core tests run in node: a real EventTarget stands in for window and document, as in browserEvents.test.ts.
    beforeEach(() => {
      Object.assign(globalThis, { window: new EventTarget(), document: Object.assign(new EventTarget(), { visibilityState: 'visible' }) })
      Object.defineProperty(globalThis, 'navigator', { value: { onLine: true }, configurable: true, writable: true })
    })
    afterEach(() => {
      const g = globalThis as Record<string, unknown>
      delete g.window
      delete g.document
      delete g.navigator
    })

    it("does not leave the client 'reconnecting' without a socket: it connects (the loader works now) or fails again", async () => {
      const server = await fx.server()
      const client = fx.open({ url: server.url, io: flakyLoader().load })
      client.connect()
      await waitFor(() => client.getState().status === 'failed', 'failed after the load error')
      ;(globalThis as unknown as { window: EventTarget }).window.dispatchEvent(new Event('online'))
      const settled = () => client.getState().status === 'connected' || client.getState().status === 'failed'
      await waitFor(settled, "'connected' or 'failed' after the online event").catch(() => {})
      const { status } = client.getState()
      expect(['connected', 'failed'], `status after the online event (hasSocket ${client.getDiagnostics().hasSocket})`).toContain(status)
      if (status === 'connected') expect(client.getDiagnostics().hasSocket).toBe(true)
    })
  })
})

describe('8. maxPayloadBytes counts UTF-8 bytes, not UTF-16 code units', () => {
  it("1000 x '€' (3,002 bytes as JSON) against a 1,024-byte limit: emit throws, emitWithAck rejects, both 'config'; nothing is sent", async () => {
    const { server, seen } = await recordingServer()
    const client = fx.open({ url: server.url, maxPayloadBytes: 1024 })
    await connected(client)
    const euros = '€'.repeat(1000)
    expect(new TextEncoder().encode(JSON.stringify(euros)).byteLength).toBe(3002)
    const results = {
      emit: thrownKind(() => client.emit('big', euros)),
      emitWithAck: await settledKind(client.emitWithAck('big', euros)),
    }
    // Once 'after' is acked, anything sent before it has arrived.
    expect(await client.emitWithAck('after')).toBe('ok')
    expect({ ...results, reachedTheServer: seen }).toEqual({ emit: 'config', emitWithAck: 'config', reachedTheServer: ['after'] })
  })
})

describe('9. acquire() on a disposed registry', () => {
  it("throws a 'config' SocketError that says to create a new registry", () => {
    const registry = createSocketRegistry({ url: 'http://127.0.0.1:9', isServer: false })
    registry.dispose()
    let error: unknown
    try {
      registry.acquire()
    } catch (e) {
      error = e
    }
    expect(kindOf(error)).toBe('config')
    expect((error as Error).message).toMatch(/new registry/i)
  })
})

describe('10. disconnect() or dispose() while the namespace CONNECT is on the wire (found by the fuzz test)', () => {
  // Two namespaces share one Manager. socket.io-client sends no DISCONNECT for a socket that is not connected yet,
  // so without care the server creates a socket nobody owns, alive as long as the sibling namespace is.
  for (const end of ['disconnect', 'dispose'] as const) {
    it(`${end}(): the server keeps no socket on that namespace`, async () => {
      const server = await fx.server()
      const { registry, root, a } = await twoNamespaces(server)
      try {
        a.disconnect()
        await waitFor(() => server.io.of('/a').sockets.size === 0, 'a gone')
        a.connect()
        a[end]()
        // The server answers the CONNECT, then must see the socket leave: nothing may remain after that.
        await new Promise((r) => setTimeout(r, 300))
        expect(server.io.of('/a').sockets.size).toBe(0)
        expect(root.getState().status).toBe('connected')
      } finally {
        registry.dispose()
      }
    })
  }
})
