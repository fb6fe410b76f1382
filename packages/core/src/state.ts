import type { SocketError } from './errors.js'
import { INITIAL_STATE } from './initialState.js'
import type { SocketState, SocketStatus } from './types.js'

export { INITIAL_STATE }

/** The named transitions of the connection lifecycle. */
export type SocketTransition =
  /** `connect()` or `reconnect()` by the app, or an auth retry: a fresh handshake. */
  | { type: 'connect' }
  /** The socket.io handshake completed. */
  | { type: 'opened'; id: string; transport: string | null; recovered: boolean; at: number }
  /** The transport changed while connected (polling upgraded to WebSocket). */
  | { type: 'upgraded'; transport: string }
  /** A live connection dropped; socket.io's Manager will retry. */
  | { type: 'lost'; error: SocketError }
  /** A handshake failed at transport level; socket.io's Manager will retry. */
  | { type: 'attemptFailed'; error: SocketError }
  /** socket.io's Manager scheduled a retry. */
  | { type: 'retryScheduled'; attempt: number; at: number }
  /** socket.io's Manager started a scheduled retry. */
  | { type: 'attempting'; attempt: number }
  /** The browser went offline: retries are held until it is back. */
  | { type: 'paused' }
  /** An `online`/`visibilitychange`/`pageshow` event or `reconnect()`: retry at once, backoff reset. */
  | { type: 'retryNow' }
  /** The server's middleware refused the handshake and no auth retry is left. */
  | { type: 'rejected'; error: SocketError }
  /** Reconnection attempts are exhausted (or reconnection is off). */
  | { type: 'exhausted'; error: SocketError | null }
  /** `disconnect()`, or the server closed the connection. */
  | { type: 'closed'; error: SocketError | null }

/** From which statuses each transition is allowed. Anything else leaves the state unchanged. */
export const TRANSITIONS: { readonly [T in SocketTransition['type']]: readonly SocketStatus[] } = {
  connect: ['idle', 'disconnected', 'unauthorized', 'failed', 'connecting', 'reconnecting'],
  opened: ['connecting', 'reconnecting'],
  upgraded: ['connected'],
  lost: ['connected'],
  attemptFailed: ['connecting', 'reconnecting'],
  retryScheduled: ['connecting', 'reconnecting'],
  attempting: ['reconnecting'],
  paused: ['connecting', 'reconnecting'],
  retryNow: ['reconnecting', 'failed'],
  rejected: ['connecting', 'reconnecting'],
  exhausted: ['connecting', 'reconnecting'],
  closed: ['idle', 'connecting', 'connected', 'reconnecting', 'unauthorized', 'failed'],
}

export function canTransition(from: SocketStatus, type: SocketTransition['type']): boolean {
  return TRANSITIONS[type].includes(from)
}

/** Frozen in development to catch a mutation; production skips the freeze (one per transition). */
function next(state: SocketState, patch: Partial<SocketState>): SocketState {
  const out = { ...state, ...patch }
  return process.env.NODE_ENV !== 'production' ? Object.freeze(out) : out
}

/**
 * The connection state machine: a pure function from a state and a named transition to the next state.
 * Returns the same object when the transition is not allowed from the current status.
 */
export function transition(state: SocketState, event: SocketTransition): SocketState {
  if (!canTransition(state.status, event.type)) return state
  switch (event.type) {
    case 'connect':
      return next(INITIAL_STATE, { status: 'connecting' })
    case 'opened':
      return next(INITIAL_STATE, {
        status: 'connected',
        id: event.id,
        transport: event.transport,
        recovered: event.recovered,
        connectedAt: event.at,
      })
    case 'upgraded':
      return next(state, { transport: event.transport })
    case 'lost':
      return next(state, { status: 'reconnecting', error: event.error, id: null, transport: null, attempt: 0, nextRetryAt: null })
    case 'attemptFailed':
      return next(state, { status: 'reconnecting', error: event.error, nextRetryAt: null })
    case 'retryScheduled':
      return next(state, { status: 'reconnecting', attempt: event.attempt, nextRetryAt: event.at })
    case 'attempting':
      return next(state, { attempt: event.attempt, nextRetryAt: null })
    case 'paused':
      return next(state, { status: 'reconnecting', nextRetryAt: null })
    case 'retryNow':
      return next(state, { status: 'reconnecting', attempt: 0, nextRetryAt: null })
    case 'rejected':
      return next(state, { status: 'unauthorized', error: event.error, nextRetryAt: null, id: null, transport: null })
    case 'exhausted':
      return next(state, { status: 'failed', error: event.error ?? state.error, nextRetryAt: null, id: null, transport: null })
    case 'closed':
      return next(state, { status: 'disconnected', error: event.error, nextRetryAt: null, attempt: 0, id: null, transport: null })
  }
}
