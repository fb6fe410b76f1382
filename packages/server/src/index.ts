// The server side of the `events` protocol (PROTOCOL.md) as crossws hooks: Nitro's defineWebSocketHandler, crossws's
// Node adapter, Bun, Deno and Workers take the same object. One connection state per peer, created at `open` and
// removed at `close` (the one cleanup path for its timers, acks and rooms); nothing is kept per request outside it.
// The codec is protocol.ts, the limits limits.ts, the room index rooms.ts; where events travel and recovery sessions
// live, the adapter (adapter.ts: in memory; redis.ts: across processes). Recovery's restore is `restore` below.
import type { DefaultEmitEvents, DefaultListenEvents, EventsMap } from '@ssr-socket/core'
import { Budget, resolveLimits, type LimitOptions, type Limits } from './limits.js'
import { byteLength, CLOSE, closeCode, closeReason, decode, encode, PROTOCOL, utf8Length, type ClientFrame } from './protocol.js'
import { createMemoryAdapter, type Packet, type PeerInfo, type Session, type SocketAdapter, type Target } from './adapter.js'
import { checkRoom, Rooms } from './rooms.js'

export { CLOSE, PROTOCOL, resolveLimits, createMemoryAdapter }
export type { AdapterNode, Packet, PeerInfo, Session, SocketAdapter, Target } from './adapter.js'
export type { LimitOptions, Limits, RecoveryOptions } from './limits.js'

/** What the server reads of a crossws peer (0.3 and 0.4). */
export interface WsPeer {
  readonly id: string
  send(data: string): unknown
  close?(code?: number, reason?: string): void
  terminate?(): void
  /** The runtime's WebSocket (crossws: `peer.websocket`): where `bufferedAmount` is read. */
  readonly websocket?: unknown
  readonly request?: { readonly headers: Headers | Record<string, string | string[] | undefined>; readonly url?: string }
}

