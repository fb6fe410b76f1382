// The engine: everything that matters once a connection is wanted, behind the facade (client.ts) and in front of
// a transport (transports/types.ts). Transport-agnostic: the state machine, the reconnection policy for
// transports without their own, the auth lifecycle, the offline queue and ack deadlines, browser signals,
// classification records and diagnostics. Loaded lazily, with the transport adapters, by engine/index.ts.
import type { Client, Recorded } from '../client.js'

type Handler = (...args: unknown[]) => void
/** A handler table entry; a `once` entry is removed before its first call. */
export interface HandlerEntry {
  readonly f: Handler
  readonly once: boolean
}
import { completeOptions, type ResolvedOptions } from './resolve.js'
import { isOnline, monotonicNow } from '../environment.js'
import { SocketError, socketError } from '../errors.js'
import { transition, type SocketTransition } from '../state.js'
import type { Transport, TransportFactory, TransportSink } from '../transports/types.js'
import type { AttemptRecord, ClassifiedErrorRecord, SocketDiagnostics } from '../types.js'
import { bindAuth, type AuthBinding } from './auth.js'
import { createBrowserEvents, type BrowserEvents, type BrowserSignal } from './browserSignals.js'
import { describeEngine } from './diagnostics.js'
import { createLogger, type Logger } from './logger.js'
import { createOfflineQueue, type OfflineQueue, type PendingAck } from './queue.js'
import { backoffDelay } from './reconnect.js'

const MAX_ERRORS = 10
const MAX_ATTEMPTS = 50

/** Turns what a transport threw while encoding into the `config` error the caller gets. */
const encodeError = (event: string, error: unknown): SocketError =>
  error instanceof SocketError ? error : socketError('config', 'unserialisable', `emit("${event}")`, error)

export class Engine implements TransportSink {
  t: Transport | null = null
  readonly o: ResolvedOptions
  readonly _log: Logger | undefined
  readonly _auth: AuthBinding
  q: OfflineQueue | undefined
  /** Diagnostics history, bounded; created on first use. */
  _errors: ClassifiedErrorRecord[] | undefined
  _attempts: AttemptRecord[] | undefined
  _pendingAcks = 0
  _upgradeErrors = 0
  /** Auth retries left for the current handshake. */
  private _retries = 0
  /** Bumped by disconnect()/dispose(): a wire-library load that resolves later is ignored. */
  private _gen = 0
  private _everConnected = false
  private _offSignals: (() => void) | undefined
  /** The engine's own retry timer (transports without their own backoff) and its attempt count. */
  private _timer: ReturnType<typeof setTimeout> | undefined
  private _tries = 0
  /** Handlers already reported as throwing (development: one report each). */
  private _reported: WeakSet<object> | undefined
  /** The handler table: arrays replaced on change, so a dispatch iterates one without copying. */
  h: Map<string, HandlerEntry[]> | undefined
  private _resync: Set<() => void> | undefined

  constructor(
    readonly f: Client,
    readonly _factory: TransportFactory,
  ) {
    const o = (this.o = completeOptions(f._o))
    this._log = o.debug ? createLogger(o.debug, o.key) : undefined
    this._auth = bindAuth(o.auth, this._log, (error) => {
      const err = socketError('unauthorized', 'get-token', error instanceof Error ? error.message : String(error), error)
      this._error(err)
      this.t?.close()
      this._go({ type: 'rejected', error: err })
    })
  }

  /** Takes over what the facade recorded before the engine loaded, in order, exactly once. */
  _adopt(recorded: Recorded[]): void {
    for (const [m, a, at, settle] of recorded) {
      if (m === 'connect' || m === 'reconnect') this.connect(true)
      else if (m === 'emit' || m === 'emitWithAck') {
        const sent = this.send(m, a[0] as string, a.slice(1), at)
        if (settle) (sent as Promise<unknown>).then(settle[0], settle[1])
      } else (this[m as 'on'] as (...args: unknown[]) => unknown)(...a)
    }
  }

