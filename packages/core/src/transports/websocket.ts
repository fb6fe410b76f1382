// The WebSocket transport: one plain WebSocket per client, speaking the `events` protocol of @ssr-socket/server
// (packages/server/PROTOCOL.md: hello/welcome with the auth payload in a frame, events, acks by id, server pings) or,
// with `framing: 'raw'`, delivering each frame as a `message` event. It has no backoff of its own (`reconnects`
// false): the engine schedules its retries. Loaded, with the engine, on the first connect of a client that asks for it.
// What matters only once a connection opened (the half-open check, the close codes) or once one failed to open (the
// upgrade probe) is a chunk of its own, websocketLate.ts, fetched at the first `welcome` or the first close.
import type { SocketError } from '../errors.js'
import type { WebSocketOptions } from '../types.js'
import type { Transport, TransportContext, TransportFactory } from './types.js'

const PROTOCOL = 'ssr-socket.v1'

/** What the transport needs of a WebSocket implementation (the browser's, or `ws` in Node). */
interface Ws {
  readonly readyState: number
  readonly protocol: string
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number; reason: string }) => void) | null
  onerror: ((event: unknown) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}
type WsConstructor = new (url: string, protocols?: string | string[]) => Ws


type Done = (error: SocketError | null, value?: unknown) => void
const noop = (): void => {}

type Late = typeof import('./websocketLate.js')
/** Code, not state: the after-open chunk once fetched (then called synchronously), or its fetch. */
let late: Late | undefined
let fetching: Promise<Late> | undefined

/** Runs `f` with the after-open chunk: now when it is there, else once fetched; `otherwise` when it cannot be. */
function withLate(f: (m: Late) => void, otherwise: () => void = noop): void {
  if (late) return f(late)
  ;(fetching ??= import('./websocketLate.js')).then(
    (m) => f((late = m)),
    () => {
      fetching = undefined // the next one fetches again
      otherwise()
    },
  )
}

/** An object of a frame, as sent: any field may be anything (read only once its shape is checked). */
type Fields = { readonly [key: string]: unknown } | null | undefined

const isId = (value: unknown): boolean => Number.isInteger(value) && (value as number) > 0

/** A timing from `welcome`: the default unless a number >= 0, from 100 ms (0 would turn the half-open check off) to 1e9 ms (their sum stays a valid setTimeout delay). */
const ms = (value: unknown, fallback: number): number => Math.min(Math.max(typeof value == 'number' && value >= 0 ? value : fallback, 100), 1e9)

class WebSocketTransport implements Transport {
  readonly reconnects = false
  raw: Ws | null = null
  readonly _c: TransportContext
  /** The context's error factory and sink, and `options.websocket`. */
  readonly _err: TransportContext['error']
  private readonly _sink: TransportContext['sink']
  private readonly _w: WebSocketOptions
  private readonly _raw: boolean
  /** The connection passed `welcome` (raw: opened). */
  _ready = false
  /** Bumped by open()/close(): events of an older socket are ignored. */
  _gen = 0
  private _nextAck = 0
  private readonly _acks = new Map<number, { done: Done; timer: ReturnType<typeof setTimeout> }>()
  /** An inspector's (development builds only: watch() is there only, as inspectors record there only). */
  declare _watcher?: ((event: string, args: unknown[]) => void) | null
  /** Recovery (PROTOCOL.md): the server's session for this client and the offset of the last event it sent us. */
  private _session: string | null = null
  private _offset: unknown = null
  /** Half-open detection (websocketLate.ts): when something last arrived, the limit, and the timer that checks it. */
  _seen = 0
  _limit = 0
  _timer: ReturnType<typeof setTimeout> | undefined
  /**
   * The page goes away (not into the back-forward cache): close with a close frame now, rather than leave the
   * browser to drop the TCP connection (which some servers and proxies take badly: Nitro 2's dev proxy crashes on it).
   */
  private _listening = false
  private readonly _bye = (event: Event): void => {
    if (!(event as PageTransitionEvent).persisted) this.close()
  }

  constructor(context: TransportContext) {
    this._c = context
    this._err = context.error
    this._sink = context.sink
    this._w = (context.options.websocket ?? {}) as WebSocketOptions
    this._raw = this._w.framing === 'raw'
  }

  get connected(): boolean {
    return this._ready
  }

  get wire(): string | null {
    return this._ready ? 'websocket' : null
  }