/** What the server reads of a crossws message. */
export interface WsMessage {
  text(): string
  /** The data as the runtime delivered it (measured before it is decoded). */
  readonly rawData?: unknown
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

export interface SocketServerOptions extends LimitOptions {
  /**
   * Decides the handshake: return what the handlers should see as `peer.data` (the user), or `false` / `null` /
   * `undefined` to refuse it (close 4401: the client reports `unauthorized`). A hook that throws is a failure, not a
   * refusal: reported through onError, closed with 1011, retried by the client. Without it every connection is
   * accepted (data: null).
   */
  auth?: (context: AuthContext) => unknown
  /**
   * Origins allowed to connect (the browser's `Origin`, scheme and port included), or a predicate. Default: the same
   * host as the request's Host header, and clients that send no Origin (not browsers). Others are closed with 4403
   * after a `refused` frame (the client reports `forbidden-origin`).
   */
  origins?: readonly string[] | ((origin: string, headers: Headers) => boolean)
  /**
   * Where a failure is reported: a handler's (the client gets a generic error, never the message), the auth hook's
   * (`event` 'auth'), an onConnection / onDisconnect handler's, sync or async ('connection', 'disconnect'), an ack
   * answer that cannot be encoded, the adapter's ('adapter': Redis away, reported once per outage). @default console.error
   */
  onError?: (error: unknown, event: string, peer: SocketPeer) => void
  /**
   * Where events travel and recovery sessions live: in this process (the default, `createMemoryAdapter()`), or shared
   * by every process of the app (`createRedisAdapter` from `@ssr-socket/server/redis`): then `emit`, `to(room).emit`,
   * `fetchPeers` and recovery span them all. An adapter serves one server.
   */
  adapter?: SocketAdapter
}

/** One connection, as handlers see it. `E`: the events the server sends (the client's listen events). */
export interface SocketPeer<E extends EventsMap = DefaultListenEvents> {
  readonly id: string
  /** What the auth hook returned (the user), or null; handlers may keep per-connection state here. */
  data: unknown
  readonly rooms: ReadonlySet<string>
  /**
   * This connection took over a dropped one's session (`recovery`): the same id, rooms and data, and the events sent
   * meanwhile were replayed to it. Its onConnection handlers run again; the client's state says `recovered: true`.
   */
  readonly recovered: boolean
  emit<K extends keyof E & string>(event: K, ...args: ArgsOf<E[K]>): void
  /** Sends and waits for the client's ack (rejects after ackTimeoutMs, or when the connection closes). */
  emitWithAck<K extends keyof E & string>(event: K, ...args: ArgsOf<E[K]>): Promise<unknown>
  /** Throws a TypeError for a room that is not a string of 1 to 200 characters. */
  join(room: string): void
  leave(room: string): void
  /** The other connections in `room`, in every process the adapter spans. */
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
  onConnection(handler: (peer: SocketPeer<E>) => unknown): this
  /** Runs once when a connection that passed its handshake ends, whatever ended it. */
  onDisconnect(handler: (peer: SocketPeer<E>) => unknown): this
  /** Every connection of this server, in every process the adapter spans (this one with the default memory adapter). */
  emit<K extends keyof E & string>(event: K, ...args: ArgsOf<E[K]>): void
  /** Every connection in `room`, in every process the adapter spans. */
  to(room: string): { emit<K extends keyof E & string>(event: K, ...args: ArgsOf<E[K]>): void }
  /** This process's connections. */
  peers(): SocketPeer<E>[]
  /** Every connection (in `room`) of every process the adapter spans: id, data and rooms. */
  fetchPeers(room?: string): Promise<PeerInfo[]>
  /** The limits in force (the options, checked, with their defaults). */
  readonly limits: Limits
  /**
   * What the server holds now: for leak checks and diagnostics. `sessions` and `packets`: what recovery keeps for
   * dropped connections (0 without it); both go back to 0 once maxDisconnectionDurationMs pass.
   */
  stats(): { connections: number; handshaking: number; rooms: number; pendingAcks: number; sessions: number; packets: number }
  /**
   * Closes every connection (1001, going away) and clears their timers. With recovery, their sessions are kept: clients
   * that come back to this server (restarted in place) recover. New connections are still taken; stop the HTTP
   * server's upgrades to refuse them.
   */
  close(): void
  /** Closes every connection (1001) without keeping their sessions, and stops the adapter (its timers, connections). */
  dispose(): Promise<void>
}

/** A connection's state: created at open, deleted at close (which clears its timer, acks and rooms). */
interface Conn {
  readonly raw: WsPeer
  /** Where its bufferedAmount is read, found at the first read (crossws 0.4's peer, else the runtime's WebSocket). */
  ws: { bufferedAmount?: unknown } | undefined
  /** Until drop(): checked on every send, cheaper than a look-up. */
  live: boolean
  /** Characters sent since its buffered amount was last read. */
  unchecked: number
  peer: SocketPeer<EventsMap> | null
  /** `hello` arrived (the auth hook may still run). */
  hello: boolean
  /** The recovery session's private id, when recovery is on and the client takes part (then its events carry offsets). */
  pid: string | null
  /** While its session is restored: the packets delivered to it meanwhile, sent after the missed ones. */
  replay: Packet[] | null
  /** After a restore: the last offset replayed; packets up to it that this process delivers late are not sent again. */
  floor: string | null
  /** With recovery: who the auth hook said it was (JSON), the offset its session started at, each room's at its join. */
  user: string | undefined
  start: string
  readonly joined: Map<string, string>
  /** 0: not announced; 1: onConnection handlers running (a drop then waits for them); 2: announced. */
  announced: 0 | 1 | 2
  timer: ReturnType<typeof setTimeout> | undefined
  awaitingPong: boolean
  readonly budget: Budget
  nextAck: number
  readonly acks: Map<number, { resolve(value: unknown): void; reject(error: Error): void; timer: ReturnType<typeof setTimeout> }>
  readonly rooms: Set<string>
}

type Lifecycle = (peer: SocketPeer<EventsMap>) => unknown

const headersOf = (h: WsRequest['headers'] | undefined): Headers => {
  if (!h) return new Headers()
  if (h instanceof Headers) return h
  const out = new Headers()
  for (const [key, value] of Object.entries(h)) if (value !== undefined) out.set(key, Array.isArray(value) ? value.join(', ') : value)
  return out
}

const noop = (): void => {}
/**
 * A Cloudflare Worker (a Durable Object, Nitro's cloudflare-durable preset), where crossws 0.3 ignores the upgrade
 * hook's `protocol` and never answers a client's close: the hooks do both themselves there, and only there.
 */
const onWorkers = typeof navigator !== 'undefined' && navigator.userAgent === 'Cloudflare-Workers'
const isThenable = (value: unknown): value is PromiseLike<unknown> => !!value && typeof (value as PromiseLike<unknown>).then === 'function'

/**
 * The server side of the WebSocket transport: crossws hooks (`hooks`) that speak the `events` protocol (PROTOCOL.md)
 * to `@ssr-socket/core` clients with `transport: 'websocket'`. The handlers registered with `on` are the allowlist
 * of client events. `L` and `E` default to the `Register` event map: the client's emit events, then its listen events.
 */
export function createSocketServer<L extends EventsMap = DefaultEmitEvents, E extends EventsMap = DefaultListenEvents>(options: SocketServerOptions = {}): SocketServer<L, E> {
  const limits = resolveLimits(options)
  const { maxPayloadBytes, pingIntervalMs, pingTimeoutMs, ackTimeoutMs, maxBufferedBytes, maxArguments } = limits
  for (const name of ['auth', 'onError'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw new TypeError(`[ssr-socket/server] options.${name} must be a function.`)
  }
  const o = options.origins
  if (o !== undefined && typeof o !== 'function' && !(Array.isArray(o) && o.every((x) => typeof x === 'string'))) {
    throw new TypeError('[ssr-socket/server] options.origins must be an array of origins (["https://app.example.com"]) or a function (origin, headers) => boolean.')
  }
  const fallback = (error: unknown, event: string): void =>
    console.error(`[ssr-socket/server] ${event === 'connection' || event === 'disconnect' || event === 'auth' ? `the ${event} hook` : event === 'adapter' ? 'the adapter' : `the handler of "${event}"`} failed:`, error)
  /** Reports a failure; an onError that throws is reported in turn, never thrown into crossws. */
  const report = (error: unknown, event: string, peer: SocketPeer): void => {
    try {
      ;(options.onError ?? fallback)(error, event, peer)
    } catch (failure) {
      fallback(failure, 'onError')
    }
  }
  const handlers = new Map<string, (peer: SocketPeer<EventsMap>, ...args: unknown[]) => unknown>()
  const connected = new Set<Lifecycle>()
  const disconnected = new Set<Lifecycle>()
  /** A failure of app code: reported, whether it threw or its promise rejected; never thrown into crossws. */
  const guard = (what: string, peer: SocketPeer<EventsMap>, run: () => unknown, failed = (error: unknown) => report(error, what, peer as SocketPeer)): void => {
    try {
      const result = run()
      if (isThenable(result)) result.then(undefined, failed)
    } catch (error) {
      failed(error)
    }
  }
  /** Lifecycle handlers, each on its own: one that fails is reported and stops neither the others nor the close. */
  const notify = (list: Set<Lifecycle>, peer: SocketPeer<EventsMap>, what: string): void => {
    for (const handler of list) guard(what, peer, () => handler(peer))
  }
  const conns = new Map<string, Conn>()
  const rooms = new Rooms<Conn>()
  const adapter = options.adapter ?? createMemoryAdapter()
  const recovery = !!limits.recovery
  /** Recovery sessions held by a connection now, by private id (one that comes back may find its old one alive). */
  const owners = new Map<string, Conn>()
  /** Connections by peer id (a recovered one keeps its session's id): where packets for one peer go. */
  const byPeer = new Map<string, Conn>()
  const snapshot = (conn: Conn): Session => ({
    pid: conn.pid!,
    id: conn.peer!.id,
    rooms: [...conn.rooms],
    data: conn.peer!.data,
    user: conn.user,
    start: conn.start,
    joined: Object.fromEntries(conn.joined),
  })
  /** Who the auth hook said a connection is, as JSON (undefined: cannot be written, so never matched). */
  const identity = (data: unknown): string | undefined => {
    try {
      return JSON.stringify(data) ?? undefined
    } catch {
      return undefined
    }
  }
  /** A shared adapter keeps live sessions too (a process may die without closing anything): after each change. */
  const saveLive = (conn: Conn): void => {
    if (adapter.shared && conn.pid && conn.peer && conn.live) adapter.save(snapshot(conn), true)
  }

  /** Origins refused so far, each reported once (a refusal is otherwise silent on the server). */
  const refusedOrigins = new Set<string>()
  const allowed = (origin: string | null, headers: Headers): boolean => {
    if (!origin) return true
    const o = options.origins
    let ok: boolean
    try {
      if (typeof o === 'function') ok = !!o(origin, headers)
      else if (o) ok = o.includes(origin)
      else ok = new URL(origin).host === headers.get('host')
    } catch {
      ok = false
    }
    if (!ok && !refusedOrigins.has(origin) && refusedOrigins.size < 100) {
      refusedOrigins.add(origin)
      console.warn(
        `[ssr-socket/server] refused a socket from Origin ${origin.slice(0, 200)} (Host: ${headers.get('host')?.slice(0, 200) ?? 'none'}). ` +
          'Behind a proxy that rewrites Host, or for another origin, list the allowed ones in options.origins.',
      )
    }
    return ok
  }

  /**
   * Ends a connection: its timer, pending acks and rooms go with it, then the socket is closed (`code`) or cut
   * (`terminate`: nothing queued for it is sent). The one cleanup path; no step can skip the next. `keep`: a close a
   * client may recover from (its network, a ping timeout, the server's shutdown): with recovery, its session is kept;
   * false: it is let go; null: neither (it resumed elsewhere, which holds it now).
   */
  const drop = (conn: Conn | undefined, code?: number, reason?: string, terminate = false, keep: boolean | null = false): void => {
    if (!conn?.live) return
    conns.delete(conn.raw.id)
    if (conn.pid && owners.get(conn.pid) === conn) owners.delete(conn.pid)
    if (conn.peer && byPeer.get(conn.peer.id) === conn) byPeer.delete(conn.peer.id)
    conn.live = false
    conn.replay = null
    clearTimeout(conn.timer)
    conn.timer = undefined
    for (const pending of conn.acks.values()) {
      clearTimeout(pending.timer)
      pending.reject(new Error('the connection closed before the ack'))
    }
    conn.acks.clear()
    if (code !== undefined) {
      try {
        conn.raw.close?.(closeCode(code), closeReason(reason))
      } catch {
        terminate = true // a socket that cannot be closed is cut
      }
    }
    if (terminate) {
      try {
        conn.raw.terminate?.()
      } catch {
        // gone already
      }
    }
    // What a recovered connection takes over: the rooms as they are now (before onDisconnect or the close leaves them).
    if (conn.pid && conn.peer) {
      if (keep) adapter.save(snapshot(conn), false)
      else if (keep === false) adapter.forget(conn.pid)
    }
    // onDisconnect sees the rooms the peer was in (read them synchronously: they are left right after); while
    // onConnection handlers still run (announced 1), it runs after them.
    if (conn.announced === 2) notify(disconnected, conn.peer!, 'disconnect')
    if (conn.announced !== 1) rooms.leaveAll(conn, conn.rooms)
  }

  /** Bytes waiting for this peer, where the runtime reports them. */
  const buffered = (conn: Conn): number => {
    // crossws 0.4 reports it on the peer (Node, Bun, uWS); 0.3 through the runtime's WebSocket (Node's ws, Deno).
    const peer = conn.raw as Conn['ws'] & WsPeer
    const amount = (conn.ws ??= typeof peer.bufferedAmount === 'number' ? peer : ((peer.websocket as Conn['ws']) ?? {})).bufferedAmount
    return typeof amount === 'number' ? amount : 0
  }

  /** Sends a frame, unless the peer is too far behind: then it is cut (4509) and nothing more is queued for it. */
  const send = (conn: Conn, text: string): void => {
    if (!conn.live) return // dropped (a send from a timer, a handler still running, a room send)
    // The buffered amount is read once per 64 Ki characters sent (a read goes through the runtime's socket), and
    // before any frame that large: a peer gets at most that far past the bound before it is cut.
    if ((conn.unchecked += text.length) >= 65_536) {
      conn.unchecked = 0
      if (buffered(conn) > maxBufferedBytes) return drop(conn, CLOSE.slow, 'reads too slowly', true)
    }
    try {
      conn.raw.send(text)
    } catch {
      drop(conn, undefined, undefined, true, true) // the runtime refuses (Deno, Workers: a socket already closing)
    }
  }

  const heartbeat = (conn: Conn): void => {
    clearTimeout(conn.timer)
    conn.timer = setTimeout(() => {
      conn.awaitingPong = true
      conn.timer = setTimeout(() => conn.awaitingPong && drop(conn, CLOSE.timeout, 'ping timeout', false, true), pingTimeoutMs)
      send(conn, '["ping"]')
      saveLive(conn) // peer.data may have changed: a shared adapter's copy follows at each ping
    }, pingIntervalMs)
  }

  /** An event without ack for `target`, through the adapter (every process; with recovery, kept with an offset). */
  const publish = (target: Target, event: string, args: unknown[]): void => adapter.publish(target, JSON.stringify(event), JSON.stringify(args))

  /** A packet of the adapter to this process's connections it is for; one encoding per kind of client. */
  const deliver = (p: Packet): void => {
    const t = p.target
    const withOffset = p.offset === undefined ? undefined : frameOf(p)
    let plain: string | undefined
    const to = (conn: Conn): void => {
      if (conn.replay) return void conn.replay.push(p) // its session is being restored: after the missed ones
      if (conn.floor !== null) {
        if (p.offset === undefined || adapter.compare(p.offset, conn.floor) <= 0) return // replayed already
        conn.floor = null // the reader is past it: in order from here
      }
      if (conn.peer && conn.peer.id !== t.except) send(conn, conn.pid && withOffset ? withOffset : (plain ??= `["e",${p.e},${p.a}]`))
    }
    if (t.peer !== undefined) {
      const conn = byPeer.get(t.peer)
      if (conn) to(conn)
    } else for (const conn of t.room === undefined ? conns.values() : (rooms.members(t.room) ?? [])) to(conn)
  }
  /** A kept packet is for a session: its id, a room it was in since before the packet, everyone since it started. */
  const matches = (p: Packet, session: Session): boolean => {
    const t = p.target
    if (t.except === session.id) return false
    if (t.peer !== undefined) return t.peer === session.id
    const since = t.room === undefined ? session.start : session.rooms.includes(t.room) ? (session.joined?.[t.room] ?? session.start) : null
    return since !== null && (since === undefined || adapter.compare(p.offset!, since) > 0)
  }
  const frameOf = (p: Packet): string => `["e",${p.e},${p.a},0,${JSON.stringify(p.offset)}]`

  const makePeer = (conn: Conn, id: string, data: unknown, recovered: boolean): SocketPeer<EventsMap> => {
    const raw = conn.raw
    return {
      id,
      data,
      rooms: conn.rooms,
      recovered,
      // With recovery, through the adapter: kept (with an offset) even once the connection has dropped, for its return.
      emit: (event: string, ...args: unknown[]) => (conn.pid ? publish({ peer: id }, event, args) : send(conn, encode('e', event, args))),
      emitWithAck: (event: string, ...args: unknown[]) =>
        new Promise((resolve, reject) => {
          if (!conn.live) return reject(new Error('the connection is closed'))
          const id = ++conn.nextAck
          const text = encode('e', event, args, id) // throws (rejects) before anything is kept
          const timer = setTimeout(() => {
            conn.acks.delete(id)
            reject(new Error(`no ack for "${event}" within ${ackTimeoutMs} ms`))
          }, ackTimeoutMs)
          conn.acks.set(id, { resolve, reject, timer })
          send(conn, text)
        }),
      join(room) {
        checkRoom(room, 'join')
        if (!conn.live || conn.rooms.has(room)) return
        rooms.join(room, conn, conn.rooms)
        if (conn.pid) conn.joined.set(room, adapter.head()) // a comeback gets the room's packets from here on
        saveLive(conn)
      },
      leave(room) {
        checkRoom(room, 'leave')
        if (!conn.rooms.has(room)) return
        rooms.leave(room, conn, conn.rooms)
        conn.joined.delete(room)
        saveLive(conn)
      },
      to: (room) => {
        checkRoom(room, 'to')
        return { emit: (event: string, ...args: unknown[]) => publish({ room, except: id }, event, args) }
      },
      close: (code = 1000, reason) => drop(conn, code, reason),
      raw,
    }
  }

  /** An error frame for event `id` (0: an event without ack); what failed is reported where it happened, not sent. */
  const fail = (conn: Conn, id: number, code: string, message: string): void => send(conn, encode('x', id, { code, message }))

  const onEvent = (conn: Conn, { event, args, id }: Extract<ClientFrame, { type: 'e' }>): void => {
    const handler = handlers.get(event)
    if (!handler) return fail(conn, id, 'unknown-event', `no handler for "${event}" on this server`)
    if (args.length > maxArguments) return fail(conn, id, 'too-many-arguments', `more than ${maxArguments} arguments for "${event}"`)
    const peer = conn.peer!
    let answered = false
    const ack = (value?: unknown): void => {
      if (answered || !conn.live) return
      answered = true
      let text: string
      try {
        text = encode('a', id, value ?? null)
      } catch (error) {
        // A cycle, a BigInt, too deep: the client gets an error now rather than wait for its timeout.
        report(error, event, peer as SocketPeer)
        text = encode('x', id, { code: 'bad-ack', message: `the answer of "${event}" could not be encoded` })
      }
      send(conn, text)
    }
    // Without an ack id (the client used emit) the handler still gets a callback: calling it does nothing.
    guard(event, peer, () => handler(peer, ...args, id ? ack : noop), (error) => {
      report(error, event, peer as SocketPeer)
      if (!answered && conn.live) {
        answered = true
        fail(conn, id, 'handler-error', `the handler of "${event}" failed`)
      }
    })
  }

  /**
   * Takes a session back for `conn`: joins its rooms (what is sent to them meanwhile waits in conn.replay), reads the
   * packets after the client's offset and returns the frames meant for it. Null session: a fresh one (unknown,
   * expired, another user, an offset out of reach, a replay larger than the connection may hold unread).
   */
  const restore = async (conn: Conn, resume: { session: string; offset: string }, data: unknown): Promise<{ session: Session | null; replay: string[] }> => {
    // A client can come back before its old connection is known to be gone (half-open, a reset not yet seen): that one
    // is closed now and its session kept, so that this one takes it over (in another process: told so, below).
    drop(owners.get(resume.session), CLOSE.goingAway, 'the session resumed on another connection', false, true)
    let session: Session | null = null
    try {
      session = await adapter.take(resume.session)
      if (!session) return { session: null, replay: [] }
      adapter.takeover?.(resume.session)
      const same = !options.auth || (session.user !== undefined && session.user === identity(data)) // not another user
      const after = session.start === undefined || adapter.compare(resume.offset, session.start) >= 0 // not from before it
      if (same && after && conn.live) {
        conn.replay = []
        byPeer.set(session.id, conn)
        for (const room of session.rooms) rooms.join(room, conn, conn.rooms)
        const missed = await adapter.since(resume.offset)
        if (missed && conn.live) {
          const replay = missed.flatMap((p) => (matches(p, session!) ? [frameOf(p)] : []))
          // Packets up to the last one returned are not sent again (this process's reader may lag behind the one the
          // client was on, and what it delivers late the client got there, or here just now).
          conn.floor = missed.length ? missed.at(-1)!.offset! : resume.offset
          if (replay.reduce((n, text) => n + text.length, 0) <= maxBufferedBytes) return { session, replay }
        }
      }
    } catch (error) {
      report(error, 'adapter', { id: conn.raw.id, raw: conn.raw } as unknown as SocketPeer)
    }
    // Not taken back: out of its rooms again, nothing held for it; kept for the next try if this connection closed.
    if (session && byPeer.get(session.id) === conn) byPeer.delete(session.id)
    rooms.leaveAll(conn, conn.rooms)
    conn.replay = null
    conn.floor = null
    if (session && !conn.live) adapter.save(session, false)
    return { session: null, replay: [] }
  }

  const onHello = async (conn: Conn, auth: unknown, resume: Extract<ClientFrame, { type: 'hello' }>['resume']): Promise<void> => {
    const raw = conn.raw
    conn.hello = true // the handshake deadline (conn.timer) keeps running over the auth hook
    let data: unknown = null
    if (options.auth) {
      try {
        data = await options.auth({ auth, headers: headersOf(raw.request?.headers), peer: raw })
      } catch (error) {
        // The hook failed (not a refusal): reported here, never sent; the client retries with backoff.
        if (!conn.live) return
        report(error, 'auth', { id: raw.id, raw } as unknown as SocketPeer)
        return drop(conn, CLOSE.serverError, 'the server could not check the credentials')
      }
      if (!conn.live) return
      if (data === false || data === undefined || data === null) {
        send(conn, encode('refused', { code: 'unauthorized', message: 'the server refused the credentials' }))
        return drop(conn, CLOSE.unauthorized, 'unauthorized')
      }
    }
    if (adapter.ready) await adapter.ready.catch(noop) // (a failure is the adapter's to report)
    if (!conn.live) return // closed while the auth hook (or the adapter) was waited for
    clearTimeout(conn.timer)
    conn.timer = undefined
    // Recovery (a client that takes part: `resume` present): its session back when the adapter still has it, the auth
    // hook said the same user, and every packet after its offset is kept; else a fresh one.
    let session: Session | null = null
    let replay: string[] = []
    if (recovery && resume) ({ session, replay } = await restore(conn, resume, data))
    if (!conn.live) return
    if (recovery && resume !== undefined) {
      owners.set((conn.pid = session?.pid ?? crypto.randomUUID()), conn)
      conn.user = session ? session.user : options.auth ? identity(data) : undefined
      conn.start = session?.start ?? (session ? resume!.offset : adapter.head())
      if (session) for (const room of session.rooms) conn.joined.set(room, session.joined?.[room] ?? resume!.offset)
    }
    const peer = (conn.peer = makePeer(conn, session?.id ?? raw.id, session ? session.data : data, !!session))
    if (!session) byPeer.set(peer.id, conn)
    const welcome = { id: peer.id, pingInterval: pingIntervalMs, pingTimeout: pingTimeoutMs, v: 1 }
    send(conn, encode('welcome', conn.pid ? { ...welcome, session: conn.pid, offset: session ? resume!.offset : conn.start, recovered: !!session } : welcome))
    // What it missed, in order, then what came meanwhile (each once), before anything sent from now on.
    if (session) {
      for (const text of replay) send(conn, text)
      const later = conn.replay ?? []
      conn.replay = null
      for (const p of later) deliver({ ...p, target: { peer: peer.id, except: p.target.except } })
    }
    saveLive(conn)
    if (!conn.live) return // the welcome could not be sent: never announced, so no onDisconnect
    heartbeat(conn)
    // onConnection, then (once, after the last of them) onDisconnect if a handler closed it meanwhile.
    conn.announced = 1
    for (const handler of connected) if (conn.live) guard('connection', peer, () => handler(peer))
    conn.announced = 2
    if (!conn.live) {
      notify(disconnected, peer, 'disconnect')
      rooms.leaveAll(conn, conn.rooms)
    }
  }

  /** One frame from a client, measured before it is decoded. */
  const onMessage = (conn: Conn, message: WsMessage): void => {
    const now = performance.now() // monotonic: a clock stepped back must not freeze the windows
    const data = message.rawData
    const text = data === undefined ? message.text() : undefined
    const size = text === undefined ? byteLength(data) : utf8Length(text)
    if (size < 0) return drop(conn, CLOSE.protocol, 'not a text frame')
    if (size > maxPayloadBytes) {
      fail(conn, 0, 'too-large', `a frame of more than ${maxPayloadBytes} bytes`)
      return drop(conn, CLOSE.tooLarge, 'payload too large')
    }
    if (!conn.budget.bytes(size, now)) return drop(conn, CLOSE.rate, 'bytes per second')
    const frame = decode(text ?? message.text())
    if (!frame) return drop(conn, CLOSE.protocol, 'bad frame')
    if (!conn.peer) {
      if (frame.type === 'hello' && !conn.hello) {
        return void onHello(conn, frame.auth, frame.resume).catch((error: unknown) => {
          report(error, 'auth', { id: conn.raw.id, raw: conn.raw } as unknown as SocketPeer)
          drop(conn, CLOSE.serverError, 'handshake failed')
        })
      }
      return drop(conn, CLOSE.protocol, 'hello first')
    }
    if (frame.type === 'a') {
      const pending = conn.acks.get(frame.id)
      // The answer to the server's own question is not a client event; an answer nobody asked for is one.
      if (!pending) return void (conn.budget.event(now) || drop(conn, CLOSE.rate, 'rate limit'))
      conn.acks.delete(frame.id)
      clearTimeout(pending.timer)
      return pending.resolve(frame.value)
    }
    if (frame.type === 'pong' && conn.awaitingPong) {
      conn.awaitingPong = false
      return heartbeat(conn)
    }
    if (!conn.budget.event(now)) return drop(conn, CLOSE.rate, 'rate limit')
    if (frame.type === 'e') return onEvent(conn, frame)
    if (frame.type === 'hello') return drop(conn, CLOSE.protocol, 'hello twice')
    // A pong nobody asked for: counted, and it keeps nothing alive.
  }

  /** Our own code never throws into crossws (an exception there would take the process down): reported, closed. */
  const safely = (raw: WsPeer, what: string, run: () => void): void => {
    try {
      run()
    } catch (error) {
      report(error, what, { id: raw.id, raw } as unknown as SocketPeer)
      drop(conns.get(raw.id), CLOSE.serverError, 'server error')
    }
  }

  const hooks: SocketServer<L, E>['hooks'] = {
    upgrade(request) {
      // Select the protocol when offered: crossws 0.4 answers none unless told (0.3's ws picks the first offered).
      const offered = headersOf(request.headers).get('sec-websocket-protocol') ?? ''
      if (!offered.split(',').some((p) => p.trim() === PROTOCOL)) return undefined
      // crossws 0.3 on Workers (Nitro's cloudflare-durable preset) ignores `protocol`: the header itself there. Only
      // there: Node's ws adds its own, and a second one breaks the handshake.
      if (onWorkers) return { protocol: PROTOCOL, headers: { 'sec-websocket-protocol': PROTOCOL } } as unknown as undefined
      return { protocol: PROTOCOL } as unknown as undefined
    },
    open(raw) {
      safely(raw, 'open', () => {
        const conn: Conn = { raw, ws: undefined, live: true, unchecked: 0, peer: null, hello: false, pid: null, replay: null, floor: null, user: undefined, start: '', joined: new Map(), announced: 0, timer: undefined, awaitingPong: false, budget: new Budget(limits), nextAck: 0, acks: new Map(), rooms: new Set() }
        conns.set(raw.id, conn)
        // An Origin not allowed is refused before anything runs, in a way the client can tell (4403), not as an HTTP
        // 403 that a browser cannot see.
        const headers = headersOf(raw.request?.headers)
        if (!allowed(headers.get('origin'), headers)) {
          send(conn, encode('refused', { code: 'forbidden', message: 'this Origin may not open a socket here' }))
          return drop(conn, CLOSE.forbidden, 'origin not allowed')
        }
        conn.timer = setTimeout(() => drop(conn, CLOSE.timeout, 'no hello in time'), limits.handshakeTimeoutMs)
      })
    },
    message(raw, message) {
      const conn = conns.get(raw.id)
      if (conn) safely(raw, 'message', () => onMessage(conn, message))
    },
    close(raw, details) {
      const conn = conns.get(raw.id)
      // The client's own close (1000: disconnect(), a page going away) ends its session; a dropped one may come back.
      drop(conn, undefined, undefined, false, details?.code !== 1000)
      // A Durable Object (crossws 0.3 on Workers) does not answer a client's close frame: the client would see 1006
      // once it gives up waiting. Answered with its code (not after the server's own close: that conn is gone).
      if (conn && onWorkers) {
        try {
          raw.close?.(closeCode(details?.code ?? 1000))
        } catch {
          // closed already
        }
      }
    },
    error(raw) {
      // The transport failed (a frame over its maxPayload, a reset): cut it now, rather than read on for its close.
      const conn = conns.get(raw.id)
      if (conn) drop(conn, undefined, undefined, true, true)
      else raw.terminate?.()
    },
  }

  adapter.attach({
    deliver,
    local: (room) =>
      [...(room === undefined ? conns.values() : (rooms.members(room) ?? []))].flatMap((c) => (c.peer && c.live && !c.replay ? [{ id: c.peer.id, data: c.peer.data, rooms: [...c.rooms] }] : [])),
    release: (pid) => drop(owners.get(pid), CLOSE.goingAway, 'the session resumed on another connection', false, null),
    report: (error) => report(error, 'adapter', {} as SocketPeer),
    recovery: limits.recovery,
    pingIntervalMs,
    pingTimeoutMs,
  })

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
      connected.add(handler as Lifecycle)
      return this
    },
    onDisconnect(handler) {
      disconnected.add(handler as Lifecycle)
      return this
    },
    emit: (event: string, ...args: unknown[]) => publish({}, event, args),
    to: (room) => {
      checkRoom(room, 'to')
      return { emit: (event: string, ...args: unknown[]) => publish({ room }, event, args) }
    },
    peers: () => [...conns.values()].flatMap((c) => (c.peer ? [c.peer] : [])),
    fetchPeers: (room) => {
      if (room !== undefined) checkRoom(room, 'fetchPeers')
      return adapter.fetchPeers(room)
    },
    limits,
    stats() {
      let handshaking = 0
      let pendingAcks = 0
      for (const conn of conns.values()) {
        if (!conn.peer) handshaking++
        pendingAcks += conn.acks.size
      }
      return { connections: conns.size - handshaking, handshaking, rooms: rooms.size, pendingAcks, ...adapter.stats() }
    },
    close() {
      for (const conn of [...conns.values()]) drop(conn, CLOSE.goingAway, 'server closing', false, true)
    },
    async dispose() {
      for (const conn of [...conns.values()]) drop(conn, CLOSE.goingAway, 'server closing')
      await adapter.close()
    },
  }
  return server as unknown as SocketServer<L, E>
}

export type { ArgsOf }
