import type { Manager, ManagerOptions } from 'socket.io-client'
import { claimEndpoint } from '../ownership.js'
import type { SocketIoModule } from '../types.js'

type RetryListener = (attempt: number, delayMs: number) => void

interface PoolEntry {
  manager: Manager
  refs: number
  retryListeners: Set<RetryListener>
  releaseOwnership: () => void
}

export interface ManagerPool {
  /** One Manager per endpoint (url + path), multiplexing namespaces. Never socket.io's `io()` cache. */
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
  if (!backoff || typeof backoff.duration !== 'function') return
  const duration = backoff.duration.bind(backoff)
  backoff.duration = () => {
    const delay = duration()
    onDelay(backoff.attempts, delay)
    return delay
  }
}

export function createManagerPool(ownerName: string): ManagerPool {
  const entries = new Map<string, PoolEntry>()
  const byManager = new Map<Manager, string>()
  const ownerToken = {}

  return {
    acquire(io, endpoint, url, options) {
      const existing = entries.get(endpoint)
      if (existing) {
        existing.refs++
        return existing.manager
      }
      // A copy: socket.io writes into the options object it is given.
      const manager = new io.Manager(url, { ...options, autoConnect: false })
      const retryListeners = new Set<RetryListener>()
      observeBackoff(manager, (attempt, delay) => {
        for (const listener of [...retryListeners]) listener(attempt, delay)
      })
      entries.set(endpoint, {
        manager,
        refs: 1,
        retryListeners,
        releaseOwnership: process.env.NODE_ENV !== 'production' ? claimEndpoint(endpoint, ownerToken, ownerName) : () => {},
      })
      byManager.set(manager, endpoint)
      return manager
    },
    release(manager) {
      const endpoint = byManager.get(manager)
      const entry = endpoint === undefined ? undefined : entries.get(endpoint)
      if (!entry || endpoint === undefined) return
      if (--entry.refs > 0) return
      entries.delete(endpoint)
      byManager.delete(manager)
      entry.retryListeners.clear()
      entry.releaseOwnership()
    },
    onRetryScheduled(manager, listener) {
      const endpoint = byManager.get(manager)
      const entry = endpoint === undefined ? undefined : entries.get(endpoint)
      if (!entry) return () => {}
      entry.retryListeners.add(listener)
      return () => entry.retryListeners.delete(listener)
    },
    size: () => entries.size,
  }
}
