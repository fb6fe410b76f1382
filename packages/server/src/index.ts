// The server side of the `events` protocol (PROTOCOL.md) as crossws hooks: Nitro's defineWebSocketHandler, crossws's
// Node adapter, Bun and Deno take the same object. One connection state per peer, created at `open` and removed at
// `close` (the one cleanup path for its timers); nothing is kept per request outside it.
import type { DefaultEmitEvents, DefaultListenEvents, EventsMap } from '@ssr-socket/core'

export const PROTOCOL = 'ssr-socket.v1'

/** What the server reads of a crossws peer (0.3 and 0.4). */
export interface WsPeer {
  readonly id: string
  send(data: string): unknown
  close?(code?: number, reason?: string): void
  subscribe(topic: string): void
  unsubscribe(topic: string): void
  publish(topic: string, data: string): unknown
  readonly request?: { readonly headers: Headers | Record<string, string | string[] | undefined>; readonly url?: string }
}

/** What the server reads of a crossws message. */
export interface WsMessage {
  text(): string
}

/** The upgrade request as crossws hands it over. */
export interface WsRequest {
  readonly headers: Headers | Record<string, string | string[] | undefined>
  readonly url?: string
}

/** An event's arguments without its ack callback. */
type ArgsOf<F> = F extends (...args: infer A) => unknown ? (A extends [...infer Rest, (...a: never[]) => unknown] ? Rest : A) : never

export interface AuthContext {
  /** The `hello` frame's auth payload: `{ token }` with token auth, else null (cookies ride on `headers`). */
  readonly auth: unknown
  readonly headers: Headers
  readonly peer: WsPeer
}

export interface SocketServerOptions {
  /**
   * Decides the handshake: return what the handlers should see as `peer.data` (the user), or `false` / throw to
   * refuse it; the client reports `unauthorized`. Without it every connection is accepted (data: null).
   */
  auth?: (context: AuthContext) => unknown
  /**
   * Origins allowed to connect (the browser's `Origin`, scheme and port included), or a predicate. Default: the same
   * host as the request's Host header, and clients that send no Origin (not browsers). Others get HTTP 403.
   */
  origins?: readonly string[] | ((origin: string, headers: Headers) => boolean)
  /** Frames above this many bytes close the connection (4413). @default 1048576 */
  maxPayloadBytes?: number
  /** At most this many events per window from one connection (4429 beyond). @default { events: 100, perMs: 1000 } */
  rateLimit?: { events: number; perMs: number } | false
  /** @default 25000 */
  pingIntervalMs?: number
  /** @default 20000 */
  pingTimeoutMs?: number
  /** Time a new connection has to send `hello`. @default 10000 */
  handshakeTimeoutMs?: number
  /** Time `peer.emitWithAck` waits. @default 10000 */
  ackTimeoutMs?: number
  /** Where a handler's failure is reported (the client gets a generic error, never the message). @default console.error */
  onError?: (error: unknown, event: string, peer: SocketPeer) => void
}

/** One connection, as handlers see it. `E`: the events the server sends (the client's listen events). */
export interface SocketPeer<E extends EventsMap = DefaultListenEvents> {
  readonly id: string
  /** What the auth hook returned (the user), or null; handlers may keep per-connection state here. */
  data: unknown
  readonly rooms: ReadonlySet<string>
  emit<K extends keyof E & string>(event: K, ...args: ArgsOf<E[K]>): void
  /** Sends and waits for the client's ack (rejects after ackTimeoutMs, or when the connection closes). */
  emitWithAck<K extends keyof E & string>(event: K, ...args: ArgsOf<E[K]>): Promise<unknown>
  join(room: string): void
  leave(room: string): void
  /** The other connections in `room` (this process's and, through crossws pub/sub, the adapter's). */
  to(room: string): { emit<K extends keyof E & string>(event: K, ...args: ArgsOf<E[K]>): void }
  close(code?: number, reason?: string): void
  /** The crossws peer underneath. */
  readonly raw: WsPeer
}

