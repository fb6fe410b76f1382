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
  readonly log: Logger | undefined
  readonly auth: AuthBinding
  q: OfflineQueue | undefined
  readonly errors: ClassifiedErrorRecord[] = []
  readonly attempts: AttemptRecord[] = []
  pendingAcks = 0
  upgradeErrors = 0
  /** Auth retries left for the current handshake. */
  private retries = 0
  /** Bumped by disconnect()/dispose(): a wire-library load that resolves later is ignored. */
  private gen = 0
  private everConnected = false
  private offSignals: (() => void) | undefined
  /** The engine's own retry timer (transports without their own backoff) and its attempt count. */
  private timer: ReturnType<typeof setTimeout> | undefined
  private tries = 0
  /** Handlers already reported as throwing (development: one report each). */
  private reported: WeakSet<object> | undefined
  /** The handler table: arrays replaced on change, so a dispatch iterates one without copying. */
  readonly h = new Map<string, HandlerEntry[]>()
  private resync: Set<() => void> | undefined

  constructor(
    readonly f: Client,
    readonly factory: TransportFactory,
  ) {
    const o = (this.o = completeOptions(f._o))
    this.log = o.debug ? createLogger(o.debug, o.key) : undefined
    this.auth = bindAuth(o.auth, this.log, (error) => {
      const err = socketError('unauthorized', 'get-token', error instanceof Error ? error.message : String(error), error)
      this.error(err)
      this.t?.close()
      this.go({ type: 'rejected', error: err })
    })
  }

  /** Takes over what the facade recorded before the engine loaded, in order, exactly once. */
  adopt(recorded: Recorded[]): void {
    for (const [m, a, at, settle] of recorded) {
      if (m === 'connect' || m === 'reconnect') this.connect(true)
      else if (m === 'emit' || m === 'emitWithAck') {
        const sent = this.send(m, a[0] as string, a.slice(1), at)
        if (settle) (sent as Promise<unknown>).then(settle[0], settle[1])
      } else (this[m as 'on'] as (...args: unknown[]) => unknown)(...a)
    }
  }

  go(event: SocketTransition): void {
    const previous = this.f._s
    const next = transition(previous, event)
    if (next === previous) return
    this.log?.log(`${previous.status} -> ${next.status} (${event.type})`, { attempt: next.attempt, nextRetryAt: next.nextRetryAt })
    this.f._set(next)
  }

  error(error: SocketError): void {
    this.errors.push({ kind: error.kind, message: error.message, at: Date.now() })
    if (this.errors.length > MAX_ERRORS) this.errors.shift()
    this.log?.log(`error (${error.kind}): ${error.message}`)
  }

  record(event: AttemptRecord['event'], attempt: number): void {
    this.attempts.push({ at: Date.now(), event, attempt })
    if (this.attempts.length > MAX_ATTEMPTS) this.attempts.shift()
  }

  get status() {
    return this.f._s.status
  }

  // ---- lifecycle, as the app drives it ----

  /** `force`: the facade already shows `connecting` for a connect() made before the engine loaded. */
  connect(force = false): void {
    const status = this.status
    if (!force && (status === 'connecting' || status === 'connected' || status === 'reconnecting')) return
    this.retries = this.auth.retries
    this.record('connect', 0)
    if (!(force && status === 'connecting')) this.go({ type: 'connect' })
    const shared = this.f._r.shared
    this.offSignals ??= ((shared.signals ??= createBrowserEvents()) as BrowserEvents).subscribe((s) => this.signal(s))
    if (this.t) this.t.open()
    else this.load()
  }

  /** Loads the wire library (a failed load is tried again by the next connect, reconnect or online signal). */
  private load(): void {
    const gen = ++this.gen
    this.f._lib().then(
      (lib) => {
        if (gen !== this.gen || this.f._dead || this.t) return
        try {
          this.t = this.factory.create({ options: this.o, auth: this.auth, sink: this, lib, shared: this.f._r.shared, owner: this.f._r.name })
        } catch (error) {
          return this.fail(error instanceof SocketError ? error : new SocketError('config', String(error), error))
        }
        for (const event of this.h.keys()) this.t.listen(event)
        this.t.open()
      },
      (error: unknown) => {
        this.f._lp = undefined
        if (gen === this.gen && !this.f._dead) this.fail(socketError('config', 'no-io', '', error))
      },
    )
  }

  private fail(error: SocketError): void {
    this.error(error)
    this.record('failed', this.f._s.attempt)
    this.go({ type: 'exhausted', error })
  }

  disconnect(): void {
    this.gen++
    this.stopTimer()
    this.t?.close()
    this.q?.rejectAcks(socketError('network', 'disconnected'))
    this.offSignals?.()
    this.offSignals = undefined
    this.record('closed', 0)
    this.go({ type: 'closed', error: null })
  }

  reconnect(): void {
    this.retries = this.auth.retries
    const status = this.status
    if (status === 'reconnecting' || status === 'failed') this.retryNow()
    else if (status !== 'connected' && status !== 'connecting') this.connect()
  }

  dispose(): void {
    this.disconnect()
    this.t?.dispose()
    this.t = null
    this.q?.clear(socketError('network', 'disposed', 'emit()'))
    this.h.clear()
    this.resync = undefined
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
    const list = this.h.get(event)
    if (!list) {
      this.h.set(event, [{ f, once }])
      this.t?.listen(event)
    } else if (!list.some((entry) => entry.f === f)) {
      this.h.set(event, [...list, { f, once }])
    }
    return () => this.off(event, f)
  }

  once(event: string, f: Handler): () => void {
    return this.on(event, f, true)
  }

  off(event: string, f?: Handler): void {
    const list = this.h.get(event)
    if (!list) return
    const rest = f ? list.filter((entry) => entry.f !== f) : []
    if (rest.length) this.h.set(event, rest)
    else {
      this.h.delete(event)
      this.t?.unlisten(event)
    }
  }

  onResync(f: () => void): () => void {
    ;(this.resync ??= new Set()).add(f)
    return () => this.offResync(f)
  }

  offResync(f: () => void): void {
    this.resync?.delete(f)
  }

  private retryNow(): void {
    this.record('retry-now', 0)
    this.go({ type: 'retryNow' })
    this.stopTimer()
    this.tries = 0
    if (!this.t) return this.load()
    this.t.close()
    this.t.open()
  }

  private pause(): void {
    this.stopTimer()
    this.t?.close()
    this.record('paused', this.f._s.attempt)
    this.go({ type: 'paused' })
  }

  private signal(signal: BrowserSignal): void {
    const status = this.status
    if (signal === 'offline') {
      if (status === 'connecting' || status === 'reconnecting') this.pause()
    } else if (status === 'reconnecting' || status === 'failed') {
      this.log?.log(`${signal}: retrying now`)
      this.retryNow()
    }
  }

  /** The engine's own backoff, for transports that do not reconnect by themselves. */
  private schedule(): void {
    const r = this.o.reconnection
    if (!r || !this.t || this.t.reconnects) return
    if (this.tries >= r.attempts) return this.exhausted()
    const attempt = ++this.tries
    const delay = backoffDelay(r, attempt)
    this.retryScheduled(attempt, delay)
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.attempting(attempt)
      this.t?.open()
    }, delay)
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }

  // ---- what the transport reports (TransportSink) ----

  opened(info: { id: string | null; transport: string | null; recovered: boolean }): void {
    this.retries = this.auth.retries
    this.tries = 0
    this.stopTimer()
    this.record('connected', this.f._s.attempt)
    this.go({ type: 'opened', id: info.id ?? '', transport: info.transport, recovered: info.recovered, at: Date.now() })
    this.flush()
    // What happened while disconnected is lost unless the server recovered the session: tell the app.
    if (this.everConnected && !info.recovered && this.resync) for (const listener of [...this.resync]) listener()
    this.everConnected = true
  }

  upgraded(transport: string): void {
    this.go({ type: 'upgraded', transport })
  }

  upgradeFailed(cause: unknown): void {
    this.upgradeErrors++
    this.error(socketError('upgrade-refused', 'upgrade-refused', '', cause))
  }

  closed(error: SocketError | null, by: 'lost' | 'server' | 'client'): void {
    if (by === 'client' || !error) return this.go({ type: 'closed', error: null })
    this.error(error)
    const o = this.o
    if (by === 'server' && !o.reconnectOnServerDisconnect) {
      this.record('closed', 0)
      return this.go({ type: 'closed', error })
    }
    this.record('lost', 0)
    if (by === 'server') {
      this.go({ type: 'lost', error })
      return this.t?.open()
    }
    if (o.reconnection === false) return this.go({ type: 'closed', error })
    this.go({ type: 'lost', error })
    if (!isOnline()) this.pause()
    else this.schedule()
  }

  failed(error: SocketError, why?: 'rejected' | 'fatal'): void {
    this.error(error)
    if (why === 'fatal') {
      this.record('failed', this.f._s.attempt)
      return this.go({ type: 'exhausted', error })
    }
    if (why === 'rejected') {
      if (this.retries > 0) {
        this.retries--
        this.log?.log(`handshake refused, retrying with fresh credentials (${this.retries} retries left)`)
        return this.t?.open()
      }
      this.record('rejected', this.f._s.attempt)
      return this.go({ type: 'rejected', error })
    }
    this.go({ type: 'attemptFailed', error })
    if (this.o.reconnection === false) {
      this.record('failed', this.f._s.attempt)
      this.t?.close()
      this.go({ type: 'exhausted', error })
    } else if (!isOnline()) this.pause()
    else this.schedule()
  }

  retryScheduled(attempt: number, delayMs: number): void {
    this.record('retry-scheduled', attempt)
    this.go({ type: 'retryScheduled', attempt, at: Date.now() + delayMs })
  }

  attempting(attempt: number): void {
    this.record('attempt', attempt)
    this.go({ type: 'attempting', attempt })
  }

  exhausted(): void {
    this.record('failed', this.f._s.attempt)
    this.go({ type: 'exhausted', error: this.f._s.error })
  }

  /** Each handler of `event` once, in order; one that throws is reported and does not stop the others. */
  message(event: string, args: unknown[]): void {
    const list = this.h.get(event)
    if (!list) return
    for (const entry of list) {
      if (entry.once) this.off(event, entry.f)
      try {
        entry.f(...args)
      } catch (error) {
        this.report(event, entry.f, error)
      }
    }
  }

  private report(event: string, handler: object, error: unknown): void {
    if (process.env.NODE_ENV !== 'production') {
      if ((this.reported ??= new WeakSet()).has(handler)) return
      this.reported.add(handler)
      console.error(`[ssr-socket] A handler of "${event}" threw (reported once per handler; the other handlers still ran):`, error)
    } else {
      const g = globalThis as { reportError?: (error: unknown) => void }
      ;(g.reportError ?? console.error)(error)
    }
  }

  // ---- emits ----

  private queue(): OfflineQueue {
    return (this.q ??= createOfflineQueue(this.o.buffer))
  }

  /** emit, volatile.emit and emitWithAck (`m`), made at monotonic time `at`; arguments already checked by the facade. */
  send(m: string, event: string, args: unknown[], at: number): unknown {
    if (m === 'emitWithAck') return this.ack(event, args, at)
    const t = this.t
    if (!t?.connected) {
      if (m === 'emit') this.queue().push(event, args, at)
      return
    }
    try {
      t.send(event, args, m === 'volatile')
    } catch (error) {
      throw encodeError(event, error)
    }
  }

  private ack(event: string, args: unknown[], at: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pendingAcks++
      let settled = false
      const settle = (error: SocketError | null, value?: unknown): void => {
        if (settled) return
        settled = true
        this.pendingAcks--
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
      else this.queue().push(event, args, at, pending)
    })
  }

  /** Sends what waited, oldest first; one item that fails (or whose ack is refused) cannot stop the rest. */
  private flush(): void {
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
        this.error(encodeError(item.event, error))
      }
    }
  }

  getDiagnostics(): SocketDiagnostics {
    return describeEngine(this)
  }
}
