// The socket.io transport: translates socket.io-client's Manager/Socket into the seam (transports/types.ts).
// socket.io reconnects by itself: its Manager is configured (only where we differ from its defaults) and observed.
import type { Manager, ManagerOptions, Socket } from 'socket.io-client'
import { classifyConnectError, classifyDisconnect } from './classify.js'
import type { SocketError } from '../errors.js'
import type { SocketIoModule } from '../types.js'
import { RESERVED } from '../reserved.js'
import { createManagerPool, observe, unobserve, type ManagerListener, type ManagerPool, type ReservedObserver } from './managerPool.js'
import type { Transport, TransportAuth, TransportContext, TransportFactory, TransportOptions, TransportSink } from './types.js'

// socket.io's listener signatures vary by event; this file only forwards what it receives.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void
const LIFECYCLE = ['connect', 'disconnect', 'connect_error']

/**
 * The Manager options that differ from socket.io-client's defaults, and nothing else: every explicit default
 * is one more property on engine.io's options object, which then falls into dictionary mode (slower, larger).
 * An option the app set in socketOptions is always overwritten by ours, as before.
 */
function managerOptions(o: TransportOptions, auth: TransportAuth): Partial<ManagerOptions> {
  // Not a literal that starts with a spread: V8 gives such an object a hidden class of its own, per client.
  const out: Record<string, unknown> = Object.assign({}, o.socketOptions)
  out.autoConnect = false
  const set = (key: keyof ManagerOptions, value: unknown, fallback: unknown): void => {
    if (value !== fallback || key in o.socketOptions) out[key] = value
  }
  if (auth.withCredentials) out.withCredentials = true
  set('path', o.path, '/socket.io')
  const r = o.reconnection
  set('reconnection', r !== false, true)
  if (r) {
    set('reconnectionAttempts', r.attempts, Infinity)
    set('reconnectionDelay', r.delayMs, 1000)
    set('reconnectionDelayMax', r.maxDelayMs, 5000)
    set('randomizationFactor', r.jitter, 0.5)
  }
  return out as Partial<ManagerOptions>
}

class SocketIoTransport implements Transport, ReservedObserver, ManagerListener {
  readonly reconnects = true
  readonly raw: Socket
  private readonly _m: Manager
  private readonly _pool: ManagerPool
  // The socket's lifecycle and the Manager's events are observed, not listened to (one shared hook instead of
  // socket.io's array and key per event name, and the transport itself is the observer: a client's heap is a
  // measured figure); one cleanup path each, in dispose().
  /** One dispatcher per event name the engine listens to. */
  private _dispatchers: Map<string, Listener> | undefined
  // The flags below start unset (falsy): no initial write per transport.
  /** True while we disconnect the socket ourselves: its events are ours, not news. */
  private _self?: boolean
  /**
   * close() came while the namespace CONNECT was on the wire. socket.io-client's disconnect() then sends no
   * DISCONNECT (it does only once connected) and the server would keep a socket nobody owns, for as long as a
   * sibling namespace keeps the Manager open: so the socket is closed when the server's answer arrives instead.
   */
  private _reap?: boolean
  /** The auth payload function is running (a token fetch): no CONNECT went out yet. */
  private _authPending?: boolean
  /** Bumped by open()/close(): an auth answer for an older handshake is dropped (it would send a late CONNECT). */
  private _authGen = 0
  private readonly _sink: TransportSink
  private readonly _err: TransportContext['error']

  constructor(c: TransportContext) {
    this._sink = c.sink
    this._err = c.error
    const { options: o, auth } = c
    this._pool = (c.shared.pool ?? (c.shared.pool = createManagerPool(c.owner))) as ManagerPool
    const m = (this._m = this._pool._acquire(c.lib as SocketIoModule, o.endpoint, o.url!, managerOptions(o, auth)))
    const payload = auth.payload
    // A function payload (token auth) is wrapped: while it runs no CONNECT has gone out, and an answer that arrives
    // after close() must not send one.
    const wrapped =
      typeof payload === 'function'
        ? (cb: (data: object) => void) => {
            const gen = this._authGen
            this._authPending = true
            payload((data) => {
              if (gen !== this._authGen) return
              this._authPending = false
              cb(data)
            })
          }
        : payload
    const s = (this.raw = m.socket(o.namespace, wrapped === undefined ? o.socketOptions : { ...o.socketOptions, auth: wrapped as never }))

    observe(s, this)
    this._pool._listen(m, this)
  }

  /** @internal the socket's lifecycle (observed, see managerPool.ts) */
  _heard(_target: object, event: string, args: unknown[]): void {
    const s = this.raw
    const sink = this._sink
    if (event === 'connect') {
      if (this._reap) this._disconnect()
      else sink.opened({ id: s.id ?? null, transport: this.wire, recovered: s.recovered })
    } else if (event === 'disconnect') {
      if (this._self || this._reap) return
      const reason = String(args[0])
      if (reason === 'io client disconnect') sink.closed(null, 'client') // through the raw escape hatch
      else sink.closed(classifyDisconnect(this._err, reason), reason === 'io server disconnect' ? 'server' : 'lost')
    } else if (event === 'connect_error') {
      if (this._reap) return this._disconnect()
      if (this._self) return
      // socket.io deactivates the socket when the namespace middleware refuses the handshake.
      const middleware = !s.active
      const error = classifyConnectError(this._err, args[0], middleware)
      sink.failed(error, middleware ? (error.kind === 'config' ? 'fatal' : 'rejected') : undefined)
    }
  }

