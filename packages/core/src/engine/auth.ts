import type { ResolvedAuth } from './resolve.js'
import type { TransportAuth } from '../transports/types.js'
import type { Logger } from './logger.js'

export interface AuthBinding extends TransportAuth {
  /** Handshake retries with fresh credentials after the server refused them. */
  readonly retries: number
}

/**
 * Turns an auth mode into what a transport sends. Token mode: the payload is a function the transport calls on
 * every handshake (socket.io reads its `auth` option that way), so `getToken` runs every time and a rotated token
 * is used; it goes in the handshake, never in a URL.
 */
const NONE: AuthBinding = Object.freeze({ withCredentials: false, payload: undefined, retries: 0 })

export function bindAuth(auth: ResolvedAuth, logger: Logger | undefined, host: { _tokenFailed(error: unknown): void }): AuthBinding {
  switch (auth.mode) {
    case 'none':
      return NONE
    case 'cookie':
      return { withCredentials: true, payload: undefined, retries: auth.retries }
    case 'raw':
      return { withCredentials: false, payload: auth.value, retries: auth.retries }
    case 'token':
      return {
        withCredentials: false,
        retries: auth.retries,
        payload: (cb) => {
          Promise.resolve()
            .then(auth.getToken)
            .then((token) => {
              if (logger) {
                logger.addSecret(token)
                logger.log('handshake with token auth', { token: token ? String(token) : null })
              }
              cb(token ? { token } : {})
            }, (error: unknown) => host._tokenFailed(error))
        },
      }
  }
}
