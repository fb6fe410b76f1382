// The lazy entry: the one engine chunk loaded (by client.ts) on a client's first connect() or emit. The transports
// are chunks of their own, loaded by the facade in parallel with this one as the client's `lib`: the WebSocket path
// fetches no socket.io code (adapter, manager pool, classification), the socket.io path none of the WebSocket
// transport, and neither imports a module of the entry chunk (engine/kit.ts), so the entry stays one file.
import type { SocketError } from '../errors.js'
import type { Host, Recorded } from '../host.js'
import type { TransportFactory } from '../transports/types.js'
import { Engine } from './engine.js'
import { tapOf } from './tap.js'

const websocket: TransportFactory = {
  name: 'websocket',
  create: (context) => (context.lib as typeof import('../transports/websocket.js')).websocketTransport.create(context),
}
/** Its `lib`: socket.io-client (or what options.io loads) and the adapter's chunk. */
const socketIo: TransportFactory = {
  name: 'socket.io',
  create: (context) => {
    const [io, adapter] = context.lib as [unknown, typeof import('../transports/socketio.js')]
    return adapter.socketIoTransport.create({ ...context, lib: io })
  },
}

/** Attaches an engine behind `facade` and hands it what the facade recorded. */
export function attach(facade: Host): void {
  if (facade._e) return
  const t = facade._o.input.transport
  const engine = new Engine(facade, typeof t === 'object' ? t : t === 'websocket' ? websocket : socketIo)
  facade._e = engine
  const recorded = facade._q
  facade._q = undefined
  // The facade showed `connecting` before the engine loaded: an inspector sees that transition too.
  if (process.env.NODE_ENV !== 'production' && facade._s.status === 'connecting' && !facade._w) tapOf(facade)?.state(engine, facade._k.initial, facade._s, 'connect')
  if (recorded) adopt(engine, recorded)
}

/** The engine takes over what the facade recorded before it loaded, in order, exactly once. */
function adopt(engine: Engine, recorded: Recorded[]): void {
  for (const [m, a, at, settle] of recorded) {
    if (m === 'connect' || m === 'reconnect') engine.connect(true)
    else if (m === 'emit' || m === 'emitWithAck') {
      // A production build weighs the arguments here (development did at the call): a refused emit is recorded as an
      // error (getDiagnostics().errors, the debug log), a refused emitWithAck rejects; neither stops the rest.
      try {
        const sent = engine.send(m, a[0] as string, a.slice(1), at)
        if (settle) (sent as Promise<unknown>).then(settle[0], settle[1])
      } catch (error) {
        engine._error(error as SocketError)
      }
    } else (engine[m as 'on'] as (...args: unknown[]) => unknown).apply(engine, a)
  }
}
