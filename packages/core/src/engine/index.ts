// The lazy entry: the one chunk loaded (by client.ts) on a client's first connect() or emit, with the socket.io
// transport adapter; the wire library itself (socket.io-client) loads in parallel with it.
import type { Host, Recorded } from '../host.js'
import { INITIAL_STATE } from '../initialState.js'
import { socketIoTransport } from '../transports/socketio.js'
import type { TransportFactory } from '../transports/types.js'
import { Engine } from './engine.js'

/** The WebSocket transport lives in a chunk of its own (its `lib`, loaded by the facade): socket.io apps never fetch it. */
const websocket: TransportFactory = {
  name: 'websocket',
  create: (context) => (context.lib as typeof import('../transports/websocket.js')).websocketTransport.create(context),
}
import { tapOf } from './tap.js'

/** Attaches an engine behind `facade` and hands it what the facade recorded. */
export function attach(facade: Host): void {
  if (facade._e) return
  const t = facade._o.input.transport
  const engine = new Engine(facade, typeof t === 'object' ? t : t === 'websocket' ? websocket : socketIoTransport)
  facade._e = engine
  const recorded = facade._q
  facade._q = undefined
  // The facade showed `connecting` before the engine loaded: an inspector sees that transition too.
  if (facade._s.status === 'connecting' && !facade._w) tapOf(facade)?.state(engine, INITIAL_STATE, facade._s, 'connect')
  if (recorded) adopt(engine, recorded)
}

/** The engine takes over what the facade recorded before it loaded, in order, exactly once. */
function adopt(engine: Engine, recorded: Recorded[]): void {
  for (const [m, a, at, settle] of recorded) {
    if (m === 'connect' || m === 'reconnect') engine.connect(true)
    else if (m === 'emit' || m === 'emitWithAck') {
      const sent = engine.send(m, a[0] as string, a.slice(1), at)
      if (settle) (sent as Promise<unknown>).then(settle[0], settle[1])
    } else (engine[m as 'on'] as (...args: unknown[]) => unknown).apply(engine, a)
  }
}
