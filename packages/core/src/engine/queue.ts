import type { SocketError } from '../errors.js'
import { kit } from './kit.js'

export interface PendingAck {
  /** Sends the emit with the time left until the ack deadline. */
  send(): void
  reject(error: SocketError): void
  readonly deadline: number
}

interface Entry {
  readonly event: string
  readonly args: readonly unknown[]
  readonly at: number
  readonly ack?: PendingAck
  timer?: ReturnType<typeof setTimeout>
}

export interface DrainedEmit {
  readonly event: string
  readonly args: readonly unknown[]
  readonly ack?: PendingAck
}

export interface OfflineQueue {
  /**
   * Keeps an emit until the next connect; `at` is when the app made it (monotonic ms). Returns false when
   * buffering is off (the emit is dropped).
   */
  push(event: string, args: readonly unknown[], at: number, ack?: PendingAck): boolean
  /** Removes and returns the emits still within their TTL, oldest first. */
  drain(): DrainedEmit[]
  /** Rejects every queued emit that waits for an ack; plain emits stay. */
  _rejectAcks(error: SocketError): void
  /** Drops everything, rejecting acks. */
  clear(error: SocketError): void
  _stats(): { size: number; dropped: number; expired: number }
}

/**
 * The bounded offline emit queue: replaces socket.io's unbounded send buffer while disconnected.
 * Drop-oldest beyond `max`, drop on send when older than `ttlMs`. Entries that wait for an ack own a timer
 * for their deadline; every path that removes an entry (`remove`) clears it. Times are monotonic: a wall-clock
 * jump neither expires nor strands an entry.
 */
export function createOfflineQueue(limits: false | { max: number; ttlMs: number }, now: () => number = kit._now): OfflineQueue {
  const entries: Entry[] = []
  let dropped = 0
  let expired = 0

  function remove(entry: Entry): void {
    const index = entries.indexOf(entry)
    if (index !== -1) entries.splice(index, 1)
    if (entry.timer !== undefined) clearTimeout(entry.timer)
  }

  function drop(entry: Entry, error: SocketError): void {
    remove(entry)
    entry.ack?.reject(error)
  }

  return {
    push(event, args, at, ack) {
      if (limits === false || limits.max === 0) {
        dropped++
        ack?.reject(kit._err('network', 'queue-off', event))
        return false
      }
      const entry: Entry = { event, args, at, ack }
      if (ack) {
        entry.timer = setTimeout(() => {
          remove(entry)
          ack.reject(kit._err('timeout', 'ack-timeout', event))
        }, Math.max(0, ack.deadline - now()))
      }
      entries.push(entry)
      while (entries.length > limits.max) {
        const oldest = entries[0]
        if (!oldest) break
        dropped++
        drop(oldest, kit._err('network', 'queue-full', oldest.event))
      }
      return true
    },
    drain() {
      const t = now()
      const ttl = limits === false ? 0 : limits.ttlMs
      const out: DrainedEmit[] = []
      for (const entry of entries.slice()) {
        if (t - entry.at > ttl) {
          expired++
          drop(entry, kit._err('timeout', 'queue-expired', entry.event))
          continue
        }
        remove(entry)
        out.push({ event: entry.event, args: entry.args, ack: entry.ack })
      }
      return out
    },
    _rejectAcks(error) {
      for (const entry of entries.slice()) if (entry.ack) drop(entry, error)
    },
    clear(error) {
      for (const entry of entries.slice()) drop(entry, error)
    },
    _stats() {
      return { size: entries.length, dropped, expired }
    },
  }
}