  _go(event: SocketTransition): void {
    const previous = this.f._s
    const next = transition(previous, event)
    if (next === previous) return
    this._log?.log(`${previous.status} -> ${next.status} (${event.type})`, { attempt: next.attempt, nextRetryAt: next.nextRetryAt })
    this.f._set(next)
  }

  _error(error: SocketError): void {
    const errors = (this._errors ??= [])
    errors.push({ kind: error.kind, message: error.message, at: Date.now() })
    if (errors.length > MAX_ERRORS) errors.shift()
    this._log?.log(`error (${error.kind}): ${error.message}`)
  }

  _record(event: AttemptRecord['event'], attempt: number): void {
    const attempts = (this._attempts ??= [])
    attempts.push({ at: Date.now(), event, attempt })
    if (attempts.length > MAX_ATTEMPTS) attempts.shift()
  }

  get _status() {
    return this.f._s.status
  }

  // ---- lifecycle, as the app drives it ----

  /** `force`: the facade already shows `connecting` for a connect() made before the engine loaded. */
  connect(force = false): void {
    const status = this._status
    if (!force && (status === 'connecting' || status === 'connected' || status === 'reconnecting')) return
    this._retries = this._auth.retries
    this._record('connect', 0)
    if (!(force && status === 'connecting')) this._go({ type: 'connect' })
    const shared = this.f._r.shared
    this._offSignals ??= ((shared.signals ??= createBrowserEvents()) as BrowserEvents).subscribe((s) => this._signal(s))
    if (this.t) this.t.open()
    else this._load()
  }

  /** Loads the wire library (a failed load is tried again by the next connect, reconnect or online signal). */
  private _load(): void {
    const gen = ++this._gen
    this.f._lib().then(
      (lib) => {
        if (gen !== this._gen || this.f._dead || this.t) return
        try {
          this.t = this._factory.create({ options: this.o, auth: this._auth, sink: this, lib, shared: this.f._r.shared, owner: this.f._r.name })
        } catch (error) {
          return this._fail(error instanceof SocketError ? error : new SocketError('config', String(error), error))
        }
        if (this.h) for (const event of this.h.keys()) this.t.listen(event)
        this.t.open()
      },
      (error: unknown) => {
        this.f._lp = undefined
        if (gen === this._gen && !this.f._dead) this._fail(socketError('config', 'no-io', '', error))
      },
    )
  }

  private _fail(error: SocketError): void {
    this._error(error)
    this._record('failed', this.f._s.attempt)
    this._go({ type: 'exhausted', error })
  }

  disconnect(): void {
    this._gen++
    this._stopTimer()
    this.t?.close()
    this.q?.rejectAcks(socketError('network', 'disconnected'))
    this._offSignals?.()
    this._offSignals = undefined
    this._record('closed', 0)
    this._go({ type: 'closed', error: null })
  }

  reconnect(): void {
    this._retries = this._auth.retries
    const status = this._status
    if (status === 'reconnecting' || status === 'failed') this._retryNow()
    else if (status !== 'connected' && status !== 'connecting') this.connect()
  }

  dispose(): void {
    this.disconnect()
    this.t?.dispose()
    this.t = null
    this.q?.clear(socketError('network', 'disposed', 'emit()'))
    this.h = undefined
    this._resync = undefined
    this.f._die()
  }

  preload(): Promise<void> {
    return this.f._lib().then(
      () => {},
      () => {},
    )
  }

  // ---- handlers ----

  on(event: string, f: Handler, once = false): () => void {
    const table = (this.h ??= new Map<string, HandlerEntry[]>())
    const list = table.get(event)
    if (!list) {
      table.set(event, [{ f, once }])
      this.t?.listen(event)
    } else if (!list.some((entry) => entry.f === f)) {
      table.set(event, [...list, { f, once }])
    }
    return () => this.off(event, f)
  }

