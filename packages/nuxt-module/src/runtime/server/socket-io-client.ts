// Stands in for socket.io-client in the server build: the registry is inert on the server and never loads it,
// so neither socket.io-client nor engine.io-client belongs in `.output/server`.
const unavailable = (): never => {
  throw new Error('[@ssr-socket/nuxt] socket.io-client is not available on the server: sockets are created in the browser only.')
}

export class Manager {
  constructor() {
    unavailable()
  }
}

export const io = unavailable
export default io
