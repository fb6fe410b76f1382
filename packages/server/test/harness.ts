// One test server per transport with the same face, so that the contract suite runs the same cases against socket.io
// (the core's test server) and the WebSocket transport (@ssr-socket/server on crossws's Node adapter), both real, on
// 127.0.0.1. Each one answers `echo` (ack with the value), `never` (asks for an ack and never answers), `greet`
// (emits `greeting` back), `join` (joins a room, counted, acks true) and checks the handshake's token
// against `accept`. With `recovery`, each has connection state recovery on (socket.io's own, or @ssr-socket/server's).
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
  /** Connection state recovery on, sessions kept this long. */
  recovery?: { maxDisconnectionDurationMs: number }
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
  /** To one client by its id (socket.io: its own room, as recoverable sends to one socket are written there). */
  emitTo(id: string, event: string, ...args: unknown[]): void
  emitRoom(room: string, event: string, ...args: unknown[]): void
  /** `join` events received, in all. */
  joins(): number
  /** Cuts every connection at the transport (no close handshake): clients reconnect. */
  dropAll(): void
  /** Closes the server and starts a new one on the same port after `delayMs`. */
  restart(delayMs?: number): Promise<void>
  stop(): Promise<void>
  start(): Promise<void>
  close(): Promise<void>
  /** @ssr-socket/server's own figures (the WebSocket harness only). */
  stats?(): ReturnType<ReturnType<typeof createSocketServer>['stats']>
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
    let joins = 0
    const tokens: unknown[] = []
    const recovery = options.recovery && { connectionStateRecovery: { maxDisconnectionDuration: options.recovery.maxDisconnectionDurationMs, skipMiddlewares: false } }
    const server = await createTestServer({
      port,
      server: { pingInterval: options.pingIntervalMs ?? 25_000, pingTimeout: options.pingTimeoutMs ?? 20_000, ...recovery },
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
        socket.on('join', (room: string, ack: (v: unknown) => void) => {
          joins++
          void socket.join(room)
          ack(true)
        })
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
      emitTo: (id, event, ...args) => void server.io.to(id).emit(event, ...args),
      emitRoom: (room, event, ...args) => void server.io.to(room).emit(event, ...args),
      joins: () => joins,
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
    let joins = 0
    const tokens: unknown[] = []
    const requests: IncomingMessage[] = []
    const app = createSocketServer({
      pingIntervalMs: options.pingIntervalMs,
      pingTimeoutMs: options.pingTimeoutMs,
      recovery: options.recovery,
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
    app.on('join', (peer, room: string, ack: (v: unknown) => void) => {
      joins++
      peer.join(room)
      ack(true)
    })
    // The latest peer of each id: a send to a client that dropped goes through its peer (recorded for its return).
    const byId = new Map<string, ReturnType<typeof app.peers>[number]>()
    app.onConnection((peer) => void byId.set(peer.id, peer))
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
      emitTo: (id, event, ...args) => byId.get(id)?.emit(event as never, ...(args as never[])),
      emitRoom: (room, event, ...args) => app.to(room).emit(event as never, ...(args as never[])),
      joins: () => joins,
      stats: () => app.stats(),
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
