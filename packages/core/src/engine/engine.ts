// The engine: everything that matters once a connection is wanted, behind the facade (client.ts) and in front of
// a transport (transports/types.ts). Transport-agnostic: the state machine, the reconnection policy for
// transports without their own, the auth lifecycle, the offline queue and ack deadlines, browser signals,
// classification records and diagnostics. Loaded lazily, with the transport adapters, by engine/index.ts.
import type { SocketError } from '../errors.js'
import type { Host } from '../host.js'
import { step, type SocketTransition } from '../state.js'
import type { Transport, TransportFactory, TransportSink } from '../transports/types.js'
import type { SocketDiagnostics } from '../types.js'
import type { AuthBinding } from './auth.js'
import type { BrowserSignal } from './browserSignals.js'
import { describe, History } from './diagnostics.js'
import { Handlers } from './handlers.js'
import { kit } from './kit.js'
import type { Logger } from './logger.js'
import { Outbox } from './outbox.js'
import type { Backoff } from './reconnect.js'
import { tapOf } from './tap.js'
import { completeOptions, type ResolvedOptions } from './resolve.js'

type Retrying = typeof import('./retrying.js')
/** Code, not state: the retrying chunk once fetched (then every engine calls it synchronously), or its fetch. */
let retrying: Retrying | undefined
let fetching: Promise<Retrying> | undefined

export class Engine implements TransportSink {
  t: Transport | null = null
  readonly o: ResolvedOptions
  readonly _log: Logger | undefined
  /** What the transport sends for auth: none until the auth chunk (fetched with the wire library when `auth` is set) binds it. */
  _auth: AuthBinding = NO_AUTH
  readonly _handlers: Handlers
  readonly _out: Outbox
  readonly _history = new History()
  /** Auth retries left for the current handshake. */
  private _retries = 0
  /** Refusals after a welcome (a WebSocket server's 4401 once connected) since connect(): not reset by that welcome. */
  private _late = 0
  /** Bumped by disconnect()/dispose(): a wire-library load that resolves later is ignored. */
  private _gen = 0
  private _everConnected = false
  /** Page signals: `undefined` while no connection is wanted; `null` while wanted but the retrying chunk is not there. */
  private _offSignals: (() => void) | null | undefined
  /** The engine's own retries, for transports without a backoff of their own: created on the first one (retrying.ts). */
  _backoff: Backoff | undefined
  /** A retry to schedule once the retrying chunk arrives (a failure before it was there). */
  private _waiting = false
  /** The retrying chunk's fetch failed (offline, most likely): fetched again after a fixed delay. */
  private _refetch: ReturnType<typeof setTimeout> | undefined

  constructor(
    readonly f: Host,
    readonly _factory: Pick<TransportFactory, 'create'>,
  ) {
    Object.assign(kit, f._k)
    const o = (this.o = completeOptions(f._o))
    this._handlers = new Handlers(this)
    this._out = new Outbox(this)
    this._log = o.debug ? deferLogger(o.debug, o.key) : undefined
  }

  _go(event: SocketTransition): void {
    const previous = this.f._s
    const next = step(previous, event, kit._initial)
    if (next === previous) return
    this._log?.log(`${previous.status} -> ${next.status} (${event.type})`, { attempt: next.attempt, nextRetryAt: next.nextRetryAt })
    this.f._set(next)
    if (process.env.NODE_ENV !== 'production') tapOf(this.f)?.state(this, previous, next, event.type)
  }

  _error(error: SocketError): void {
    // The first failure fetches the retrying chunk, if `opened` has not.
    if (!retrying) this._retrying()
    this._history.error(error)
    this._log?.log(`error (${error.kind}): ${error.message}`)
    if (process.env.NODE_ENV !== 'production') tapOf(this.f)?.error(this, error)
  }

  // ---- lifecycle, as the app drives it ----

  /** `force`: the facade already shows `connecting` for a connect() made before the engine loaded. */
  connect(force = false): void {
    const status = this.f._s.status
    if (!force && (status === 'connecting' || status === 'connected' || status === 'reconnecting' || status === 'offline')) return
    this._retries = this._auth.retries
    this._late = 0
    this._history._record('connect', 0)
    if (!(force && status === 'connecting')) this._go({ type: 'connect' })
    // Page signals, from the retrying chunk: now if it is there, else when it arrives (after `opened`, or a failure).
    if (this._offSignals === undefined) {
      this._offSignals = null
      if (retrying) this._arrived(retrying)
      else void fetching?.then((m) => this._arrived(m, true), noop)
    }
    if (this.t) this.t.open()
    else this._load()
  }

