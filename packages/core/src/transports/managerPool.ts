// One socket.io Manager per endpoint (url + path) for a registry's clients, multiplexing their namespaces, and
// what the transports need to hear from it. socket.io's emitters cost an array and an object key per event name
// per listener, so instead of listeners the pool observes each Manager (and each Engine.IO socket it opens) through
// one shared hook on its `emitReserved`, and fans the events out to the transports of that Manager.
import type { Manager, ManagerOptions } from 'socket.io-client'
import { claimEndpoint } from '../ownership.js'
import type { SocketIoModule } from '../types.js'

/**
 * What hears a target's reserved events: an object with one method, so that a hook costs the target one property
 * instead of a closure and its context (a client's heap is a measured figure).
 */
export interface ReservedObserver {
  _heard(target: object, event: string, args: unknown[]): void
}

/** The own property that holds a target's observer (reserved from mangling: it lives on socket.io's objects). */
const OBSERVER = '__ssrSocketObserver'
type Hookable = Record<string, unknown> & { [OBSERVER]?: ReservedObserver }
type Method = (this: unknown, ...args: unknown[]) => unknown

type Observed = 'emitReserved' | 'duration'

/**
 * The reserved events an observer acts on (the socket's lifecycle, the Manager's retries, the Engine.IO socket's
 * open and upgrade). The others (packet, data, heartbeat, flush... several per message) pass without a call.
 */
const HEARD = new Set(['connect', 'disconnect', 'connect_error', 'open', 'reconnect_attempt', 'reconnect_failed', 'upgrade', 'upgradeError'])

/**
 * The hook for `method`: tells the target's observer (before an emit, after a delay is computed), and runs
 * `original`, or when none is given the method the target inherits. Without `original` it is shared by every target.
 */
function hook(method: Observed, original?: Method): Method {
  return function (this: unknown, ...args: unknown[]) {
    const target = this as Hookable
    const run = original ?? (Object.getPrototypeOf(target) as Record<string, Method>)[method]!
    if (method === 'duration') {
      const value = run.apply(target, args)
      target[OBSERVER]?._heard(target, method, [target.attempts, value])
      return value
    }
    if (HEARD.has(args[0] as string)) target[OBSERVER]?._heard(target, args[0] as string, args.slice(1))
    return run.apply(target, args)
  }
}
const HOOKS: Record<Observed, Method> = { emitReserved: hook('emitReserved'), duration: hook('duration') }

/**
 * Tells `observer` of every reserved event `target` emits (socket.io's and Engine.IO's lifecycle, through
 * `emitReserved`), before its listeners; or, for `duration` (socket.io's Backoff), of each retry delay it computes,
 * as ('duration', [attempt, delay]). Both are prototype methods there: the hook is an own property, and
 * `unobserve` takes the observer away. A method that is already the target's own (other instrumentation) is wrapped.
 */
export function observe(target: object, observer: ReservedObserver, method: Observed = 'emitReserved'): void {
  const t = target as Hookable
  const own = t[method] as Method | undefined
  if (typeof own !== 'function') return
  t[OBSERVER] = observer
  t[method] = !Object.hasOwn(t, method) || own === HOOKS[method] ? HOOKS[method] : hook(method, own)
}

/** Ends `observe` (the hook stays and passes through: deleting properties would slow socket.io's objects down). */
export function unobserve(target: object): void {
  if ((target as Hookable)[OBSERVER]) (target as Hookable)[OBSERVER] = undefined
}

/**
 * What a transport hears of its Manager: socket.io's own `reconnect_attempt`, `reconnect_failed`, Engine.IO's
 * `upgrade` / `upgradeError`, and `retry` (attempt, delay) when socket.io schedules a retry.
 */
export interface ManagerListener {
  _managerEvent(event: string, args: unknown[]): void
}

/** One Manager of the pool, and the observer of it, of its Backoff and of each Engine.IO socket it opens. */
class PoolEntry implements ReservedObserver {
  _refs = 1
  /** The transports of this Manager; an array (usually of one): a Set costs more. */
  _listeners: ManagerListener[] = []
  _releaseOwnership?: () => void

