import type { SocketError } from '../errors.js'
import type { Kit } from './kit.js'
import type { SocketTransition } from '../state.js'
import type { RawAuth, SocketClientOptions } from '../types.js'
import type { TransportAuth } from '../transports/types.js'
import type { Logger } from './logger.js'

export interface AuthBinding extends TransportAuth {
  /** Handshake retries with fresh credentials after the server refused them. */
  readonly retries: number
  /** Token mode: the last few tokens fetched, scrubbed from what the debug log and inspectors show. */
  readonly secrets?: ReadonlySet<string>
}

/**
 * Turns an auth mode into what a transport sends. Token mode: the payload is a function the transport calls on
 * every handshake (socket.io reads its `auth` option that way), so `getToken` runs every time and a rotated token
 * is used; it goes in the handshake, never in a URL.
 */
const NONE: AuthBinding = Object.freeze({ withCredentials: false, payload: undefined, retries: 0 })

/** The engine, as the auth lifecycle drives it. */
interface AuthHost {
  /** The facade, for its kit (no import of kit.ts: this chunk would share a file with the engine's). */
  readonly f: { readonly _k: Kit }
  readonly t: { close(): void } | null
  _error(error: SocketError): void
  _go(event: SocketTransition): void
}

/** auth.getToken() failed: no handshake without credentials, and no retry loop. */
function tokenFailed(host: AuthHost, error: unknown): void {
  const err = host.f._k._err('unauthorized', 'get-token', error instanceof Error ? error.message : String(error), error)
  host._error(err)
  host.t?.close()
  host._go({ type: 'rejected', error: err })
}

/** Keeps a secret (the last 4) for redaction. Only long enough values: scrubbing "a" out of every line would make logs unreadable. */
function remember(secrets: Set<string>, value: unknown, logger: Logger | undefined): void {
  if (typeof value !== 'string' || value.length < 4) return
  secrets.add(value)
  if (secrets.size > 4) secrets.delete(secrets.values().next().value!)
  logger?.addSecret(value)
}

export type ResolvedAuth =
  | { mode: 'none'; retries: number }
  | { mode: 'cookie'; retries: number }
  | { mode: 'token'; getToken: () => unknown; retries: number }
  | { mode: 'raw'; value: RawAuth; retries: number }

const NO_AUTH: ResolvedAuth = { mode: 'none', retries: 0 }

/** `options.auth` with its defaults (token mode retries once). */
export function resolveAuth(auth: SocketClientOptions['auth']): ResolvedAuth {
  if (!auth) return NO_AUTH
  if (typeof auth === 'function' || !('mode' in auth)) return { mode: 'raw', value: auth as RawAuth, retries: 0 }
  const retries = (auth as { retries?: number }).retries
  return auth.mode === 'token'
    ? { mode: 'token', getToken: auth.getToken as () => unknown, retries: retries ?? 1 }
    : { mode: auth.mode as 'none' | 'cookie', retries: retries ?? 0 }
}

/** What a transport sends for `options.auth` (the engine binds it once the wire library and this chunk are there). */
export function bindAuth(input: SocketClientOptions['auth'], logger: Logger | undefined, host: AuthHost): AuthBinding {
  const auth = resolveAuth(input)
  switch (auth.mode) {
    case 'none':
      return NONE
    case 'cookie':
      return { withCredentials: true, payload: undefined, retries: auth.retries }
    case 'raw': {
      // A raw payload's string values are secrets too (an object, or what a function hands socket.io).
      const secrets = new Set<string>()
      const keep = (data: unknown): void => {
        if (data && typeof data === 'object') for (const v of Object.values(data)) remember(secrets, v, logger)
      }
      const v = auth.value
      keep(v)
      const payload: AuthBinding['payload'] = typeof v === 'function' ? (cb) => v((data: object) => (keep(data), cb(data))) : (v as Record<string, unknown>)
      return { withCredentials: false, payload, retries: auth.retries, secrets }
    }
    case 'token': {
      const secrets = new Set<string>()
      return {
        withCredentials: false,
        retries: auth.retries,
        secrets,
        payload: (cb) => {
          Promise.resolve()
            .then(auth.getToken)
            .then((token) => {
              remember(secrets, token, logger)
              logger?.log('handshake with token auth', { token: token ? String(token) : null })
              cb(token ? { token } : {})
            }, (error: unknown) => tokenFailed(host, error))
        },
      }
    }
  }
}
