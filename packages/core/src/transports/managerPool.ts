// One socket.io Manager per endpoint (url + path) for a registry's clients, multiplexing their namespaces, and
// what the transports need to hear from it. socket.io's emitters cost an array and an object key per event name
// per listener, so instead of listeners the pool observes each Manager (and each Engine.IO socket it opens) through
// one hook on its `emitReserved`, and fans the events out to the transports of that Manager.
import type { Manager, ManagerOptions } from 'socket.io-client'
import { claimEndpoint } from '../ownership.js'
import type { SocketIoModule } from '../types.js'

/**
 * What a transport hears of its Manager: socket.io's own `reconnect_attempt`, `reconnect_failed`, Engine.IO's
 * `upgrade` / `upgradeError`, and `retry` (attempt, delay) when socket.io schedules a retry.
 */
export type ManagerListener = (event: string, args: unknown[]) => void

type Reserved = (event: string, ...args: unknown[]) => unknown

/**
 * Calls `observe` with every reserved event `target` emits (socket.io's lifecycle events), before its listeners.
 * socket.io-client and engine.io-client emit their lifecycle through `emitReserved`, a prototype method: the hook
 * is an own property, and `unobserveReserved` deletes it.
 */
export function observeReserved(target: object, observe: ManagerListener): void {
  const emitter = target as { emitReserved?: Reserved }
  const original = emitter.emitReserved
  if (typeof original !== 'function') return
  emitter.emitReserved = function (this: unknown, event, ...args) {
    observe(event, args)
    return original.call(this, event, ...args)
  }
}

export function unobserveReserved(target: object): void {
  delete (target as { emitReserved?: Reserved }).emitReserved
}

interface PoolEntry {
  readonly manager: Manager
  readonly endpoint: string
  refs: number
  /** The transports of this Manager; an array (usually of one): a Set costs more. */
  listeners: ManagerListener[]
  releaseOwnership?: () => void
}

export interface ManagerPool {
  /**
   * One Manager per endpoint (url + path), multiplexing namespaces. Never socket.io's `io()` cache. `options` must
   * be a fresh object (socket.io keeps and writes into it): managerOptions() makes one per call.
   */
  acquire(io: SocketIoModule, endpoint: string, url: string, options: Partial<ManagerOptions>): Manager
  release(manager: Manager): void
  /** Hears the Manager's events (see ManagerListener) until `unlisten`. */
  listen(manager: Manager, listener: ManagerListener): void
  unlisten(manager: Manager, listener: ManagerListener): void
  size(): number
}

interface BackoffLike {
  attempts: number
  duration(): number
}

/**
 * socket.io's Manager schedules retries with `this.backoff.duration()` and tells nobody the delay
 * (socket.io-client lib/manager.ts `reconnect()`); `nextRetryAt` needs it, so we observe that call.
 * If a future socket.io changes this internal, `nextRetryAt` just stays null.
 */
function observeBackoff(manager: Manager, onDelay: (attempt: number, delay: number) => void): void {
  const backoff = (manager as unknown as { backoff?: BackoffLike }).backoff
  const duration = backoff?.duration
  if (!backoff || typeof duration !== 'function') return
  backoff.duration = () => {
    const delay = duration.call(backoff)
    onDelay(backoff.attempts, delay)
    return delay
  }
}

/** A class, not a closure bag: a standalone client owns a pool of its own, and a client's heap is a measured figure. */
class Pool implements ManagerPool {
  private readonly _entries = new Map<string, PoolEntry>()
  private readonly _token = {}

  constructor(private readonly _owner: string) {}

  acquire(io: SocketIoModule, endpoint: string, url: string, options: Partial<ManagerOptions>): Manager {
    const existing = this._entries.get(endpoint)
    if (existing) {
      existing.refs++
      return existing.manager
    }
    options.autoConnect = false
    const manager = new io.Manager(url, options)
    const entry: PoolEntry = { manager, endpoint, refs: 1, listeners: [] }
    const tell: ManagerListener = (event, args) => {
      for (const listener of entry.listeners.slice()) listener(event, args)
    }
    observeBackoff(manager, (attempt, delay) => tell('retry', [attempt, delay]))
    // Each Engine.IO socket is hooked when the Manager opens it: an upgrade fails within milliseconds behind a
    // proxy that drops the Upgrade headers, before the namespace's own `connect`. The hook goes with its engine.
    // Only the few events of interest go on: `packet` and the like pass here for every message.
    observeReserved(manager, (event, args) => {
      if (event === 'open' && manager.engine) {
        observeReserved(manager.engine, (e, a) => (e === 'upgrade' || e === 'upgradeError') && tell(e, a))
      } else if (event === 'reconnect_attempt' || event === 'reconnect_failed') tell(event, args)
    })
    if (process.env.NODE_ENV !== 'production') entry.releaseOwnership = claimEndpoint(endpoint, this._token, this._owner)
    this._entries.set(endpoint, entry)
    return manager
  }

  release(manager: Manager): void {
    const entry = this._find(manager)
    if (!entry || --entry.refs > 0) return
    this._entries.delete(entry.endpoint)
    entry.listeners = []
    entry.releaseOwnership?.()
  }

  listen(manager: Manager, listener: ManagerListener): void {
    const entry = this._find(manager)
    if (entry) entry.listeners.push(listener)
  }

  unlisten(manager: Manager, listener: ManagerListener): void {
    const entry = this._find(manager)
    if (entry) entry.listeners = entry.listeners.filter((l) => l !== listener)
  }

  size(): number {
    return this._entries.size
  }

  private _find(manager: Manager): PoolEntry | undefined {
    for (const entry of this._entries.values()) if (entry.manager === manager) return entry
    return undefined
  }
}

export function createManagerPool(ownerName: string): ManagerPool {
  return new Pool(ownerName)
}
