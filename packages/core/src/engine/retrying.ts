// What the engine needs only once a connection fails or the page signals: the engine's own backoff (transports
// without one of their own) and the page's online/offline/visibility/pageshow signals. A chunk of its own, off the
// first connect's path: the engine fetches it after `opened` (so it is there before the first drop) or at the first
// failure, whichever comes first, and calls it synchronously once it is there (engine.ts, `_retrying`). It imports
// nothing the engine's chunk has (not even kit.ts: the facade's kit is read through the engine), or the app's bundler
// would make a third, shared chunk of it.
import { createBrowserEvents, type BrowserEvents, type BrowserSignal } from './browserSignals.js'
import type { Host } from '../host.js'
import type { ResolvedOptions } from './resolve.js'
import type { Logger } from './logger.js'

/** What this chunk uses of the engine (engine.ts passes itself; declared here so that no import runs back to it). */
interface Engine {
  readonly f: Host
  readonly o: ResolvedOptions
  readonly t: { open(): void } | null
  _backoff: Backoff | undefined
  readonly _simulatedOffline?: boolean
  readonly _log: Logger | undefined
  _pause(): void
  _retryNow(): void
  attempting(attempt: number): void
  retryScheduled(attempt: number, delayMs: number): void
  exhausted(): void
}
import { Backoff } from './reconnect.js'

/** Subscribes the engine to its registry's page signals (one set of window listeners for all its clients). */
export function watchSignals(e: Engine): () => void {
  const shared = e.f._r.shared
  return ((shared.signals ??= createBrowserEvents()) as BrowserEvents).subscribe((s) => signal(e, s))
}

/** A page signal: `offline` holds the attempts; the others retry at once, backoff reset. */
export function signal(e: Engine, s: BrowserSignal): void {
  if (e._simulatedOffline && s !== 'offline') return
  const status = e.f._s.status
  if (s === 'offline') {
    if (status === 'connecting' || status === 'reconnecting') e._pause()
  } else if (status === 'reconnecting' || status === 'failed' || (status === 'offline' && e.f._k._online() /* shown again, still offline: wait */)) {
    e._log?.log(`${s}: retrying now`)
    e._retryNow()
  }
}

/** The engine's own backoff's next attempt, for transports that do not reconnect by themselves. */
export function schedule(e: Engine): void {
  const next = (e._backoff ??= new Backoff(e.o.reconnection)).next((attempt) => {
    e.attempting(attempt)
    e.t?.open()
  })
  if (next) e.retryScheduled(...next)
  else e.exhausted()
}
