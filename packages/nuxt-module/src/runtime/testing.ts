// @ssr-socket/nuxt/testing: the testing kit for Nuxt apps, with @nuxt/test-utils.
//
// - mockSocketServer(): in the Nuxt environment (mountSuspended), the app's connections go to a mock server that the
//   test scripts: its events, its answers to acks, drops, restarts, refused handshakes.
// - createTestPeer(handler): drives a `defineSocketHandler` route (or a createSocketServer() server) without a network:
//   hello, events both ways, acks both ways, rooms, refusals.
// - hydratePage(page, url): loads a page of a running app in a browser (createPage() of @nuxt/test-utils/e2e) and
//   returns the server HTML it hydrated and every hydration mismatch the browser reported.
//
// Nothing here imports Nuxt's runtime (#app): the file loads in the Nuxt environment, in a node environment (e2e
// tests, handler tests without the app) and in plain Node.
import { createMockTransport, type MockTransport, type MockTransportOptions } from '@ssr-socket/core/testing'
import { createSocketRegistry, type AckArgs, type AckResult, type DefaultEmitEvents, type DefaultListenEvents, type EventNames, type EventsMap, type SocketClientOptions, type SocketRegistry } from '@ssr-socket/core'
import { SOCKET_CONTEXT_KEY } from '@ssr-socket/vue'
import { PROTOCOL, type ArgsOf, type SocketServer, type WsMessage, type WsPeer } from '@ssr-socket/server'
import { registryOptions, type PublicSocketConfig } from './state'

export { createMockTransport, waitFor } from '@ssr-socket/core/testing'
export type { MockHandler, MockHandshake, MockTransport, MockTransportOptions } from '@ssr-socket/core/testing'

const NAME = '[@ssr-socket/nuxt/testing]'

// ---------------------------------------------------------------------------------------------------------------
// The app's connections on a mock server (Nuxt environment)
// ---------------------------------------------------------------------------------------------------------------

export interface MockSocketServerOptions extends MockTransportOptions {
  /**
   * Client options over the app's own (nuxt.config `socket` and the runtime config), e.g. a short retry delay:
   * `{ reconnection: { delayMs: 10, maxDelayMs: 10 } }`.
   */
  client?: Omit<SocketClientOptions, 'transport' | 'isServer'>
}

export interface MockSocketServer extends MockTransport {
  /** The registry the app's composables use while the mock is in place (`useNuxtApp().$socketRegistry` is the app's own). */
  readonly registry: SocketRegistry
  /** Puts the app's own registry back and disposes the mock's (its connections end). Idempotent. */
  restore(): void
}

/** The app's own registry while mocks are in place, per socket context. */
const installed = new WeakMap<object, { own: SocketRegistry; mocks: SocketRegistry[] }>()

interface NuxtAppLike {
  vueApp: { _context: { provides: Record<symbol, unknown> } }
  $config: { public: Record<string, unknown> }
}

/** The Nuxt app of the test (Nuxt sets `window.useNuxtApp` in the browser, and @nuxt/test-utils' environment is one). */
function currentNuxtApp(): NuxtAppLike {
  const use = (globalThis as { useNuxtApp?: () => NuxtAppLike }).useNuxtApp
  const nuxtApp = typeof use === 'function' ? use() : undefined
  if (!nuxtApp) {
    throw new Error(`${NAME} mockSocketServer() runs in @nuxt/test-utils' Nuxt environment (a file named *.nuxt.test.ts, or // @vitest-environment nuxt), inside a test or a hook.`)
  }
  return nuxtApp
}

/**
 * From now until `restore()` (called by itself when the current test ends), the app's composables (`useSocket`,
 * `useSocketEvent`, `useSocketSubscription`) connect to a mock server that the test plays: `on(event, handler)`
 * answers the app's emits (the return value answers `emitWithAck`), `emit()` sends it events, `drop()`, `restart()`,
 * `kick()` and `authorize` / `rejectAuth()` / `fail()` end or refuse connections. The app's options apply (auth,
 * reconnection, ackTimeoutMs, ...), with `options.client` over them. Call it before mounting the component
 * (`mountSuspended`).
 */
