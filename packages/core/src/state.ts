import type { SocketError } from './errors.js'
import type { SocketState, SocketStatus } from './types.js'

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

type Step<T extends SocketTransition['type']> = readonly [
  /** The statuses it is allowed from; from any other the state is left unchanged. */
  from: readonly SocketStatus[],
  /** What it changes. */
  to: (state: SocketState, event: Extract<SocketTransition, { type: T }>) => Partial<SocketState>,
  /** Starts from the initial state rather than from the current state (a new connection). */
  fresh?: true,
]

const C = 'connecting'
const R = 'reconnecting'

/** The machine, one table: each transition's allowed statuses and its effect. */
const MACHINE: { readonly [T in SocketTransition['type']]: Step<T> } = {
  connect: [['idle', 'disconnected', 'unauthorized', 'failed', C, R, 'offline'], () => ({ status: C }), true],
  opened: [[C, R], (_, e) => ({ status: 'connected', id: e.id, transport: e.transport, recovered: e.recovered, connectedAt: e.at }), true],
  upgraded: [['connected'], (_, e) => ({ transport: e.transport })],
  lost: [['connected'], (_, e) => ({ status: R, error: e.error, id: null, transport: null, attempt: 0, nextRetryAt: null })],
  attemptFailed: [[C, R], (_, e) => ({ status: R, error: e.error, nextRetryAt: null })],
  retryScheduled: [[C, R], (_, e) => ({ status: R, attempt: e.attempt, nextRetryAt: e.at })],
  attempting: [[R], (_, e) => ({ attempt: e.attempt, nextRetryAt: null })],
  paused: [[C, R], () => ({ status: 'offline', nextRetryAt: null })],
  retryNow: [[R, 'failed', 'offline'], () => ({ status: R, attempt: 0, nextRetryAt: null })],
  rejected: [[C, R], (_, e) => ({ status: 'unauthorized', error: e.error, nextRetryAt: null, id: null, transport: null })],
  exhausted: [[C, R], (s, e) => ({ status: 'failed', error: e.error ?? s.error, nextRetryAt: null, id: null, transport: null })],
  closed: [['idle', C, 'connected', R, 'offline', 'unauthorized', 'failed'], (_, e) => ({ status: 'disconnected', error: e.error, nextRetryAt: null, attempt: 0, id: null, transport: null })],
}

/** From which statuses each transition is allowed (read from the machine's table). */
// Built in a pure function: unused by the engine, so an app's bundler drops it from the engine's chunk.
export const TRANSITIONS = /* @__PURE__ */ (() => Object.fromEntries(Object.entries(MACHINE).map(([type, [from]]) => [type, from])))() as {
  readonly [T in SocketTransition['type']]: readonly SocketStatus[]
}

export function canTransition(from: SocketStatus, type: SocketTransition['type']): boolean {
  return MACHINE[type][0].includes(from)
}

/**
 * The connection state machine: a pure function from a state and a named transition to the next state.
 * Returns the same object when the transition is not allowed from the current status. Frozen in development to
 * catch a mutation; production skips the freeze (one per transition). `initial` (INITIAL_STATE) is a parameter so
 * that the engine's chunk does not import the entry's module (machine.ts exports the two-argument form).
 */
export function step(state: SocketState, event: SocketTransition, initial: SocketState): SocketState {
  const [from, to, fresh] = MACHINE[event.type] as Step<SocketTransition['type']>
  if (!from.includes(state.status)) return state
  // Object.assign onto {}, not a literal that starts with a spread (V8 gives each such object a hidden class of its own).
  const out = Object.assign({}, fresh ? initial : state, to(state, event as never))
  return process.env.NODE_ENV !== 'production' ? Object.freeze(out) : out
}
