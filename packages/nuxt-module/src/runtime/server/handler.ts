// `defineSocketHandler`, auto-imported in server/ with `socket.transport: 'websocket'`: a Nitro WebSocket route that
// speaks the client's protocol, typed by the same Register as the composables.
//
//   // server/routes/_ws.ts
//   export default defineSocketHandler((sockets) => {
//     sockets.on('join', (peer, room, ack) => { peer.join(room); ack(true) })
//   }, { auth: ({ headers }) => userFromCookie(headers.get('cookie')) })
import { defineWebSocketHandler } from 'h3'
import { createSocketServer, type SocketServer, type SocketServerOptions } from '@ssr-socket/server'
import type { DefaultEmitEvents, DefaultListenEvents, EventsMap } from '@ssr-socket/core'
import { maxPayloadBytes } from './limits'

/** Where a handler keeps its socket server for the testing kit (a registered symbol: the same in every copy). */
const SOCKET_SERVER = Symbol.for('@ssr-socket/nuxt:socket-server')

export function defineSocketHandler<L extends EventsMap = DefaultEmitEvents, E extends EventsMap = DefaultListenEvents>(
  setup: (server: SocketServer<L, E>) => void,
  options?: SocketServerOptions,
): ReturnType<typeof defineWebSocketHandler> {
  // The server is made at its first use (Nitro's first upgrade on this route, or a test peer of
  // @ssr-socket/nuxt/testing), not when the route module loads: the runtime config is read then, which a test that
  // imports the route before its Nuxt app exists could not do.
  let server: SocketServer<L, E> | undefined
  /** A setup that threw: thrown again at every use, never run twice (its side effects would repeat). */
  let failure: { error: unknown } | undefined
  const current = (): SocketServer<L, E> => {
    if (server) return server
    if (failure) throw failure.error
    // The payload limit Nitro's WebSocket server enforces (limits.ts), unless this handler sets its own.
    const created = createSocketServer<L, E>({ maxPayloadBytes: maxPayloadBytes(), ...options })
    try {
      setup(created)
    } catch (error) {
      failure = { error }
      throw error
    }
    return (server = created)
  }
  const hooks: SocketServer['hooks'] = {
    upgrade: (request) => current().hooks.upgrade(request),
    open: (peer) => current().hooks.open(peer),
    message: (peer, message) => current().hooks.message(peer, message),
    close: (peer, details) => current().hooks.close(peer, details),
    error: (peer, error) => current().hooks.error(peer, error),
  }
  const handler = defineWebSocketHandler(hooks as Parameters<typeof defineWebSocketHandler>[0])
  // What the testing kit's createTestPeer() drives (not a public API).
  Object.defineProperty(handler, SOCKET_SERVER, { value: current })
  return handler
}
