import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import type { Server, ServerOptions, Socket as ServerSocket } from 'socket.io'

export interface TestServerOptions {
  /** Fixed port (to restart on the same one); 0 picks a free one. */
  port?: number
  server?: Partial<ServerOptions>
  /** Runs as namespace middleware for '/'; call next(new Error()) to reject. */
  middleware?: (socket: ServerSocket, next: (err?: Error) => void) => void
  onConnection?: (socket: ServerSocket) => void
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  readonly io: Server
  /** Every HTTP request URL the server saw (polling and upgrade requests). */
  readonly requests: IncomingMessage[]
  /** Number of sockets connected now to '/'. */
  connectionCount(): number
  /** Handshakes received by the engine (including refused ones). */
  handshakes(): number
  close(): Promise<void>
  /** Closes and starts a new server on the same port (clients see "transport close" and reconnect). */
  restart(delayMs?: number): Promise<void>
  /** Cuts every connection at the transport, without a socket.io DISCONNECT: clients reconnect. */
  dropAll(): void
  /** Refuses handshakes whose `auth` payload matches (namespace middleware error "unauthorized"); `null` accepts all again. */
  rejectAuth(predicate: ((auth: Record<string, unknown>, socket: ServerSocket) => boolean) | null): void
  /** Stops the server and starts it later with `start()` on the same port. */
  stop(): Promise<void>
  start(): Promise<void>
}

/**
 * A real socket.io server on 127.0.0.1 for tests (yours and ours). Node only; needs `socket.io` installed.
 * Always `close()` it: it owns a listening socket.
 */
export async function createTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  let http: HttpServer | null = null
  let io: Server | null = null
  /**
   * With connection state recovery, one socket.io Server lives across restarts (attached to each new HTTP server), as
   * a process that survives a restart keeps its memory: sessions persisted at the shutdown are recovered after it.
   */
  let kept: Server | null = null
  let port = options.port ?? 0
  const requests: IncomingMessage[] = []
  let handshakeCount = 0
  let rejecter: ((auth: Record<string, unknown>, socket: ServerSocket) => boolean) | null = null

  async function start(): Promise<void> {
    // Loaded here, not at the top: the rest of @ssr-socket/core/testing (createMockTransport, waitFor) works in an app
    // that has no socket.io installed (a WebSocket-only Nuxt app testing with @ssr-socket/nuxt/testing).
    const { Server } = await import('socket.io')
    const h = createServer()
    const reused = kept
    const s = reused ? reused.attach(h) : new Server(h, { cors: { origin: true, credentials: true }, ...options.server })
    if (options.server?.connectionStateRecovery) kept = s
    // After engine.io attached: it takes over the listeners that exist when it attaches.
    h.on('request', (req) => requests.push(req))
    h.on('upgrade', (req) => requests.push(req))
    s.engine.on('initial_headers', () => handshakeCount++)
    s.engine.on('connection_error', () => handshakeCount++)
    if (!reused) {
      s.use((socket, next) => {
        if (rejecter?.(socket.handshake.auth as Record<string, unknown>, socket)) next(new Error('unauthorized'))
        else next()
      })
      if (options.middleware) s.use(options.middleware)
      if (options.onConnection) s.on('connection', options.onConnection)
    }
    await new Promise<void>((resolve, reject) => {
      h.once('error', reject)
      h.listen(port, '127.0.0.1', () => resolve())
    })
    port = (h.address() as AddressInfo).port
    http = h
    io = s
  }

  async function stop(): Promise<void> {
    const s = io
    const h = http
    io = null
    http = null
    if (!s || !h) return
    // Like a crash or a deploy: io.close() drops every engine connection without a socket.io DISCONNECT
    // packet (clients see "transport close", not "io server disconnect"), then closes the HTTP server.
    const closed = new Promise<void>((resolve) => s.close(() => resolve()))
    // The HTTP server's close waits for keep-alive and long-polling connections: end them now.
    h.closeAllConnections()
    await closed
  }

  await start()
  return {
    get url() {
      return `http://127.0.0.1:${port}`
    },
    get port() {
      return port
    },
    get io() {
      // (With recovery, the Server that outlives a stop: what is sent to its rooms meanwhile is kept for replay.)
      const s = io ?? kept
      if (!s) throw new Error('test server is stopped')
      return s
    },
    requests,
    connectionCount: () => io?.of('/').sockets.size ?? 0,
    handshakes: () => handshakeCount,
    close: async () => {
      kept = null
      await stop()
    },
    stop,
    start,
    dropAll() {
      for (const socket of io?.of('/').sockets.values() ?? []) socket.conn.close()
    },
    rejectAuth(predicate) {
      rejecter = predicate
    },
    async restart(delayMs = 0) {
      await stop()
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs))
      await start()
    },
  }
}

/** Resolves when `predicate` holds, polling every 5 ms; rejects after `timeoutMs` with `what`. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const started = Date.now()
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** A TCP port free on 127.0.0.1 right now (for servers that must be started by another process). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

/** `process.getActiveResourcesInfo()` counted by type: compare before and after to prove nothing is left. */
export function activeResources(): Record<string, number> {
  const out: Record<string, number> = {}
  for (const type of process.getActiveResourcesInfo()) out[type] = (out[type] ?? 0) + 1
  return out
}
