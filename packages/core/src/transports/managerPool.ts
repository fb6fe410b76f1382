import type { Manager, ManagerOptions } from 'socket.io-client'
import { claimEndpoint } from '../ownership.js'
import type { SocketIoModule } from '../types.js'

type RetryListener = (attempt: number, delayMs: number) => void

interface PoolEntry {
  readonly manager: Manager
  readonly endpoint: string
  refs: number
  /** Called with (attempt, delay) when the Manager schedules a retry; an array (usually of one): a Set costs more. */
  retryListeners: RetryListener[]
  releaseOwnership?: () => void
}

export interface ManagerPool {
  /**
   * One Manager per endpoint (url + path), multiplexing namespaces. Never socket.io's `io()` cache. `options` must
   * be a fresh object (socket.io keeps and writes into it): managerOptions() makes one per call.
   */
  acquire(io: SocketIoModule, endpoint: string, url: string, options: Partial<ManagerOptions>): Manager
  release(manager: Manager): void
  /** Called with (attempt, delay) each time the Manager schedules a retry. */
  onRetryScheduled(manager: Manager, listener: RetryListener): () => void
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

export function createManagerPool(ownerName: string): ManagerPool {
  const entries = new Map<string, PoolEntry>()
  const ownerToken = {}
  const find = (manager: Manager): PoolEntry | undefined => {
    for (const entry of entries.values()) if (entry.manager === manager) return entry
    return undefined
  }

  return {
    acquire(io, endpoint, url, options) {
      const existing = entries.get(endpoint)
      if (existing) {
        existing.refs++
        return existing.manager
      }
      options.autoConnect = false
      const manager = new io.Manager(url, options)
      const entry: PoolEntry = { manager, endpoint, refs: 1, retryListeners: [] }
      observeBackoff(manager, (attempt, delay) => {
        for (const listener of entry.retryListeners.slice()) listener(attempt, delay)
      })
      if (process.env.NODE_ENV !== 'production') entry.releaseOwnership = claimEndpoint(endpoint, ownerToken, ownerName)
      entries.set(endpoint, entry)
      return manager
    },
    release(manager) {
      const entry = find(manager)
      if (!entry || --entry.refs > 0) return
      entries.delete(entry.endpoint)
      entry.retryListeners = []
      entry.releaseOwnership?.()
    },
    onRetryScheduled(manager, listener) {
      const entry = find(manager)
      if (!entry) return () => {}
      entry.retryListeners.push(listener)
      return () => {
        entry.retryListeners = entry.retryListeners.filter((l) => l !== listener)
      }
    },
    size: () => entries.size,
  }
}
