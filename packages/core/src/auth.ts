import type { ManagerOptions } from 'socket.io-client'
import type { Logger } from './logger'
import type { ResolvedAuth } from './options'
import type { RawAuth } from './types'

export interface AuthBinding {
  /** Options for the Manager (cookie mode sends credentials). */
  managerOptions: Partial<ManagerOptions>
  /** The socket.io `auth` option: read by socket.io on every handshake, sent in the CONNECT packet, never in a URL. */
  socketAuth: RawAuth | undefined
  /** Handshake retries with fresh credentials after a middleware rejection. */
  retries: number
}

/**
 * Turns an auth mode into socket.io options. Token mode: socket.io calls the `auth` function on every
 * handshake (connect and each reconnect), so `getToken` runs every time and a rotated token is used.
 */
export function bindAuth(auth: ResolvedAuth, logger: Logger, onTokenError: (error: unknown) => void): AuthBinding {
  switch (auth.mode) {
    case 'none':
      return { managerOptions: {}, socketAuth: undefined, retries: 0 }
    case 'cookie':
      return { managerOptions: { withCredentials: true }, socketAuth: undefined, retries: auth.retries }
    case 'raw':
      return { managerOptions: {}, socketAuth: auth.value, retries: auth.retries }
    case 'token':
      return {
        managerOptions: {},
        retries: auth.retries,
        socketAuth: (cb) => {
          Promise.resolve()
            .then(auth.getToken)
            .then(
              (token) => {
                logger.addSecret(token)
                logger.log('handshake with token auth', { token: token ? String(token) : null })
                cb(token ? { token } : {})
              },
              onTokenError,
            )
        },
      }
  }
}
