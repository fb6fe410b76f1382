/** socket.io's own names for the connection's lifecycle: an emit with one of them throws inside socket.io. */
export const RESERVED = ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']