  once(event: string, f: Handler): () => void {
    return this.on(event, f, true)
  }

  off(event: string, f?: Handler): void {
    const table = this.h
    const list = table?.get(event)
    if (!table || !list) return
    const rest = f ? list.filter((entry) => entry.f !== f) : []
    if (rest.length) table.set(event, rest)
    else {
      table.delete(event)
      this.t?.unlisten(event)
    }
  }

  onResync(f: () => void): () => void {
    ;(this._resync ??= new Set()).add(f)
    return () => this.offResync(f)
  }

  offResync(f: () => void): void {
    this._resync?.delete(f)
  }

  private _retryNow(): void {
    this._record('retry-now', 0)
    this._go({ type: 'retryNow' })
    this._stopTimer()
    this._tries = 0
    if (!this.t) return this._load()
    this.t.close()
    this.t.open()
  }

  private _pause(): void {
    this._stopTimer()
    this.t?.close()
    this._record('paused', this.f._s.attempt)
    this._go({ type: 'paused' })
  }

  private _signal(signal: BrowserSignal): void {
    const status = this._status
    if (signal === 'offline') {
      if (status === 'connecting' || status === 'reconnecting') this._pause()
    } else if (status === 'reconnecting' || status === 'failed') {
      this._log?.log(`${signal}: retrying now`)
      this._retryNow()
    }
  }

  /** The engine's own backoff, for transports that do not reconnect by themselves. */
  private _schedule(): void {
    const r = this.o.reconnection
    if (!r || !this.t || this.t.reconnects) return
    if (this._tries >= r.attempts) return this.exhausted()
    const attempt = ++this._tries
    const delay = backoffDelay(r, attempt)
    this.retryScheduled(attempt, delay)
    this._timer = setTimeout(() => {
      this._timer = undefined
      this.attempting(attempt)
      this.t?.open()
    }, delay)
  }

  private _stopTimer(): void {
    if (this._timer !== undefined) clearTimeout(this._timer)
    this._timer = undefined
  }

  // ---- what the transport reports (TransportSink) ----

  opened(info: { id: string | null; transport: string | null; recovered: boolean }): void {
    this._retries = this._auth.retries
    this._tries = 0
    this._stopTimer()
    this._record('connected', this.f._s.attempt)
    this._go({ type: 'opened', id: info.id ?? '', transport: info.transport, recovered: info.recovered, at: Date.now() })
    this._flush()
    // What happened while disconnected is lost unless the server recovered the session: tell the app.
    if (this._everConnected && !info.recovered && this._resync) for (const listener of [...this._resync]) listener()
    this._everConnected = true
  }

  upgraded(transport: string): void {
    this._go({ type: 'upgraded', transport })
  }

  upgradeFailed(cause: unknown): void {
    this._upgradeErrors++
    this._error(socketError('upgrade-refused', 'upgrade-refused', '', cause))
  }

  closed(error: SocketError | null, by: 'lost' | 'server' | 'client'): void {
    if (by === 'client' || !error) return this._go({ type: 'closed', error: null })
    this._error(error)
    const o = this.o
    if (by === 'server' && !o.reconnectOnServerDisconnect) {
      this._record('closed', 0)
      return this._go({ type: 'closed', error })
    }
    this._record('lost', 0)
    if (by === 'server') {
      this._go({ type: 'lost', error })
      return this.t?.open()
    }
    if (o.reconnection === false) return this._go({ type: 'closed', error })
    this._go({ type: 'lost', error })
    if (!isOnline()) this._pause()
    else this._schedule()
  }

