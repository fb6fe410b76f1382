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

export function defineSocketHandler<L extends EventsMap = DefaultEmitEvents, E extends EventsMap = DefaultListenEvents>(
  setup: (server: SocketServer<L, E>) => void,
  options?: SocketServerOptions,
): ReturnType<typeof defineWebSocketHandler> {
  // The payload limit Nitro's WebSocket server enforces (limits.ts), unless this handler sets its own.
  const server = createSocketServer<L, E>({ maxPayloadBytes: maxPayloadBytes(), ...options })
  setup(server)
  return defineWebSocketHandler(server.hooks as Parameters<typeof defineWebSocketHandler>[0])
}