  /** Loads the wire library (a failed load is tried again by the next connect, reconnect or online signal). */
  private _load(): void {
    const gen = ++this._gen
    this.f._lib().then(
      ([lib, auth]) => {
        if (gen !== this._gen || this.f._dead || this.t) return
        try {
          // Bound once, when the auth chunk is first there: from then on its retries count (none before: no auth yet).
          if (auth && this._auth === NO_AUTH) this._retries = (this._auth = (auth as typeof import('./auth.js')).bindAuth(this.o.input.auth, this._log, this)).retries
          this.t = this._factory.create({ options: this.o, auth: this._auth, sink: this, lib, shared: this.f._r.shared, owner: this.f._r.name, error: kit._err })
        } catch (error) {
          return this._fail(error instanceof kit._Err ? error : new kit._Err('config', String(error), error))
        }
        for (const event of this._handlers._events()) this.t.listen(event)
        if (process.env.NODE_ENV !== 'production') tapOf(this.f)?.watch(this)
        this.t.open()
      },
      (error: unknown) => {
        if (gen === this._gen && !this.f._dead) this._fail(error instanceof kit._Err ? error : kit._err('config', 'no-io', '', error))
      },
    )
  }

  private _fail(error: SocketError): void {
    this._error(error)
    this._exhaust(error)
  }

  /** Gives up (status `failed`): the one path for every reason to stop trying. */
  private _exhaust(error: SocketError | null): void {
    this._history._record('failed', this.f._s.attempt)
    this._go({ type: 'exhausted', error })
  }

  disconnect(): void {
    this._gen++
    this._backoff?.stop()
    this._waiting = false
    clearTimeout(this._refetch)
    this.t?.close()
    this._out._rejectAcks(kit._err('network', 'disconnected'))
    this._offSignals?.()
    this._offSignals = undefined
    this._history._record('closed', 0)
    this._go({ type: 'closed', error: null })
  }

  reconnect(): void {
    this._retries = this._auth.retries
    this._late = 0
    const status = this.f._s.status
    if (status === 'reconnecting' || status === 'failed' || status === 'offline') this._retryNow()
    else if (status !== 'connected' && status !== 'connecting') this.connect()
  }

  dispose(): void {
    this.disconnect()
    this.t?.dispose()
    this.t = null
    this._out.clear(kit._err('network', 'disposed', 'emit()'))
    this._handlers._clear()
    this.f._die()
  }

  // ---- what the facade forwards ----

  on(event: string, f: (...args: unknown[]) => void): () => void {
    return this._handlers.on(event, f)
  }

  once(event: string, f: (...args: unknown[]) => void): () => void {
    return this._handlers.on(event, f, true)
  }

  off(event: string, f?: (...args: unknown[]) => void): void {
    this._handlers.off(event, f)
  }

  onResync(f: () => void): () => void {
    return this._handlers.onResync(f)
  }

  offResync(f: () => void): void {
    this._handlers.offResync(f)
  }

  send(m: string, event: string, args: unknown[], at: number): unknown {
    return this._out.send(m, event, args, at)
  }

  getDiagnostics(): SocketDiagnostics {
    return describe(this.f.key, this.f._s.status, this.t, this._handlers, this._out, this._history)
  }

  /** Set by an inspector's simulateOffline: only its simulateOnline ends it, not a page signal. */
  _simulatedOffline?: boolean

  _retryNow(): void {
    this._history._record('retry-now', 0)
    this._go({ type: 'retryNow' })
    this._waiting = false
    this._backoff?.reset()
    if (!this.t) return this._load()
    this.t.close()
    this.t.open()
  }

  _pause(): void {
    this._backoff?.stop()
    this._waiting = false
    this.t?.close()
    this._history._record('paused', this.f._s.attempt)
    this._go({ type: 'paused' })
  }

  /** A page signal, or an inspector's simulated one (retrying.ts). */
  _signal(signal: BrowserSignal): void {
    if (retrying) return retrying.signal(this, signal)
    this._retrying()
    void fetching!.then((m) => m.signal(this, signal), noop)
  }

  /** The engine's own backoff, for transports that do not reconnect by themselves (retrying.ts). */
  private _schedule(): void {
    if (!this.t || this.t.reconnects || !this.o.reconnection) return
    if (retrying) return retrying.schedule(this)
    this._waiting = true
  }

  /** Fetches the retrying chunk, off the first connect's path, and hands it to this engine when it is there. */
  private _retrying(): void {
    ;(fetching ??= import('./retrying.js')).then(
      (m) => this._arrived((retrying = m), true),
      () => {
        fetching = undefined
        clearTimeout(this._refetch)
        if (this._offSignals === null) this._refetch = setTimeout(() => this._retrying(), 1000)
      },
    )
  }

  /** The retrying chunk is there: page signals while a connection is wanted, and a retry that waited for it. */
  private _arrived(m: Retrying, late?: boolean): void {
    if (this._offSignals === null && typeof window !== 'undefined') {
      this._offSignals = m.watchSignals(this)
      // A signal that came while it was fetched: offline holds the attempts, online ends an offline pause.
      const online = kit._online()
      if (late && (!online || this.f._s.status === 'offline')) m.signal(this, online ? 'online' : 'offline')
    }
    if (this._waiting) {
      this._waiting = false
      if (this.f._s.status === 'reconnecting') m.schedule(this)
    }
  }