  failed(error: SocketError, why?: 'rejected' | 'fatal'): void {
    this._error(error)
    if (why === 'fatal') {
      this._record('failed', this.f._s.attempt)
      return this._go({ type: 'exhausted', error })
    }
    if (why === 'rejected') {
      if (this._retries > 0) {
        this._retries--
        this._log?.log(`handshake refused, retrying with fresh credentials (${this._retries} retries left)`)
        return this.t?.open()
      }
      this._record('rejected', this.f._s.attempt)
      return this._go({ type: 'rejected', error })
    }
    this._go({ type: 'attemptFailed', error })
    if (this.o.reconnection === false) {
      this._record('failed', this.f._s.attempt)
      this.t?.close()
      this._go({ type: 'exhausted', error })
    } else if (!isOnline()) this._pause()
    else this._schedule()
  }

  retryScheduled(attempt: number, delayMs: number): void {
    this._record('retry-scheduled', attempt)
    this._go({ type: 'retryScheduled', attempt, at: Date.now() + delayMs })
  }

  attempting(attempt: number): void {
    this._record('attempt', attempt)
    this._go({ type: 'attempting', attempt })
  }

  exhausted(): void {
    this._record('failed', this.f._s.attempt)
    this._go({ type: 'exhausted', error: this.f._s.error })
  }

  /** Each handler of `event` once, in order; one that throws is reported and does not stop the others. */
  message(event: string, args: unknown[]): void {
    const list = this.h?.get(event)
    if (!list) return
    for (const entry of list) {
      if (entry.once) this.off(event, entry.f)
      try {
        entry.f(...args)
      } catch (error) {
        this._report(event, entry.f, error)
      }
    }
  }

  private _report(event: string, handler: object, error: unknown): void {
    if (process.env.NODE_ENV !== 'production') {
      if ((this._reported ??= new WeakSet()).has(handler)) return
      this._reported.add(handler)
      console.error(`[ssr-socket] A handler of "${event}" threw (reported once per handler; the other handlers still ran):`, error)
    } else {
      const g = globalThis as { reportError?: (error: unknown) => void }
      ;(g.reportError ?? console.error)(error)
    }
  }

  // ---- emits ----

  private _queue(): OfflineQueue {
    return (this.q ??= createOfflineQueue(this.o.buffer))
  }

  /** emit, volatile.emit and emitWithAck (`m`), made at monotonic time `at`; arguments already checked by the facade. */
  send(m: string, event: string, args: unknown[], at: number): unknown {
    if (m === 'emitWithAck') return this._ack(event, args, at)
    const t = this.t
    if (!t?.connected) {
      if (m === 'emit') this._queue().push(event, args, at)
      return
    }
    try {
      t.send(event, args, m === 'volatile')
    } catch (error) {
      throw encodeError(event, error)
    }
  }

  private _ack(event: string, args: unknown[], at: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this._pendingAcks++
      let settled = false
      const settle = (error: SocketError | null, value?: unknown): void => {
        if (settled) return
        settled = true
        this._pendingAcks--
        if (error) reject(error)
        else resolve(value)
      }
      const pending: PendingAck = {
        deadline: at + this.o.ackTimeoutMs,
        send: (remainingMs) => {
          try {
            this.t!.sendWithAck(event, args, remainingMs, settle)
          } catch (error) {
            settle(encodeError(event, error))
          }
        },
        reject: (error) => settle(error),
      }
      if (this.t?.connected) pending.send(Math.max(1, pending.deadline - monotonicNow()))
      else this._queue().push(event, args, at, pending)
    })
  }

  /** Sends what waited, oldest first; one item that fails (or whose ack is refused) cannot stop the rest. */
  private _flush(): void {
    const t = this.t
    if (!t || !this.q) return
    for (const item of this.q.drain()) {
      if (item.ack) {
        item.ack.send(Math.max(1, item.ack.deadline - monotonicNow()))
        continue
      }
      try {
        t.send(item.event, item.args)
      } catch (error) {
        this._error(encodeError(item.event, error))
      }
    }
  }

  getDiagnostics(): SocketDiagnostics {
    return describeEngine(this)
  }
}
