// What the WebSocket transport needs only once a connection opened (the half-open check, the reading of a close code)
// or failed to open (the upgrade probe). A chunk of its own, off the first connect's path: websocket.ts fetches it at
// the first `welcome` (so it is there before the first close) or at a close before any, and calls it synchronously
// once it is there. It imports nothing of the
// transport's or the engine's chunks (types only), or the app's bundler would make a third, shared chunk of it.
import type { SocketError } from '../errors.js'
import type { TransportContext } from './types.js'

/** What this chunk uses of the transport (websocket.ts passes itself; declared here so that no import runs back to it). */
interface WebSocketTransport {
  readonly raw: { close(code?: number, reason?: string): void } | null
  readonly _err: TransportContext['error']
  readonly _ready: boolean
  readonly _gen: number
  readonly _seen: number
  readonly _limit: number
  _timer: ReturnType<typeof setTimeout> | undefined
  _fail(gen: number, error: SocketError, how: 'lost' | 'server' | 'failed' | 'rejected' | 'fatal', code?: number): void
}

/** Starts the half-open check of a welcomed connection. It runs on the clock, so throttled timers do not misfire. */
export function alive(t: WebSocketTransport): void {
  // Not (or no longer) welcomed, the check off, or already running: nothing to start.
  if (!t._ready || !t._limit || t._timer !== undefined) return
  const check = (): void => {
    const idle = Date.now() - t._seen
    if (idle < t._limit) {
      t._timer = setTimeout(check, t._limit - idle)
      return
    }
    t._timer = undefined
    const gen = t._gen
    t.raw?.close(4408, 'no ping')
    t._fail(gen, t._err('network', 'ping-timeout'), 'lost')
  }
  t._timer = setTimeout(check, t._limit)
}

/** The socket closed after opening (`ready`: after `welcome`): a lost connection, the server's close, or a refusal by close code. */
export function closed(t: WebSocketTransport, gen: number, ready: boolean, code: number, reason: string): void {
  const error = t._err
  const what = `${code}${reason ? ` ${reason}` : ''}`
  if (code === 4401) return t._fail(gen, error('unauthorized', 'refused', reason || 'unauthorized'), 'rejected')
  if (code === 4403) return t._fail(gen, error('forbidden-origin', 'forbidden-origin'), 'fatal')
  // The server's protocol error (a frame it could not take) or failure: retried with backoff, not fatal.
  if (code === 4400 || code === 1011) return t._fail(gen, error('server', 'server-error', what), ready ? 'lost' : 'failed')
  if (!ready) return t._fail(gen, error('network', 'lost', what), 'failed')
  t._fail(gen, code === 1000 ? error('server', 'server-disconnect') : error('network', 'lost', what), code === 1000 ? 'server' : 'lost')
}

/**
 * The upgrade never happened. The WebSocket API does not say why, so ask the same URL over HTTP: an answer means
 * something there refused the upgrade (a proxy dropping Upgrade headers, no WebSocket handler at this path); none,
 * that it could not be reached. (A newer attempt makes `_fail` ignore the report.)
 */
export function probe(t: WebSocketTransport, gen: number, url: string): void {
  const f = (globalThis as { fetch?: typeof fetch }).fetch
  const report = (answered: boolean): void =>
    t._fail(gen, answered ? t._err('upgrade-refused', 'ws-refused', url) : t._err('network', 'unreachable', url), 'failed')
  if (!f) return report(false)
  f(url.replace(/^ws/, 'http'), { mode: 'no-cors', cache: 'no-store', credentials: 'omit' }).then(
    () => report(true),
    () => report(false),
  )
}