  constructor(
    readonly _manager: Manager,
    readonly _endpoint: string,
  ) {}

  _heard(target: object, event: string, args: unknown[]): void {
    const manager = this._manager
    if (target === manager) {
      // Each Engine.IO socket is hooked when the Manager opens it: an upgrade fails within milliseconds behind a
      // proxy that drops the Upgrade headers, before the namespace's own `connect`. The hook goes with its engine.
      if (event === 'open' && manager.engine) observe(manager.engine, this)
      else if (event === 'reconnect_attempt' || event === 'reconnect_failed') this._tell(event, args)
    } else if (event === 'duration') this._tell('retry', args)
    // The Engine.IO socket: its upgrade and upgrade failure (the hook passes nothing else of interest).
    else if (event === 'upgrade' || event === 'upgradeError') this._tell(event, args)
  }

  private _tell(event: string, args: unknown[]): void {
    for (const listener of this._listeners.slice()) listener._managerEvent(event, args)
  }
}

export interface ManagerPool {
  /**
   * One Manager per endpoint (url + path), multiplexing namespaces. Never socket.io's `io()` cache. `options` must
   * be a fresh object (socket.io keeps and writes into it): managerOptions() makes one per call.
   */
  _acquire(io: SocketIoModule, endpoint: string, url: string, options: Partial<ManagerOptions>): Manager
  _release(manager: Manager): void
  /** Hears the Manager's events (see ManagerListener) until `_unlisten`. */
  _listen(manager: Manager, listener: ManagerListener): void
  _unlisten(manager: Manager, listener: ManagerListener): void
  size(): number
}

/** A class, not a closure bag: a standalone client owns a pool of its own, and a client's heap is a measured figure. */
class Pool implements ManagerPool {
  /** Usually one entry (one endpoint per app): an array costs less than a Map. */
  private _entries: PoolEntry[] = []
  private _token: object | undefined

  constructor(private readonly _owner: string) {}

  _acquire(io: SocketIoModule, endpoint: string, url: string, options: Partial<ManagerOptions>): Manager {
    const existing = this._entries.find((e) => e._endpoint === endpoint)
    if (existing) {
      existing._refs++
      return existing._manager
    }
    options.autoConnect = false
    const manager = new io.Manager(url, options)
    const entry = new PoolEntry(manager, endpoint)
    // socket.io's Manager schedules retries with `this.backoff.duration()` and tells nobody the delay
    // (socket.io-client lib/manager.ts `reconnect()`); `nextRetryAt` needs it, so that call is observed. If a
    // future socket.io changes this internal, `nextRetryAt` just stays null.
    const backoff = (manager as unknown as { backoff?: object }).backoff
    if (backoff) observe(backoff, entry, 'duration')
    observe(manager, entry)
    if (process.env.NODE_ENV !== 'production') entry._releaseOwnership = claimEndpoint(endpoint, this._token || (this._token = {}), this._owner)
    this._entries = this._entries.concat([entry]) // exact size: push() would reserve 17 slots
    return manager
  }

  _release(manager: Manager): void {
    const entry = this._find(manager)
    if (!entry || --entry._refs > 0) return
    this._entries = this._entries.filter((e) => e !== entry)
    entry._listeners = []
    if (process.env.NODE_ENV !== 'production') entry._releaseOwnership?.()
  }

  _listen(manager: Manager, listener: ManagerListener): void {
    const entry = this._find(manager)
    if (entry) entry._listeners = entry._listeners.concat([listener])
  }

  _unlisten(manager: Manager, listener: ManagerListener): void {
    const entry = this._find(manager)
    if (entry) entry._listeners = entry._listeners.filter((l) => l !== listener)
  }

  size(): number {
    return this._entries.length
  }

  private _find(manager: Manager): PoolEntry | undefined {
    return this._entries.find((e) => e._manager === manager)
  }
}

export function createManagerPool(ownerName: string): ManagerPool {
  return new Pool(ownerName)
}
