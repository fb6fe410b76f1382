// The methods of a useSocket() result, shared by the browser's (useSocket.ts) and the server's (ssr.ts).
import type { EventsMap, SocketClient } from '@ssr-socket/core'
import type { UseSocketReturn } from './types'

export type Methods<L extends EventsMap, E extends EventsMap> = Omit<UseSocketReturn<L, E>, 'state' | 'status' | 'isConnected' | 'error' | 'attempt' | 'socket'>

/**
 * The methods of the result, forwarding to the current client. `on`, `once`, `onResync` and `off` go through
 * `bind`, which ties handlers to the caller's scope (the server passes the client's own, inert ones).
 */
export function methods<L extends EventsMap, E extends EventsMap>(
  current: () => SocketClient<L, E>,
  bind: (kind: 'on' | 'once' | 'onResync', event: unknown, handler: (...args: never[]) => unknown) => () => void,
  unbind: (event: unknown, handler?: unknown) => void,
): Methods<L, E> {
  return {
    connect: () => current().connect(),
    disconnect: () => current().disconnect(),
    reconnect: () => current().reconnect(),
    emit: (event, ...args) => current().emit(event, ...args),
    emitWithAck: (event, ...args) => current().emitWithAck(event, ...args),
    volatile: { emit: (event, ...args) => current().volatile.emit(event, ...args) },
    on: (event, handler) => bind('on', event, handler),
    once: (event, handler) => bind('once', event, handler),
    off: unbind,
    onResync: (handler) => bind('onResync', undefined, handler),
    get client() {
      return current()
    },
  }
}