export function mockSocketServer(options: MockSocketServerOptions = {}): MockSocketServer {
  const nuxtApp = currentNuxtApp()
  const context = nuxtApp.vueApp._context.provides[SOCKET_CONTEXT_KEY as symbol] as { registry: SocketRegistry } | undefined
  if (!context) throw new Error(`${NAME} this app has no @ssr-socket/nuxt plugin: add '@ssr-socket/nuxt' to modules in nuxt.config.`)
  const { client, ...mockOptions } = options
  const mock = createMockTransport(mockOptions)
  const config = (nuxtApp.$config.public.socket ?? {}) as PublicSocketConfig
  const registry = createSocketRegistry({ ...registryOptions(nuxtApp, config), ...client, transport: mock.transport, isServer: false, name: 'ssr-socket mock server' })
  // The context object is the one every component of the app (and each mountSuspended wrapper) injects: its registry is
  // the newest mock's, and the app's own again once every mock is restored (in whatever order).
  let state = installed.get(context)
  if (!state) installed.set(context, (state = { own: context.registry, mocks: [] }))
  state.mocks.push(registry)
  context.registry = registry
  let restored = false
  const restore = (): void => {
    if (restored) return
    restored = true
    state.mocks.splice(state.mocks.indexOf(registry), 1)
    context.registry = state.mocks.at(-1) ?? state.own
    if (!state.mocks.length) installed.delete(context)
    registry.dispose()
  }
  undoAtTestEnd(restore)
  return Object.assign(Object.create(mock) as MockTransport, { registry, restore }) as MockSocketServer
}

/** vitest, where the kit runs under it (loaded once with this module, so that a test's hook is registered at the call). */
const vitest = await import('vitest').catch(() => null)

/** Runs `undo` when the current vitest test ends (vitest's onTestFinished), registered synchronously at the call. */
function undoAtTestEnd(undo: () => void): void {
  try {
    vitest?.onTestFinished(undo)
  } catch {
    // Not inside a running test (a beforeAll hook, another runner): restore() is the caller's to call.
  }
}

// ---------------------------------------------------------------------------------------------------------------
// A socket handler driven without a network
// ---------------------------------------------------------------------------------------------------------------

export interface TestPeerOptions {
  /** The `hello` frame's auth payload, as the client sends it: `{ token }` with token auth, else null. @default null */
  auth?: unknown
  /** Headers of the upgrade request: `cookie`, `origin`, `host`, ... (the auth hook reads them). @default {} */
  headers?: Record<string, string>
  /** The upgrade request's URL. @default 'http://localhost/_ws' */
  url?: string
  /**
   * Send `hello` and wait for the server's `welcome` (or refusal). `false`: the socket is only opened; the test
   * writes the frames itself with `send()`. @default true
   */
  hello?: boolean
  /** How long `emitWithAck` waits for the server's answer. @default 5000 */
  ackTimeoutMs?: number
}

/** The server closed the connection before its `welcome`: the auth hook refused (4401), an Origin not allowed (4403), ... */
export class TestPeerRefused extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    /** The `refused` frame's code, when the server sent one: 'unauthorized' or 'forbidden'. */
    readonly refusal: string | undefined,
  ) {
    super(`${NAME} the server closed the connection before its welcome: ${code}${reason ? ` (${reason})` : ''}`)
    this.name = 'TestPeerRefused'
  }
}

/** An error frame of the server (`["x", id, { code, message }]`): the rejection of `emitWithAck`, and `peer.errors`. */
export class TestPeerError extends Error {
  constructor(
    /** 'unknown-event', 'too-many-arguments', 'handler-error', 'bad-ack', 'too-large', or the connection's end ('closed'). */
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'TestPeerError'
  }
}