  open(): void {
    this._teardown()
    const gen = ++this._gen
    const o = this._c.options
    const w = this._w
    const Impl = (w.WebSocket ?? (globalThis as { WebSocket?: unknown }).WebSocket) as WsConstructor | undefined
    if (!Impl) return this._fail(gen, this._err('config', 'no-websocket'), 'fatal')
    const url = `${o.url!.replace(/^http/, 'ws')}${o.path}`
    let ws: Ws
    try {
      ws = this.raw = this._raw ? new Impl(url) : new Impl(url, PROTOCOL)
    } catch (error) {
      return this._fail(gen, this._err('config', 'bad-url', url, error), 'fatal')
    }
    let opened = false
    if (typeof window !== 'undefined' && !this._listening) {
      this._listening = true
      window.addEventListener('pagehide', this._bye)
    }
    // A server (or proxy) that holds the upgrade without answering would leave the attempt hanging for good.
    const timeoutMs = w.timeoutMs ?? 10_000
    this._timer = setTimeout(() => {
      this._timer = undefined
      this._fail(gen, this._err('network', 'ws-timeout', String(timeoutMs)), 'failed', 4408)
    }, timeoutMs)
    ws.onopen = () => {
      if (gen !== this._gen) return
      opened = true
      if (this._raw) return this._welcome(null, w.idleTimeoutMs ?? 0)
      // The server selected our protocol (or none, where the adapter does not echo it); another one is not ours.
      if (ws.protocol && ws.protocol !== PROTOCOL) return this._fail(gen, this._err('config', 'not-ssr-socket', ws.protocol), 'fatal', 4400)
      this._hello(gen)
    }
    ws.onmessage = (event) => gen === this._gen && this._frame(event.data)
    ws.onerror = () => {}
    ws.onclose = ({ code, reason }) => {
      if (gen !== this._gen) return
      // Closed: emits wait in the engine's queue from now on, even while the after-open chunk is fetched (a close
      // right after the first welcome). Never opened: the chunk's probe says why. A chunk that cannot be fetched
      // leaves a lost connection (a failed attempt if it never opened), retried.
      const ready = this._ready
      this._ready = false
      withLate(
        (m) => (opened ? m.closed(this, gen, ready, code, reason) : m.probe(this, gen, url)),
        () => this._fail(gen, this._err('network', 'lost', String(code)), ready ? 'lost' : 'failed'),
      )
    }
  }

  /** Sends `hello` with the auth payload (token mode: fetched now, for this handshake). */
  private _hello(gen: number): void {
    const payload = this._c.auth.payload
    const send = (auth: unknown): void => {
      // The third element says this client takes part in recovery: null, or the session to take back.
      if (gen === this._gen && this.raw?.readyState === 1) this.raw.send(JSON.stringify(['hello', auth ?? null, this._session && { session: this._session, offset: this._offset }]))
    }
    if (typeof payload === 'function') payload((data) => send(Object.keys(data).length ? data : null))
    else send(payload ?? null)
  }

  private _welcome(id: string | null, limit: number, recovered = false): void {
    clearTimeout(this._timer) // the attempt's deadline
    this._timer = undefined
    this._ready = true
    this._limit = limit
    this._seen = Date.now()
    // The half-open check: now, or once the after-open chunk (fetched on the first welcome) is there.
    withLate((m) => m.alive(this))
    this._sink.opened({ id, transport: 'websocket', recovered })
  }

  private _frame(data: unknown): void {
    this._seen = Date.now() // something arrived: the connection is alive
    if (this._raw) return this._deliver('message', [data])
    let parts: unknown
    try {
      parts = JSON.parse(String(data))
    } catch {
      // not JSON: not an array either
    }
    // Each type known here is read only in its shape (PROTOCOL.md), so that reading cannot throw. What is not an array
    // reads as an event without a name: a known type out of shape.
    const [type, a, b, c, d] = (Array.isArray(parts) ? parts : ['e']) as [unknown, Fields, Fields, unknown, unknown]
    if (type === 'e' && Array.isArray(b) && a && typeof a == 'string' && (c === undefined || isId(c) || (c === 0 && typeof d == 'string'))) {
      // An event the server keeps for recovery carries its offset: the last one seen is where a comeback resumes.
      if (typeof d == 'string') this._offset = d
      if (c) {
        let answered = false
        const gen = this._gen
        b.push((value: unknown) => {
          // Only on the connection that asked: ack ids start again on every connection.
          if (answered || !this._ready || gen !== this._gen) return
          answered = true
          this.raw?.send(JSON.stringify(['a', c, value ?? null]))
        })
      }
      this._deliver(a, b)
    } else if (type === 'a' ? isId(a) : type === 'x' && ((a as unknown) === 0 || isId(a)) && typeof b?.message == 'string') {
      const pending = this._acks.get(a as unknown as number)
      const error = type === 'x' ? this._err('server', 'server-error', b!.message as string) : null
      if (pending) {
        this._acks.delete(a as unknown as number)
        clearTimeout(pending.timer)
        pending.done(error, b) // (the value is not read with an error)
      }
      // An error for an emit without ack (id 0): reported, nothing to reject.
      else if (error) this._sink.notice?.(error)
    } else if (type === 'ping') this.raw?.send('["pong"]')
    // (A second welcome on one connection falls through to the protocol error below.)
    else if (type === 'welcome' && !this._ready && typeof a?.id == 'string') {
      // A server with recovery names this client's session (new, or the one it took back) and where it starts.
      const resumed = this._session && a.session === this._session && a.recovered === true
      this._session = typeof a.session == 'string' && typeof a.offset == 'string' ? a.session : null
      this._offset = a.offset
      this._welcome(a.id, ms(a.pingInterval, 25_000) + ms(a.pingTimeout, 20_000), !!resumed)
    }
    else if (type === 'refused' && typeof a?.message == 'string') {
      const forbidden = a.code === 'forbidden'
      this._fail(this._gen, this._err(forbidden ? 'forbidden-origin' : 'unauthorized', 'refused', a.message), forbidden ? 'fatal' : 'rejected', 1000)
    }
    // Not JSON, not an array, or a known type in another shape: a broken or hostile server. Retried with backoff, as a
    // lost connection (before welcome, a failed attempt); a type this client does not know is ignored.
    else if (['e', 'a', 'x', 'welcome', 'refused'].includes(type as string))
      this._fail(this._gen, this._err('server', 'protocol-error'), this._ready ? 'lost' : 'failed', 4400)
  }

