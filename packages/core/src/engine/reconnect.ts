import type { ReconnectionOptions } from '../types.js'

/**
 * The retry delay for attempt `n` (1-based) of a transport without its own backoff: exponential from `delayMs`,
 * capped at `maxDelayMs`, randomised by ±`jitter` so that a server restart is not met by every client at once.
 * The same policy, with the same option names, that socket.io's Manager applies to its own transport.
 */
export function backoffDelay(r: Required<ReconnectionOptions>, n: number, random: () => number = Math.random): number {
  const base = Math.min(r.maxDelayMs, r.delayMs * 2 ** Math.min(n - 1, 30))
  const spread = base * r.jitter * (random() * 2 - 1)
  return Math.max(0, Math.min(r.maxDelayMs, Math.round(base + spread)))
}
