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

/** The engine's own retry timer and attempt count, for transports without a backoff of their own. */
export class Backoff {
  private _timer: ReturnType<typeof setTimeout> | undefined
  private _tries = 0

  constructor(private readonly _r: false | Required<ReconnectionOptions>) {}

  /** Schedules the next attempt, calling `run(attempt)` when it is due. Returns [attempt, delay], or null when exhausted. */
  next(run: (attempt: number) => void): [attempt: number, delayMs: number] | null {
    const r = this._r
    if (!r || this._tries >= r.attempts) return null
    const attempt = ++this._tries
    const delay = backoffDelay(r, attempt)
    this.stop()
    this._timer = setTimeout(() => {
      this._timer = undefined
      run(attempt)
    }, delay)
    return [attempt, delay]
  }

  stop(): void {
    if (this._timer !== undefined) clearTimeout(this._timer)
    this._timer = undefined
  }

  /** Back to the first delay (after a connect, or a retry now). */
  reset(): void {
    this.stop()
    this._tries = 0
  }
}
