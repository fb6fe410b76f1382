import type { SocketState } from './types.js'

/**
 * The initial state: a constant, identical on server and client, so it renders and hydrates the same.
 * In its own module because it is all the entry chunk needs of the state machine (engine/ has the rest).
 */
export const INITIAL_STATE: SocketState = Object.freeze({
  status: 'idle',
  attempt: 0,
  nextRetryAt: null,
  error: null,
  id: null,
  transport: null,
  recovered: false,
  connectedAt: null,
})