/**
 * One client connection to a socket handler, played by the test. `L`: the events the client emits (Register's
 * `emitEvents`), `E`: the events the server sends (`listenEvents`).
 */
export interface TestPeer<L extends EventsMap = DefaultEmitEvents, E extends EventsMap = DefaultListenEvents> {
  /** The connection's id (the server's `peer.id`). */
  readonly id: string
  /** The server-side peer's `data` now: what the auth hook returned, or what a handler put there. */
  readonly data: unknown
  /** The rooms this connection is in on the server now. */
  readonly rooms: ReadonlySet<string>
  /** The events the server sent to this connection, oldest first (acks, pings and error frames not included). */
  readonly received: ReadonlyArray<{ event: string; args: unknown[] }>
  /** Error frames of emits without ack (`["x", 0, ...]`): an event with no handler, a handler that threw, ... */
  readonly errors: readonly TestPeerError[]
  /** Every frame the server sent, decoded, oldest first. */
  readonly frames: readonly unknown[]
  /** How the connection ended (by the server or `close()`), once it did. */
  readonly closed: { code: number; reason: string } | undefined
  /** The socket server behind the handler: `peers()`, `stats()`, `emit`, `to(room)`. */
  readonly server: SocketServer<L, E>
  /** Sends an event without ack (the browser's `emit`). */
  emit<K extends EventNames<L>>(event: K, ...args: ArgsOf<L[K]>): void
  /**
   * Sends an event and resolves with the handler's ack (the browser's `emitWithAck`); rejects with a `TestPeerError`
   * when the server answers with an error frame (`code` 'unknown-event', 'handler-error', ...), or after `ackTimeoutMs`.
   */
  emitWithAck<K extends EventNames<L>>(event: K, ...args: AckArgs<L[K]>): Promise<AckResult<L[K]>>
  /**
   * Handles an event of the server. When the server asked for an answer (`peer.emitWithAck`), the handler's last
   * argument is the ack callback, as in the browser: `on('question', (n, ack) => ack(n * 2))`. Returns the removal.
   */
  on<K extends EventNames<E>>(event: K, handler: E[K]): () => void
  /** Sends a raw text frame, e.g. a malformed one. */
  send(text: string): void
  /** The client closes the connection (the server's onDisconnect runs). */
  close(code?: number, reason?: string): void
}

/** What createTestPeer() drives: what defineSocketHandler() returns (a route's default export), or a createSocketServer(). */
export type SocketHandlerLike = object

const SOCKET_SERVER = Symbol.for('@ssr-socket/nuxt:socket-server')

function serverOf(target: SocketHandlerLike): SocketServer<EventsMap, EventsMap> {
  const fromHandler = (target as { [SOCKET_SERVER]?: unknown })[SOCKET_SERVER]
  if (typeof fromHandler === 'function') return (fromHandler as () => SocketServer<EventsMap, EventsMap>)()
  const server = target as Partial<SocketServer<EventsMap, EventsMap>>
  if (typeof server.hooks?.open === 'function' && typeof server.peers === 'function') return server as SocketServer<EventsMap, EventsMap>
  throw new TypeError(`${NAME} createTestPeer() takes what defineSocketHandler() returns (the default export of a server/routes file) or a createSocketServer() server.`)
}

let peers = 0

/**
 * Opens a connection to `handler` as a browser would (upgrade, open, `hello` with `options.auth`) and resolves once
 * the server welcomed it; rejects with a `TestPeerRefused` when the server closes it first (a refused auth: 4401).
 * No network and no timer besides the ack deadlines: frames go straight to the server's hooks, and the server's frames
 * arrive on a later microtask, as over a socket. Close each peer at the end (`close()`), or its heartbeat timer stays.
 */