  // ---- what the transport reports (TransportSink) ----

  opened(info: { id: string | null; transport: string | null; recovered: boolean }): void {
    this._retries = this._auth.retries - this._late
    this._backoff?.reset()
    this._history._record('connected', this.f._s.attempt)
    this._go({ type: 'opened', id: info.id ?? '', transport: info.transport, recovered: info.recovered, at: Date.now() })
    // What happened while disconnected is lost unless the server recovered the session: tell the app, before the
    // buffered emits go, which may need what its handlers re-establish (a room joined again).
    if (this._everConnected && !info.recovered) this._handlers._runResync()
    this._everConnected = true
    this._waiting = false
    this._out.flush()
    // Connected: now the retrying chunk, before the first drop needs it.
    if (!retrying) this._retrying()
  }

  notice(error: SocketError): void {
    this._error(error)
  }

  upgraded(transport: string): void {
    this._go({ type: 'upgraded', transport })
  }

  upgradeFailed(cause: unknown): void {
    this._history._upgradeErrors++
    this._error(kit._err('upgrade-refused', 'upgrade-refused', '', cause))
  }

  closed(error: SocketError | null, by: 'lost' | 'server' | 'client'): void {
    if (by === 'client' || !error) return this._go({ type: 'closed', error: null })
    this._error(error)
    const o = this.o
    if (by === 'server' && !o.reconnectOnServerDisconnect) {
      this._history._record('closed', 0)
      return this._go({ type: 'closed', error })
    }
    this._history._record('lost', 0)
    if (by === 'server') {
      this._go({ type: 'lost', error })
      // socket.io reconnects at once; a transport without its own backoff goes through the engine's (no tight loop).
      return this.t?.reconnects ? this.t.open() : this._schedule()
    }
    if (o.reconnection === false) return this._go({ type: 'closed', error })
    this._go({ type: 'lost', error })
    if (!kit._online()) this._pause()
    else this._schedule()
  }

  failed(error: SocketError, why?: 'rejected' | 'fatal'): void {
    this._error(error)
    // A refusal after the handshake (a WebSocket server's 4401/4403 or refused frame) ends the live connection first
    // (`lost` changes nothing from any other status), so that the machine takes it as during a handshake. Its retries
    // go through the backoff and are counted apart: the welcome before it gave the budget back, and must not loop.
    const late = this.f._s.status === 'connected'
    this._go({ type: 'lost', error })
    if (why === 'fatal') return this._exhaust(error)
    if (why === 'rejected') {
      // While connected, _retries is auth.retries - _late (opened()): this refusal takes one, as at a handshake.
      if (late) this._late++
      if (this._retries > 0) {
        this._retries--
        this._log?.log('refused: retrying with fresh credentials')
        return late && this.o.reconnection ? this._schedule() : this.t?.open()
      }
      this._history._record('rejected', this.f._s.attempt)
      return this._go({ type: 'rejected', error })
    }
    this._go({ type: 'attemptFailed', error })
    if (this.o.reconnection === false) {
      this.t?.close()
      this._exhaust(error)
    } else if (!kit._online()) this._pause()
    else this._schedule()
  }

  retryScheduled(attempt: number, delayMs: number): void {
    this._history._record('retry-scheduled', attempt)
    this._go({ type: 'retryScheduled', attempt, at: Date.now() + delayMs })
  }

  attempting(attempt: number): void {
    this._history._record('attempt', attempt)
    this._go({ type: 'attempting', attempt })
  }

  exhausted(): void {
    this._exhaust(this.f._s.error)
  }

  message(event: string, args: unknown[]): void {
    if (process.env.NODE_ENV !== 'production' && !this.t?.watch) tapOf(this.f)?.in(this, event, args)
    this._handlers._dispatch(event, args)
  }
}

/**
 * The debug logger's chunk is fetched only when `debug` is set (no app pays for it otherwise); what is logged before it
 * arrives waits, in order. A chunk that cannot load drops the lines: logging never fails a connection.
 */
const noop = (): void => {}
const NO_AUTH: AuthBinding = { withCredentials: false, payload: undefined, retries: 0 }

function deferLogger(debug: NonNullable<Engine['o']['debug']>, prefix: string): Logger {
  let real: Logger | undefined
  let waiting: Array<(logger: Logger) => void> | undefined = []
  import('./logger.js').then(
    (m) => {
      real = m.createLogger(debug, prefix)
      for (const line of waiting!) line(real)
      waiting = undefined
    },
    () => (waiting = undefined),
  )
  return {
    enabled: true,
    log: (message, details) => (real ? real.log(message, details) : void waiting?.push((l) => l.log(message, details))),
    addSecret: (value) => (real ? real.addSecret(value) : void waiting?.push((l) => l.addSecret(value))),
  }
}
