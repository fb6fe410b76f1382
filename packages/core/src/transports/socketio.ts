// The socket.io transport: translates socket.io-client's Manager/Socket into the seam (transports/types.ts).
// socket.io reconnects by itself: its Manager is configured (only where we differ from its defaults) and observed.
import type { Manager, ManagerOptions, Socket } from 'socket.io-client'
import { classifyConnectError, classifyDisconnect } from '../engine/classify.js'
import { socketError } from '../errors.js'
import type { ResolvedOptions } from '../options.js'
import type { SocketIoModule } from '../types.js'
import { createManagerPool, type ManagerPool } from './managerPool.js'
import type { Transport, TransportAuth, TransportContext, TransportFactory } from './types.js'

// socket.io's listener signatures vary by event; this file only forwards what it receives.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void
interface Emitter {
  on(event: string, listener: Listener): unknown
  off(event: string, listener: Listener): unknown
}

const LIFECYCLE = ['connect', 'disconnect', 'connect_error']

/**
 * The Manager options that differ from socket.io-client's defaults, and nothing else: every explicit default
 * is one more property on engine.io's options object, which then falls into dictionary mode (slower, larger).
 * An option the app set in socketOptions is always overwritten by ours, as before.
 */
export function managerOptions(o: ResolvedOptions, auth: TransportAuth): Partial<ManagerOptions> {
  const out: Record<string, unknown> = { ...o.socketOptions, autoConnect: false }
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

class SocketIoTransport implements Transport {
  readonly reconnects = true
  readonly raw: Socket
  private readonly m: Manager
  private readonly pool: ManagerPool
  /** Cleanups of everything bound to the socket and manager: one path, run by dispose(). */
  private readonly subs: Array<() => void> = []
  /** Cleanups of listeners on the current Engine.IO socket (replaced on every reconnect). */
  private engineSubs: Array<() => void> = []
  /** One dispatcher per event name the engine listens to. */
  private dispatchers: Map<string, Listener> | undefined
  /** True while we disconnect the socket ourselves: its events are ours, not news. */
  private self = false

  constructor(private readonly c: TransportContext) {
    const { options: o, auth, sink } = c
    this.pool = (c.shared.pool ??= createManagerPool(c.owner)) as ManagerPool
    const m = (this.m = this.pool.acquire(c.lib as SocketIoModule, o.endpoint, o.url!, managerOptions(o, auth)))
    const s = (this.raw = m.socket(o.namespace, auth.payload === undefined ? o.socketOptions : { ...o.socketOptions, auth: auth.payload as never }))

    // The upgrade is tried as soon as Engine.IO opens, before the socket's own `connect`: behind a proxy that
    // drops the Upgrade headers it fails within milliseconds, so listen from the engine's open on.
    this.listen_(m, 'open', () => this.watchEngine())
    if (m.engine) this.watchEngine()
    this.listen_(s, 'connect', () => sink.opened({ id: s.id ?? null, transport: this.wire, recovered: s.recovered }))
    this.listen_(s, 'disconnect', (reason: string) => {
      if (this.self) return
      if (reason === 'io client disconnect') return sink.closed(null, 'client') // through the raw escape hatch
      sink.closed(classifyDisconnect(reason), reason === 'io server disconnect' ? 'server' : 'lost')
    })
    this.listen_(s, 'connect_error', (raw: unknown) => {
      if (this.self) return
      // socket.io deactivates the socket when the namespace middleware refuses the handshake.
      const middleware = !s.active
      const error = classifyConnectError(raw, middleware)
      sink.failed(error, middleware ? (error.kind === 'config' ? 'fatal' : 'rejected') : undefined)
    })
    this.listen_(m, 'reconnect_attempt', (attempt: number) => s.active && sink.attempting(attempt))
    this.listen_(m, 'reconnect_failed', () => s.active && sink.exhausted())
    this.subs.push(this.pool.onRetryScheduled(m, (attempt, delay) => s.active && sink.retryScheduled(attempt, delay)))
  }

  get connected(): boolean {
    return this.raw.connected
  }

  get wire(): string | null {
    return this.m.engine?.transport?.name ?? null
  }

  open(): void {
    this.raw.connect()
  }

  close(): void {
    this.self = true
    try {
      this.raw.disconnect()
    } finally {
      this.self = false
    }
  }

  send(event: string, args: readonly unknown[], volatile?: boolean): void {
    ;(volatile ? this.raw.volatile : this.raw).emit(event, ...args)
  }

  sendWithAck(event: string, args: readonly unknown[], timeoutMs: number, done: (error: ReturnType<typeof socketError> | null, value?: unknown) => void): void {
    this.raw.timeout(timeoutMs).emit(event, ...args, (err: Error | null, value: unknown) => {
      if (!err) return done(null, value)
      done(/disconnected/.test(err.message) ? socketError('network', 'ack-lost', event, err) : socketError('timeout', 'ack-timeout', event, err))
    })
  }

  listen(event: string): void {
    if (this.dispatchers?.has(event)) return
    const dispatcher: Listener = (...args) => this.c.sink.message(event, args)
    ;(this.dispatchers ??= new Map()).set(event, dispatcher)
    this.raw.on(event, dispatcher)
  }

  unlisten(event: string): void {
    const dispatcher = this.dispatchers?.get(event)
    if (!dispatcher) return
    this.dispatchers!.delete(event)
    this.raw.off(event, dispatcher)
  }

  listenerCounts(events: Iterable<string>): Record<string, number> {
    const out: Record<string, number> = {}
    for (const event of new Set([...LIFECYCLE, ...events])) out[event] = this.raw.listeners(event).length
    return out
  }

  dispose(): void {
    this.close()
    for (const off of this.subs.splice(0)) off()
    this.clearEngine()
    if (this.dispatchers) for (const event of [...this.dispatchers.keys()]) this.unlisten(event)
    this.pool.release(this.m)
  }

  private watchEngine(): void {
    this.clearEngine()
    const engine = this.m.engine as unknown as Emitter | undefined
    if (!engine) return
    const sink = this.c.sink
    this.listen_(engine, 'upgrade', (transport: { name: string }) => sink.upgraded(transport.name), this.engineSubs)
    this.listen_(engine, 'upgradeError', (error: unknown) => this.raw.active && sink.upgradeFailed(error), this.engineSubs)
  }

  private clearEngine(): void {
    for (const off of this.engineSubs.splice(0)) off()
  }

  /** Adds a listener and its removal to `subs`: socket.io's own `on()` + cleanup-array pattern. */
  private listen_(target: object, event: string, listener: Listener, subs = this.subs): void {
    const emitter = target as Emitter
    emitter.on(event, listener)
    subs.push(() => emitter.off(event, listener))
  }
}

/** socket.io as a transport: the default, used when `options.transport` is `'socket.io'` or unset. */
export const socketIoTransport: TransportFactory = {
  name: 'socket.io',
  create: (context) => new SocketIoTransport(context),
}
