// The refusals of bad arguments that production builds make in the engine (development makes them at the call, in
// the facade: client.ts and payload.ts). At the call once the engine is loaded; for a call made before, when the
// engine takes it over (engine/index.ts: a refused call is recorded as an error, a refused emitWithAck rejects). The
// entry chunk carries none of this in production. socket.io's reserved event names are refused in production by the
// socket.io transport when such an emit is sent (transports/socketio.ts); over the WebSocket transport and custom
// transports they are names like any other.
import { kit } from './kit.js'

/** Throws the `config` SocketError that development throws at the call (`bad-event`) unless `ok`: `m` is the method. */
export function refuse(ok: unknown, m: string): void {
  if (!ok) throw kit._err('config', 'bad-event', m)
}
