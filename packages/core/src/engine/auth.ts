import { socketError, type SocketError } from '../errors.js'
import type { SocketTransition } from '../state.js'
import type { ResolvedAuth } from './resolve.js'
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
  readonly t: { close(): void } | null
  _error(error: SocketError): void
  _go(event: SocketTransition): void
}

/** auth.getToken() failed: no handshake without credentials, and no retry loop. */
function tokenFailed(host: AuthHost, error: unknown): void {
  const err = socketError('unauthorized', 'get-token', error instanceof Error ? error.message : String(error), error)
  host._error(err)
  host.t?.close()
  host._go({ type: 'rejected', error: err })
}

export function bindAuth(auth: ResolvedAuth, logger: Logger | undefined, host: AuthHost): AuthBinding {
  switch (auth.mode) {
    case 'none':
      return NONE
    case 'cookie':
      return { withCredentials: true, payload: undefined, retries: auth.retries }
    case 'raw':
      return { withCredentials: false, payload: auth.value, retries: auth.retries }
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
              // Only long enough values: scrubbing "a" out of every line would make logs unreadable.
              if (typeof token === 'string' && token.length >= 4) {
                secrets.add(token)
                if (secrets.size > 4) secrets.delete(secrets.values().next().value!)
                logger?.addSecret(token)
              }
              logger?.log('handshake with token auth', { token: token ? String(token) : null })
              cb(token ? { token } : {})
            }, (error: unknown) => tokenFailed(host, error))
        },
      }
    }
  }
}