/** A handler: the peer, then the client's arguments, with its ack callback last when the client asked for one. */
type Handler<L extends EventsMap, E extends EventsMap, K extends keyof L> = (peer: SocketPeer<E>, ...args: Parameters<L[K]>) => unknown

export interface SocketServer<L extends EventsMap = DefaultEmitEvents, E extends EventsMap = DefaultListenEvents> {
  /** The crossws hooks: `defineWebSocketHandler(server.hooks)` in Nitro, `crossws({ hooks: server.hooks })` elsewhere. */
  readonly hooks: {
    upgrade(request: WsRequest): Response | { headers: Record<string, string> } | undefined
    open(peer: WsPeer): void
    message(peer: WsPeer, message: WsMessage): void
    close(peer: WsPeer, details?: { code?: number; reason?: string }): void
    error(peer: WsPeer, error: unknown): void
  }
  /** Handles a client event; an event without a handler gets an error frame (the allowlist is the handlers). */
  on<K extends keyof L & string>(event: K, handler: Handler<L, E, K>): this
  off(event: keyof L & string): this
  /** Runs when a connection passes its handshake (after `auth`). */
  onConnection(handler: (peer: SocketPeer<E>) => void): this
  /** Runs once when a connection that passed its handshake ends, whatever ended it. */
  onDisconnect(handler: (peer: SocketPeer<E>) => void): this
  /** Every connection of this server, in this process. */
  emit<K extends keyof E & string>(event: K, ...args: ArgsOf<E[K]>): void
  /** Every connection in `room`, in this process. */
  to(room: string): { emit<K extends keyof E & string>(event: K, ...args: ArgsOf<E[K]>): void }
  peers(): SocketPeer<E>[]
  /** Closes every connection (1001, going away) and clears every timer. */
  close(): void
}

/** A connection's state: created at open, deleted at close (which clears its timer). */
interface Conn {
  readonly raw: WsPeer
  peer: SocketPeer<EventsMap> | null
  /** `hello` arrived (the auth hook may still run). */
  hello: boolean
  timer: ReturnType<typeof setTimeout> | undefined
  awaitingPong: boolean
  windowStart: number
  events: number
  nextAck: number
  readonly acks: Map<number, { resolve(value: unknown): void; reject(error: Error): void; timer: ReturnType<typeof setTimeout> }>
  readonly rooms: Set<string>
}

const headersOf = (h: WsRequest['headers'] | undefined): Headers => {
  if (!h) return new Headers()
  if (h instanceof Headers) return h
  const out = new Headers()
  for (const [key, value] of Object.entries(h)) if (value !== undefined) out.set(key, Array.isArray(value) ? value.join(', ') : value)
  return out
}

const frame = (...parts: unknown[]): string => JSON.stringify(parts)
const noop = (): void => {}
let encoder: TextEncoder | undefined
const utf8 = (text: string): number => (encoder ??= new TextEncoder()).encode(text).length
/** Close codes a server may send (1000, 1001, 1011, 4000-4999), and a reason within the protocol's 123 bytes. */
const closeCode = (code: number): number => (code === 1000 || code === 1001 || code === 1011 || (code >= 4000 && code <= 4999) ? code : 1000)
const closeReason = (reason: string | undefined): string | undefined => {
  if (!reason) return reason
  let out = reason.slice(0, 123)
  while (utf8(out) > 123) out = out.slice(0, -1)
  return out
}
/** One id per server: crossws 0.3 shares topics among every route of an app, so rooms are named per server. */
let servers = 0

