// The engine's pure parts, for tools and tests: the state machine (transition by transition) and the redaction
// the debug logger applies. Kept off the main entry so that apps do not load them before the first connect().
export { INITIAL_STATE } from './initialState.js'
export { canTransition, transition, TRANSITIONS } from './state.js'
export type { SocketTransition } from './state.js'
export { redact } from './engine/logger.js'