  private _deliver(event: string, args: unknown[]): void {
    if (process.env.NODE_ENV !== 'production') this._watcher?.(event, args)
    this._sink.message(event, args)
  }

  /** Ends this socket and tells the engine once: `lost`/`server` (after opening), `failed`/`rejected`/`fatal` (attempts). */
  _fail(gen: number, error: SocketError, how: 'lost' | 'server' | 'failed' | 'rejected' | 'fatal', code?: number): void {
    if (gen !== this._gen) return
    this._gen++
    const ws = this.raw
    this._teardown()
    if (code !== undefined && ws && ws.readyState < 2) ws.close(code)
    const sink = this._sink
    if (how === 'lost' || how === 'server') sink.closed(error, how)
    else sink.failed(error, how === 'failed' ? undefined : how)
  }

  /** Drops the current socket's handlers, timer and acks (rejected as lost). The one cleanup path of a socket. */
  private _teardown(): void {
    const ws = this.raw
    // onerror stays a no-op: closing a socket still connecting makes some implementations (Node's ws) emit an error.
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null
      ws.onerror = noop
    }
    if (this._listening) {
      this._listening = false
      window.removeEventListener('pagehide', this._bye)
    }
    this.raw = null
    this._ready = false
    clearTimeout(this._timer)
    this._timer = undefined
    for (const [id, pending] of this._acks) {
      this._acks.delete(id)
      clearTimeout(pending.timer)
      pending.done(this._err('network', 'ack-lost', String(id)))
    }
  }

  close(): void {
    this._gen++
    const ws = this.raw
    this._teardown()
    if (ws && ws.readyState < 2) ws.close(1000)
  }

  send(event: string, args: readonly unknown[]): void {
    if (this._raw) return this.raw!.send(args[0] as string)
    this.raw!.send(this._encode(['e', event, args]))
  }

  sendWithAck(event: string, args: readonly unknown[], timeoutMs: number, done: Done): void {
    if (this._raw) return done(this._err('config', 'raw-ack', event))
    const id = ++this._nextAck
    const text = this._encode(['e', event, args, id])
    const timer = setTimeout(() => {
      this._acks.delete(id)
      done(this._err('timeout', 'ack-timeout', event))
    }, timeoutMs)
    this._acks.set(id, { done, timer })
    this.raw!.send(text)
  }

  /** JSON only: binary or unserialisable arguments are refused at the call (the facade's check) or here. */
  private _encode(frame: unknown[]): string {
    const error = this._err
    return JSON.stringify(frame, function (this: Record<string, unknown>, key: string, value: unknown) {
      // The value before toJSON (a Node Buffer turns into an object there), and blobs, which JSON turns into {}.
      const raw = this[key]
      if (raw instanceof ArrayBuffer || ArrayBuffer.isView(raw) || (typeof Blob !== 'undefined' && raw instanceof Blob)) throw error('config', 'binary-websocket')
      return value
    })
  }

  listen(): void {}
  unlisten(): void {}

  declare watch?: (listener: ((event: string, args: unknown[]) => void) | null) => void

  listenerCounts(): Record<string, number> {
    return {}
  }

  dispose(): void {
    this.close()
    if (process.env.NODE_ENV !== 'production') this._watcher = null
  }
}

if (process.env.NODE_ENV !== 'production') {
  WebSocketTransport.prototype.watch = function (this: WebSocketTransport, listener) {
    this._watcher = listener
  }
}

export type { WebSocketTransport }

/** `transport: 'websocket'`: the same client over one plain WebSocket (loaded on the first connect). */
export const websocketTransport: TransportFactory = {
  name: 'websocket',
  create: (context) => new WebSocketTransport(context),
}
