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

export function defineSocketHandler<L extends EventsMap = DefaultEmitEvents, E extends EventsMap = DefaultListenEvents>(
  setup: (server: SocketServer<L, E>) => void,
  options?: SocketServerOptions,
): ReturnType<typeof defineWebSocketHandler> {
  const server = createSocketServer<L, E>(options)
  setup(server)
  return defineWebSocketHandler(server.hooks as Parameters<typeof defineWebSocketHandler>[0])
}
