// The lazy entry: the one engine chunk loaded (by client.ts) on a client's first connect() or emit. The transports
// are chunks of their own, loaded by the facade in parallel with this one as the client's `lib`: the WebSocket path
// fetches no socket.io code (adapter, manager pool, classification), the socket.io path none of the WebSocket
// transport, and neither imports a module of the entry chunk (engine/kit.ts), so the entry stays one file.
import type { SocketError } from '../errors.js'
import type { Host, Recorded } from '../host.js'
import type { TransportFactory } from '../transports/types.js'
import { Engine } from './engine.js'
import { tapOf } from './tap.js'

/**
 * The built-in transports, by their `lib`: for socket.io, socket.io-client (or what options.io loads) and the
 * adapter's chunk; else the WebSocket transport's chunk.
 */
const builtIn: Pick<TransportFactory, 'create'> = {
  create: (context) => {
    const lib = context.lib as typeof import('../transports/websocket.js') | [unknown, typeof import('../transports/socketio.js')]
    return Array.isArray(lib) ? lib[1].socketIoTransport.create({ ...context, lib: lib[0] }) : lib.websocketTransport.create(context)
  },
}

/** Attaches an engine behind `facade` and hands it what the facade recorded. */
export function attach(facade: Host): void {
  if (facade._e) return
  const t = facade._o.input.transport
  const engine = new Engine(facade, typeof t === 'object' ? t : builtIn)
  facade._e = engine
  const recorded = facade._q
  facade._q = undefined
  // The facade showed `connecting` before the engine loaded: an inspector sees that transition too.
  if (process.env.NODE_ENV !== 'production' && facade._s.status === 'connecting' && !facade._w) tapOf(facade)?.state(engine, facade._k._initial, facade._s, 'connect')
  if (recorded) adopt(engine, recorded)
}

/** The engine takes over what the facade recorded before it loaded, in order, exactly once. */
function adopt(engine: Engine, recorded: Recorded[]): void {
  for (const [m, a, at, settle] of recorded) {
    if (m === 'connect' || m === 'reconnect') {
      engine.connect(true)
      continue
    }
    // A production build refuses bad arguments and weighs an emit's here (development did at the call): a refused
    // call is recorded as an error (getDiagnostics().errors, the debug log), a refused emitWithAck rejects; none stops
    // the rest.
    try {
      if (m === 'emit' || m === 'emitWithAck') {
        const sent = engine.send(m, a[0] as string, a.slice(1), at)
        if (settle) (sent as Promise<unknown>).then(settle[0], settle[1])
      } else (engine[m as 'on'] as (...args: unknown[]) => unknown).apply(engine, a)
    } catch (error) {
      settle?.[1](error)
      engine._error(error as SocketError)
    }
  }
}