export async function createTestPeer<L extends EventsMap = DefaultEmitEvents, E extends EventsMap = DefaultListenEvents>(
  handler: SocketHandlerLike,
  options: TestPeerOptions = {},
): Promise<TestPeer<L, E>> {
  const server = serverOf(handler)
  const ackTimeoutMs = options.ackTimeoutMs ?? 5000
  const url = options.url ?? 'http://localhost/_ws'
  // As a browser's upgrade: the Host of the URL (the server's default Origin check compares the two).
  const headers = new Headers({ host: new URL(url).host, 'sec-websocket-protocol': PROTOCOL, ...options.headers })
  const received: Array<{ event: string; args: unknown[] }> = []
  const errors: TestPeerError[] = []
  const frames: unknown[] = []
  const handlers = new Map<string, Set<(...args: unknown[]) => unknown>>()
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; timer: ReturnType<typeof setTimeout> }>()
  let nextAck = 0
  let closed: { code: number; reason: string } | undefined
  let welcomed = false
  let refusal: string | undefined
  let settle: { resolve(): void; reject(error: Error): void } | undefined
  const ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }))

  const end = (code: number, reason: string): void => {
    if (closed) return
    closed = { code, reason }
    for (const ack of pending.values()) {
      clearTimeout(ack.timer)
      ack.reject(new TestPeerError('closed', `${NAME} the connection closed (${code}) before the ack`))
    }
    pending.clear()
    if (!welcomed) settle?.reject(new TestPeerRefused(code, reason, refusal))
  }

  /** A frame of the server, on a later microtask (as over a socket): recorded, then acted on. */
  const deliver = (text: string): void => {
    if (closed) return
    let frame: unknown[]
    try {
      frame = JSON.parse(text) as unknown[]
    } catch {
      return
    }
    frames.push(frame)
    const [type] = frame
    if (type === 'welcome') {
      welcomed = true
      settle?.resolve()
    } else if (type === 'refused') {
      refusal = (frame[1] as { code?: string } | undefined)?.code
    } else if (type === 'ping') {
      write('["pong"]')
    } else if (type === 'a') {
      const ack = pending.get(frame[1] as number)
      if (!ack) return
      pending.delete(frame[1] as number)
      clearTimeout(ack.timer)
      ack.resolve(frame[2])
    } else if (type === 'x') {
      const [, id, detail] = frame as [string, number, { code: string; message: string }]
      const error = new TestPeerError(detail.code, detail.message)
      const ack = pending.get(id)
      if (!ack) return void errors.push(error)
      pending.delete(id)
      clearTimeout(ack.timer)
      ack.reject(error)
    } else if (type === 'e') {
      const [, event, args, id] = frame as [string, string, unknown[], number | undefined]
      received.push({ event, args })
      // The server asked for an answer: the handler's last argument answers it, as in the browser.
      let answered = false
      const ack = (value?: unknown): void => {
        if (answered || id === undefined) return
        answered = true
        write(JSON.stringify(['a', id, value ?? null]))
      }
      for (const handle of [...(handlers.get(event) ?? [])]) handle(...args, ...(id === undefined ? [] : [ack]))
    }
  }

  const raw: WsPeer = {
    id: `test-peer-${++peers}`,
    send(data: string) {
      queueMicrotask(() => deliver(String(data)))
    },
    close(code = 1000, reason = '') {
      // The close frame arrives after what was sent before it; then the runtime reports the close to the hooks.
      queueMicrotask(() => {
        end(code, reason)
        server.hooks.close(raw, { code, reason })
      })
    },
    terminate() {
      queueMicrotask(() => {
        end(1006, '')
        server.hooks.close(raw, { code: 1006, reason: '' })
      })
    },
    request: { url, headers },
    websocket: { bufferedAmount: 0 },
  }

  function write(text: string): void {
    if (closed) throw new Error(`${NAME} this test peer's connection is closed (${closed.code}).`)
    server.hooks.message(raw, { text: () => text } satisfies WsMessage)
  }

  const upgrade = server.hooks.upgrade({ url, headers }) as unknown
  if (upgrade instanceof Response && upgrade.status >= 400) {
    throw new TestPeerRefused(upgrade.status, await upgrade.text(), undefined)
  }
  server.hooks.open(raw)
  if (options.hello !== false) {
    if (!closed) write(JSON.stringify(['hello', options.auth ?? null]))
    await ready
  } else ready.catch(() => {}) // the test reads `closed` itself

  const own = () => server.peers().find((p) => p.id === raw.id)
  const peer: TestPeer<EventsMap, EventsMap> = {
    id: raw.id,
    get data() {
      return own()?.data ?? null
    },
    get rooms() {
      return new Set(own()?.rooms ?? [])
    },
    received,
    errors,
    frames,
    get closed() {
      return closed
    },
    server,
    emit(event, ...args) {
      write(JSON.stringify(['e', event, args]))
    },
    emitWithAck(event, ...args) {
      const id = ++nextAck
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id)
          reject(new TestPeerError('timeout', `${NAME} no ack for "${event}" within ${ackTimeoutMs} ms`))
        }, ackTimeoutMs)
        pending.set(id, { resolve, reject, timer })
        try {
          write(JSON.stringify(['e', event, args, id]))
        } catch (error) {
          clearTimeout(timer)
          pending.delete(id)
          reject(error as Error)
        }
      }) as never
    },
    on(event, handler) {
      const set = handlers.get(event) ?? new Set()
      handlers.set(event, set)
      set.add(handler as (...args: unknown[]) => unknown)
      return () => void set.delete(handler as (...args: unknown[]) => unknown)
    },
    send: (text) => write(text),
    close(code = 1000, reason = '') {
      if (closed) return
      end(code, reason)
      server.hooks.close(raw, { code, reason })
    },
  }
  return peer as unknown as TestPeer<L, E>
}

