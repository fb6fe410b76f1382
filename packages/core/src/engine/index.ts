// The lazy entry: the one chunk loaded (by client.ts) on a client's first connect() or emit, with the socket.io
// transport adapter; the wire library itself (socket.io-client) loads in parallel with it.
import type { Host } from '../host.js'
import { socketIoTransport } from '../transports/socketio.js'
import { Engine } from './engine.js'

/** Attaches an engine behind `facade` and hands it what the facade recorded. */
export function attach(facade: Host): void {
  if (facade._e) return
  const t = facade._o.input.transport
  const engine = new Engine(facade, typeof t === 'object' ? t : socketIoTransport)
  facade._e = engine
  const recorded = facade._q
  facade._q = undefined
  if (recorded) engine._adopt(recorded)
}
