// The engine's pure parts, for tools and tests: the state machine (transition by transition) and the redaction
// the debug logger applies. Kept off the main entry so that apps do not load them before the first connect().
import { INITIAL_STATE } from './initialState.js'
import { step, type SocketTransition } from './state.js'
import type { SocketState } from './types.js'

export { INITIAL_STATE }
export { canTransition, TRANSITIONS } from './state.js'
export type { SocketTransition } from './state.js'

/**
 * The connection state machine: a pure function from a state and a named transition to the next state.
 * Returns the same object when the transition is not allowed from the current status.
 */
export const transition = (state: SocketState, event: SocketTransition): SocketState => step(state, event, INITIAL_STATE)
export { redact } from './engine/logger.js'