// ---------------------------------------------------------------------------------------------------------------
// Server render, then hydration in a browser
// ---------------------------------------------------------------------------------------------------------------

/** The part of a Playwright page that hydratePage() uses (`createPage()` of @nuxt/test-utils/e2e gives one). */
export interface HydrationPage {
  goto(url: string): Promise<{ text(): Promise<string> } | null>
  on(event: 'console', listener: (message: { type(): string; text(): string }) => void): unknown
  on(event: 'pageerror', listener: (error: Error) => void): unknown
  off(event: 'console', listener: (message: { type(): string; text(): string }) => void): unknown
  off(event: 'pageerror', listener: (error: Error) => void): unknown
  waitForFunction(check: string): Promise<unknown>
}

export interface Hydration {
  /** The HTML the server rendered: the document the browser hydrated. */
  html: string
  /** Every hydration mismatch the browser reported (Vue's warnings in development, its one error in production). */
  mismatches: string[]
  /** Other errors of the page while it loaded and hydrated (console errors, uncaught exceptions). */
  errors: string[]
}

/**
 * Loads `url` (a page of an app served by @nuxt/test-utils' `setup()`, or any running Nuxt server) in `page`, waits
 * until Nuxt has hydrated it (`useNuxtApp().isHydrating` false) and returns the server HTML and what the browser
 * reported meanwhile. The page stays open on the hydrated app, for the rest of the test.
 */
export async function hydratePage(page: HydrationPage, url: string): Promise<Hydration> {
  const mismatches: string[] = []
  const errors: string[] = []
  const onConsole = (message: { type(): string; text(): string }): void => {
    const text = message.text()
    if (/hydrat/i.test(text) && /mismatch/i.test(text)) mismatches.push(text)
    else if (message.type() === 'error') errors.push(text)
  }
  const onError = (error: Error): void => void errors.push(String(error?.message ?? error))
  page.on('console', onConsole)
  page.on('pageerror', onError)
  try {
    const response = await page.goto(url)
    if (!response) throw new Error(`${NAME} hydratePage(): no response for ${url}`)
    const html = await response.text()
    await page.waitForFunction('window.useNuxtApp?.().isHydrating === false')
    return { html, mismatches, errors }
  } finally {
    page.off('console', onConsole)
    page.off('pageerror', onError)
  }
}