export function createSocketServer<L extends EventsMap = DefaultEmitEvents, E extends EventsMap = DefaultListenEvents>(options: SocketServerOptions = {}): SocketServer<L, E> {
  const maxPayload = options.maxPayloadBytes ?? 1_048_576
  const rate = options.rateLimit === undefined ? { events: 100, perMs: 1000 } : options.rateLimit
  const pingInterval = options.pingIntervalMs ?? 25_000
  const pingTimeout = options.pingTimeoutMs ?? 20_000
  const ackTimeout = options.ackTimeoutMs ?? 10_000
  const report = options.onError ?? ((error: unknown, event: string) => console.error(`[ssr-socket/server] the handler of "${event}" failed:`, error))
  const handlers = new Map<string, (peer: SocketPeer<EventsMap>, ...args: unknown[]) => unknown>()
  const connected = new Set<(peer: SocketPeer<EventsMap>) => void>()
  const disconnected = new Set<(peer: SocketPeer<EventsMap>) => void>()
  /** Lifecycle handlers, each on its own: one that throws is reported and stops neither the others nor the close. */
  const notify = (list: Set<(peer: SocketPeer<EventsMap>) => void>, peer: SocketPeer<EventsMap>, what: string): void => {
    for (const handler of list) {
      try {
        handler(peer)
      } catch (error) {
        report(error, what, peer as SocketPeer)
      }
    }
  }
  const conns = new Map<string, Conn>()

  const id = ++servers
  const topic = (room: string): string => `ssr-socket/${id}/${room}`
  /** Origins refused so far, each reported once (a refusal is otherwise silent on the server). */
  const refusedOrigins = new Set<string>()
  const allowed = (origin: string | null, headers: Headers): boolean => {
    if (!origin) return true
    const o = options.origins
    let ok: boolean
    if (typeof o === 'function') ok = o(origin, headers)
    else if (o) ok = o.includes(origin)
    else {
      try {
        ok = new URL(origin).host === headers.get('host')
      } catch {
        ok = false
      }
    }
    if (!ok && !refusedOrigins.has(origin) && refusedOrigins.size < 100) {
      refusedOrigins.add(origin)
      console.warn(
        `[ssr-socket/server] refused a socket from Origin ${origin} (Host: ${headers.get('host') ?? 'none'}). ` +
          'Behind a proxy that rewrites Host, or for another origin, list the allowed ones in options.origins.',
      )
    }
    return ok
  }

  /** Ends a connection: its timer and pending acks go with it. The one cleanup path. */
  const drop = (id: string, code?: number, reason?: string): void => {
    const conn = conns.get(id)
    if (!conn) return
    conns.delete(id)
    clearTimeout(conn.timer)
    for (const pending of conn.acks.values()) {
      clearTimeout(pending.timer)
      pending.reject(new Error('the connection closed before the ack'))
    }
    conn.acks.clear()
    try {
      for (const room of conn.rooms) conn.raw.unsubscribe(topic(room))
      if (code !== undefined) conn.raw.close?.(closeCode(code), closeReason(reason))
    } catch {
      // the socket is gone already: nothing to close
    } finally {
      if (conn.peer) notify(disconnected, conn.peer, 'disconnect')
    }
  }

  const heartbeat = (conn: Conn): void => {
    clearTimeout(conn.timer)
    conn.timer = setTimeout(() => {
      conn.raw.send(frame('ping'))
      conn.awaitingPong = true
      conn.timer = setTimeout(() => conn.awaitingPong && drop(conn.raw.id, 4408, 'ping timeout'), pingTimeout)
    }, pingInterval)
  }

  const makePeer = (conn: Conn, data: unknown): SocketPeer<EventsMap> => {
    const raw = conn.raw
    const emitTo = (send: (text: string) => void) => (event: string, ...args: unknown[]) => send(frame('e', event, args))
    return {
      id: raw.id,
      data,
      rooms: conn.rooms,
      emit: emitTo((text) => raw.send(text)),
      emitWithAck: (event: string, ...args: unknown[]) =>
        new Promise((resolve, reject) => {
          if (!conns.has(raw.id)) return reject(new Error('the connection is closed'))
          const id = ++conn.nextAck
          const timer = setTimeout(() => {
            conn.acks.delete(id)
            reject(new Error(`no ack for "${event}" within ${ackTimeout} ms`))
          }, ackTimeout)
          conn.acks.set(id, { resolve, reject, timer })
          raw.send(frame('e', event, args, id))
        }),
      join(room) {
        conn.rooms.add(room)
        raw.subscribe(topic(room))
      },
      leave(room) {
        conn.rooms.delete(room)
        raw.unsubscribe(topic(room))
      },
      to: (room) => ({ emit: emitTo((text) => raw.publish(topic(room), text)) }),
      close: (code = 1000, reason) => drop(raw.id, code, reason),
      raw,
    }
  }

  /** An error frame for event `id` (0: an event without ack), and the handler's error reported here, not sent. */
  const fail = (conn: Conn, id: number, code: string, message: string): void => {
    conn.raw.send(frame('x', id, { code, message }))
  }

  const onEvent = (conn: Conn, parts: unknown[]): void => {
    const [, event, args, id] = parts
    const ackId = typeof id === 'number' && Number.isInteger(id) && id > 0 ? id : 0
    if (typeof event !== 'string' || event.length === 0 || event.length > 200 || !Array.isArray(args) || (id !== undefined && ackId === 0)) {
      return drop(conn.raw.id, 4400, 'bad event frame')
    }
    const handler = handlers.get(event)
    if (!handler) return fail(conn, ackId, 'unknown-event', `no handler for "${event}" on this server`)
    let answered = false
    const ack = (value?: unknown): void => {
      if (answered || !conns.has(conn.raw.id)) return
      answered = true
      conn.raw.send(frame('a', ackId, value ?? null))
    }
    const peer = conn.peer!
    const failed = (error: unknown): void => {
      report(error, event, peer as SocketPeer)
      if (!answered) {
        answered = true
        fail(conn, ackId, 'handler-error', `the handler of "${event}" failed`)
      }
    }
    try {
      // Without an ack id (the client used emit) the handler still gets a callback: calling it does nothing.
      const result = handler(peer, ...args, ackId ? ack : noop)
      if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(undefined, failed)
    } catch (error) {
      failed(error)
    }
  }

  const onHello = async (conn: Conn, parts: unknown[]): Promise<void> => {
    const raw = conn.raw
    conn.hello = true // the handshake deadline (conn.timer) keeps running over the auth hook
    let data: unknown = null
    if (options.auth) {
      try {
        data = await options.auth({ auth: parts[1] ?? null, headers: headersOf(raw.request?.headers), peer: raw })
      } catch (error) {
        // The hook failed (not a refusal): reported here, never sent; the client retries with backoff.
        if (!conns.has(raw.id)) return
        report(error, 'auth', { id: raw.id, raw } as unknown as SocketPeer)
        return drop(raw.id, 1011, 'the server could not check the credentials')
      }
      if (!conns.has(raw.id)) return
      if (data === false || data === undefined || data === null) {
        raw.send(frame('refused', { code: 'unauthorized', message: 'the server refused the credentials' }))
        return drop(raw.id, 4401, 'unauthorized')
      }
    }
    if (!conns.has(raw.id)) return // closed while the auth hook ran
    clearTimeout(conn.timer)
    conn.timer = undefined
    conn.peer = makePeer(conn, data)
    raw.send(frame('welcome', { id: raw.id, pingInterval, pingTimeout, v: 1 }))
    heartbeat(conn)
    notify(connected, conn.peer, 'connection')
  }

  const hooks: SocketServer<L, E>['hooks'] = {
    upgrade(request) {
      // Select the protocol when offered: crossws 0.4 answers none unless told (0.3's ws picks the first offered).
      const offered = headersOf(request.headers).get('sec-websocket-protocol') ?? ''
      return offered.split(',').some((p) => p.trim() === PROTOCOL) ? ({ protocol: PROTOCOL } as unknown as undefined) : undefined
    },
    open(raw) {
      const conn: Conn = { raw, peer: null, hello: false, timer: undefined, awaitingPong: false, windowStart: Date.now(), events: 0, nextAck: 0, acks: new Map(), rooms: new Set() }
      conns.set(raw.id, conn)
      // An Origin not allowed is refused before anything runs, in a way the client can tell (4403), not as an HTTP
      // 403 that a browser cannot see.
      const headers = headersOf(raw.request?.headers)
      if (!allowed(headers.get('origin'), headers)) {
        raw.send(frame('refused', { code: 'forbidden', message: 'this Origin may not open a socket here' }))
        return drop(raw.id, 4403, 'origin not allowed')
      }
      conn.timer = setTimeout(() => drop(raw.id, 4408, 'no hello in time'), options.handshakeTimeoutMs ?? 10_000)
    },
    message(raw, message) {
      const conn = conns.get(raw.id)
      if (!conn) return
      const text = message.text()
      if (text.length > maxPayload / 4 && utf8(text) > maxPayload) {
        fail(conn, 0, 'too-large', `a frame of more than ${maxPayload} bytes`)
        return drop(raw.id, 4413, 'payload too large')
      }
      let parts: unknown
      try {
        parts = JSON.parse(text)
      } catch {
        return drop(raw.id, 4400, 'not JSON')
      }
      if (!Array.isArray(parts) || typeof parts[0] !== 'string') return drop(raw.id, 4400, 'not a frame')
      const type = parts[0]
      if (!conn.peer) {
        if (type === 'hello' && !conn.hello) return void onHello(conn, parts)
        return drop(raw.id, 4400, 'hello first')
      }
      // Every frame counts against the limit, pongs and acks too.
      if (rate) {
        const now = Date.now()
        if (now - conn.windowStart >= rate.perMs) {
          conn.windowStart = now
          conn.events = 0
        }
        if (++conn.events > rate.events) return drop(raw.id, 4429, 'rate limit')
      }
      if (type === 'e') return onEvent(conn, parts)
      if (type === 'pong') {
        conn.awaitingPong = false
        return heartbeat(conn)
      }
      if (type === 'a') {
        const pending = typeof parts[1] === 'number' ? conn.acks.get(parts[1]) : undefined
        if (!pending) return
        conn.acks.delete(parts[1] as number)
        clearTimeout(pending.timer)
        return pending.resolve(parts[2])
      }
      return drop(raw.id, 4400, 'unknown frame type')
    },
    close(raw) {
      drop(raw.id)
    },
    error(raw) {
      drop(raw.id)
    },
  }

  const broadcast = (filter: (conn: Conn) => boolean) => (event: string, ...args: unknown[]) => {
    const text = frame('e', event, args)
    for (const conn of conns.values()) if (conn.peer && filter(conn)) conn.raw.send(text)
  }

  const server: SocketServer<EventsMap, EventsMap> = {
    hooks: hooks as SocketServer['hooks'],
    on(event, handler) {
      handlers.set(event, handler as (peer: SocketPeer<EventsMap>, ...args: unknown[]) => unknown)
      return this
    },
    off(event) {
      handlers.delete(event)
      return this
    },
    onConnection(handler) {
      connected.add(handler as (peer: SocketPeer<EventsMap>) => void)
      return this
    },
    onDisconnect(handler) {
      disconnected.add(handler as (peer: SocketPeer<EventsMap>) => void)
      return this
    },
    emit: broadcast(() => true),
    to: (room) => ({ emit: broadcast((conn) => conn.rooms.has(room)) }),
    peers: () => [...conns.values()].flatMap((c) => (c.peer ? [c.peer] : [])),
    close() {
      for (const id of [...conns.keys()]) drop(id, 1001, 'server closing')
    },
  }
  return server as unknown as SocketServer<L, E>
}

export type { ArgsOf }