  /**
   * @internal The Manager's retries and the upgrades of its Engine.IO socket: the pool hooks the engine as soon as
   * it opens, before the namespace's own `connect` (behind a proxy that drops the Upgrade headers the upgrade fails first).
   */
  _managerEvent(event: string, args: unknown[]): void {
    const sink = this._sink
    if (!this.raw.active || this._reap) return
    if (event === 'retry') sink.retryScheduled(args[0] as number, args[1] as number)
    else if (event === 'reconnect_attempt') sink.attempting(args[0] as number)
    else if (event === 'reconnect_failed') sink.exhausted()
    else if (event === 'upgrade') sink.upgraded((args[0] as { name: string }).name)
    // A refusal fails the probe with an error; "socket closed" / "transport closed" mean the connection or the probe
    // was closed while probing (the server went away: a restart), which the connection's own loss reports.
    else if (event === 'upgradeError' && !/(?:socket|transport) closed$/.test((args[0] as Error | undefined)?.message ?? '')) sink.upgradeFailed(args[0])
  }

  get connected(): boolean {
    return this.raw.connected
  }

  get wire(): string | null {
    return this._m.engine?.transport?.name ?? null
  }

  open(): void {
    const reaping = this._reap
    this._reap = false
    this._authGen++
    this._authPending = false
    // A handshake still on the wire is ours again; otherwise start one.
    if (!(reaping && this.raw.active)) this.raw.connect()
  }

  close(): void {
    const s = this.raw
    // A CONNECT is on the wire when the socket is active, not connected, its Manager open and no token fetch runs.
    this._reap = s.active && !s.connected && !this._authPending && (this._m as unknown as { _readyState?: string })._readyState === 'open'
    this._authGen++
    this._authPending = false
    if (!this._reap) this._disconnect()
  }

  private _disconnect(): void {
    this._reap = false
    this._self = true
    try {
      this.raw.disconnect()
    } finally {
      this._self = false
    }
  }

  send(event: string, args: readonly unknown[], volatile?: boolean): void {
    this._reserved(event)
    ;(volatile ? this.raw.volatile : this.raw).emit(event, ...args)
  }

  sendWithAck(event: string, args: readonly unknown[], timeoutMs: number, done: (error: SocketError | null, value?: unknown) => void): void {
    this._reserved(event)
    this.raw.timeout(timeoutMs).emit(event, ...args, (err: Error | null, value: unknown) => {
      if (!err) return done(null, value)
      done(/disconnected/.test(err.message) ? this._err('network', 'ack-lost', event, err) : this._err('timeout', 'ack-timeout', event, err))
    })
  }

  /**
   * Production builds refuse socket.io's reserved names here, when such an emit is sent (development refused it at the
   * call: payload.ts); socket.io-client would throw an error of its own.
   */
  private _reserved(event: string): void {
    if (process.env.NODE_ENV === 'production' && RESERVED.includes(event)) throw this._err('config', 'reserved', event)
  }

  listen(event: string): void {
    if (this._dispatchers?.has(event)) return
    const dispatcher: Listener = (...args) => this._sink.message(event, args)
    ;(this._dispatchers ?? (this._dispatchers = new Map())).set(event, dispatcher)
    this.raw.on(event, dispatcher)
  }

  unlisten(event: string): void {
    const dispatcher = this._dispatchers?.get(event)
    if (!dispatcher) return
    this._dispatchers!.delete(event)
    this.raw.off(event, dispatcher)
  }

  _watcher: Listener | undefined
  /** Development builds only (below): only inspectors call it, and they record in development builds only. */
  declare watch?: (listener: ((event: string, args: unknown[]) => void) | null) => void

  listenerCounts(events: Iterable<string>): Record<string, number> {
    const out: Record<string, number> = {}
    for (const event of new Set([...LIFECYCLE, ...events])) out[event] = this.raw.listeners(event).length
    return out
  }

  dispose(): void {
    this.close()
    unobserve(this.raw)
    this._pool._unlisten(this._m, this)
    if (this._reap) {
      // Disposed with a CONNECT on the wire: one last listener closes the socket when the answer comes.
      const s = this.raw
      const end = (): void => {
        s.off('connect', end)
        s.off('connect_error', end)
        s.disconnect()
      }
      s.on('connect', end)
      s.on('connect_error', end)
    }
    if (this._dispatchers) for (const event of [...this._dispatchers.keys()]) this.unlisten(event)
    if (process.env.NODE_ENV !== 'production') this.watch!(null)
    this._pool._release(this._m)
  }
}

if (process.env.NODE_ENV !== 'production') {
  SocketIoTransport.prototype.watch = function (this: SocketIoTransport, listener) {
    if (this._watcher) this.raw.offAny(this._watcher)
    this._watcher = listener ? (event: string, ...args: unknown[]) => listener(event, args) : undefined
    if (this._watcher) this.raw.onAny(this._watcher)
  }
}

/** socket.io as a transport: the default, used when `options.transport` is `'socket.io'` or unset. */
export const socketIoTransport: TransportFactory = {
  name: 'socket.io',
  create: (context) => new SocketIoTransport(context),
}
