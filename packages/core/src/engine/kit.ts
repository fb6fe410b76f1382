// What the engine's chunks use of the entry chunk's modules (the error factory, the clocks, the network state, the
// initial state), handed over by the facade when an engine first attaches (Engine's constructor). Importing those
// modules here instead would make an app's bundler put them in a second file shared by the entry and the engine: one
// more request before hydration and ~250 B of chunk overhead. The kit holds code and constants, the same for every
// client and app: nothing per request.
import type { SocketError, socketError } from '../errors.js'
import type { SocketState } from '../types.js'

export interface Kit {
  // Named `_x`, so that the build shortens them (the engine's chunks call them often).
  readonly _err: typeof socketError
  readonly _Err: typeof SocketError
  /** The monotonic clock (deadlines). */
  _now(): number
  /** False only when the browser says it is offline. */
  _online(): boolean
  readonly _initial: SocketState
}

export const kit = {} as Kit
