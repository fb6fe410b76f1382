// One test server per transport with the same face, so that the contract suite runs the same cases against socket.io
// (the core's test server) and the WebSocket transport (@ssr-socket/server on crossws's Node adapter), both real, on
// 127.0.0.1. Each one answers `echo` (ack with the value), `never` (asks for an ack and never answers), `greet`
// (emits `greeting` back) and checks the handshake's token against `accept`.
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import crossws from 'crossws/adapters/node'
import { WebSocket } from 'ws'
import type { SocketClientOptions } from '@ssr-socket/core'
import { createTestServer } from '@ssr-socket/core/testing'
import { createSocketServer } from '../src/index'

export interface HarnessOptions {
  /** Whether a handshake's token is accepted (default: all). */
  accept?: (token: unknown) => boolean
  /** Server heartbeat, short for half-open tests. */
  pingIntervalMs?: number
  pingTimeoutMs?: number
}

export interface Harness {
  readonly url: string
  readonly port: number
  /** What a client needs besides url (transport, path, a WebSocket for Node). */
  readonly client: SocketClientOptions
  /** Connections past the handshake, now. */
  connections(): number
  /** Handshakes the server decided (accepted or refused). */
  handshakes(): number
  /** Tokens the handshakes carried, in order. */
  tokens(): unknown[]
  /** Every HTTP request URL (handshakes, upgrades, polling). */
  requestUrls(): string[]
  emitAll(event: string, ...args: unknown[]): void
  /** Cuts every connection at the transport (no close handshake): clients reconnect. */
  dropAll(): void
  /** Closes the server and starts a new one on the same port after `delayMs`. */
  restart(delayMs?: number): Promise<void>
  stop(): Promise<void>
  start(): Promise<void>
  close(): Promise<void>
}

export interface Transport {
  readonly name: 'socket.io' | 'websocket'
  start(options?: HarnessOptions, port?: number): Promise<Harness>
}

const tokenOf = (auth: unknown): unknown => (auth && typeof auth === 'object' ? (auth as { token?: unknown }).token : undefined)

export const socketIo: Transport = {
  name: 'socket.io',
  async start(options = {}, port = 0) {
    let handshakes = 0
    const tokens: unknown[] = []
    const server = await createTestServer({
      port,
      server: { pingInterval: options.pingIntervalMs ?? 25_000, pingTimeout: options.pingTimeoutMs ?? 20_000 },
      middleware: (socket, next) => {
        handshakes++
        const token = tokenOf(socket.handshake.auth)
        tokens.push(token)
        if (options.accept && !options.accept(token)) return next(new Error('unauthorized'))
        next()
      },
      onConnection: (socket) => {
        socket.on('echo', (value: unknown, ack: (v: unknown) => void) => ack(value))
        socket.on('never', () => {})
        socket.on('greet', () => socket.emit('greeting', 'hello'))
      },
    })
    return {
      url: server.url,
      port: server.port,
      client: { transport: 'socket.io', socketOptions: { transports: ['websocket'] } },
      connections: () => server.connectionCount(),
      handshakes: () => handshakes,
      tokens: () => tokens,
      requestUrls: () => server.requests.map((r) => r.url ?? ''),
      emitAll: (event, ...args) => void server.io.emit(event, ...args),
      dropAll: () => server.dropAll(),
      restart: (delayMs) => server.restart(delayMs),
      stop: () => server.stop(),
      start: () => server.start(),
      close: () => server.close(),
    }
  },
}

export const websocket: Transport = {
  name: 'websocket',
  async start(options = {}, port = 0) {
    let handshakes = 0
    const tokens: unknown[] = []
    const requests: IncomingMessage[] = []
    const app = createSocketServer({
      pingIntervalMs: options.pingIntervalMs,
      pingTimeoutMs: options.pingTimeoutMs,
      auth: ({ auth }) => {
        handshakes++
        const token = tokenOf(auth)
        tokens.push(token)
        if (options.accept && !options.accept(token)) return false
        return { token: token === undefined ? null : 'seen' }
      },
    })
    app.on('echo', (_peer, value: unknown, ack: (v: unknown) => void) => ack(value))
    app.on('never', () => {})
    app.on('greet', (peer) => peer.emit('greeting', 'hello'))
    const ws = crossws({ hooks: app.hooks })
    let http: HttpServer | null = null
    const sockets = new Set<Socket>()
    let currentPort = port
    const listen = async (): Promise<void> => {
      const server = (http = createServer((req, res) => {
        requests.push(req)
        res.statusCode = 426
        res.end('WebSocket only')
      }))
      server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
        requests.push(req)
        void ws.handleUpgrade(req, socket, head)
      })
      server.on('connection', (socket: Socket) => {
        sockets.add(socket)
        socket.once('close', () => sockets.delete(socket))
      })
      await new Promise<void>((resolve) => server.listen(currentPort, '127.0.0.1', resolve))
      currentPort = (server.address() as AddressInfo).port
    }
    const stop = async (): Promise<void> => {
      const server = http
      http = null
      if (!server) return
      ws.closeAll(1001, 'going away')
      for (const socket of sockets) socket.destroy()
      sockets.clear()
      app.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    await listen()
    return {
      url: `http://127.0.0.1:${currentPort}`,
      port: currentPort,
      client: { transport: 'websocket', websocket: { WebSocket } },
      connections: () => app.peers().length,
      handshakes: () => handshakes,
      tokens: () => tokens,
      requestUrls: () => requests.map((r) => r.url ?? ''),
      emitAll: (event, ...args) => app.emit(event as never, ...(args as never[])),
      dropAll: () => {
        for (const socket of sockets) socket.destroy()
      },
      restart: async (delayMs = 0) => {
        await stop()
        await new Promise((r) => setTimeout(r, delayMs))
        await listen()
      },
      stop,
      start: listen,
      close: stop,
    }
  },
}

export const TRANSPORTS = [socketIo, websocket]
