// A transport with no server behind it, for component tests: the test plays the server. It drives the real
// engine (state machine, reconnection policy, queue, acks, auth lifecycle) through the same seam as socket.io,
// so what a component sees is what it would see against a server. It owns no timer of its own: retries are
// the engine's (use fake timers or a small reconnection.delayMs), and the only timeout is the ack deadline the
// client itself asked for when no server handler answers.
import { socketError, type SocketError } from './errors.js'
import type { Transport, TransportContext, TransportFactory } from './transports/types.js'

export interface MockTransportOptions {
  /**
   * Accept each handshake as soon as the client opens (on the next microtask). With `false`, handshakes wait
   * for `accept()`, `rejectAuth()` or `fail()`. @default true
   */
  autoAccept?: boolean
  /**
   * Called with the handshake's auth payload (for token auth: `{ token }`); return false to refuse it as a server's
   * auth middleware would (the client retries with a fresh token up to `auth.retries`, then shows `unauthorized`).
   */
  authorize?: (auth: Record<string, unknown> | undefined) => boolean | Promise<boolean>
}

/** Answers the client's emits of one event; for `emitWithAck`, the returned value (or promise) is the ack. */
export type MockHandler = (...args: unknown[]) => unknown

export interface MockHandshake {
  readonly auth: Record<string, unknown> | undefined
  readonly withCredentials: boolean
}

export interface MockTransport {
  /** Pass as `transport` to createSocketClient / createSocketPlugin / useSocket / the registry. */
  readonly transport: TransportFactory
  /** Connections open now (one per client that connected). */
  readonly connections: number
  /** Every handshake the client made, oldest first. */
  readonly handshakes: readonly MockHandshake[]
  /** Every emit the server received, oldest first (`emit`, `volatile.emit` and `emitWithAck`). */
  readonly received: ReadonlyArray<{ event: string; args: unknown[] }>
  /** Handles the client's `event`; its return value answers `emitWithAck`. Returns the removal function. */
  on(event: string, handler: MockHandler): () => void
  /** Sends `event` to every connected client. */
  emit(event: string, ...args: unknown[]): void
  /** Accepts the handshakes waiting (with `autoAccept: false`). `recovered`: as socket.io's connection state recovery. */
  accept(options?: { recovered?: boolean }): void
  /** Refuses the waiting handshakes as an auth middleware would. */
  rejectAuth(message?: string): void
  /** Fails the waiting handshakes at the network level (the client retries with its backoff). */
  fail(message?: string): void
  /** Cuts every live connection (network loss, ping timeout): clients go `reconnecting` and retry. */
  drop(): void
  /** The server closes every connection on purpose (socket.disconnect() on a server): clients go `disconnected`. */
  kick(): void
  /** The server goes down: live connections drop and every handshake fails until `start()`. */
  stop(): void
  start(): void
  /** `stop()` then `start()`: clients reconnect on their next retry, unrecovered (their `onResync` runs). */
  restart(): void
}

/** A transport whose server is the test. See `MockTransport`. */
export function createMockTransport(options: MockTransportOptions = {}): MockTransport {
  const autoAccept = options.autoAccept ?? true
  const peers = new Set<MockPeer>()
  const handlers = new Map<string, MockHandler>()
  const handshakes: MockHandshake[] = []
  const received: Array<{ event: string; args: unknown[] }> = []
  let up = true
  let ids = 0

  class MockPeer implements Transport {
    readonly reconnects = false
    readonly raw = null
    connected = false
    /** Waiting for the test to accept, refuse or fail it. */
    waiting = false
    /** Bumped by open()/close(): an answer to an older handshake is ignored. */
    private gen = 0
    private readonly timers = new Set<ReturnType<typeof setTimeout>>()
    /** Acks sent and not answered yet: a lost connection fails them, as socket.io does ('ack-lost'). */
    private readonly inFlight = new Set<(error: SocketError) => void>()

    constructor(private readonly c: TransportContext) {}

    get wire(): string | null {
      return this.connected ? 'mock' : null
    }

    open(): void {
      const gen = ++this.gen
      this.connected = false
      this.waiting = false
      peers.add(this)
      void this.credentials().then((auth) => {
        if (gen !== this.gen) return
        handshakes.push({ auth, withCredentials: this.c.auth.withCredentials })
        if (!up) return this.c.sink.failed(socketError('network', 'unreachable', 'mock server stopped'))
        return Promise.resolve(options.authorize ? options.authorize(auth) : true).then((ok) => {
          if (gen !== this.gen) return
          if (!ok) return this.c.sink.failed(socketError('unauthorized', 'refused', 'unauthorized'), 'rejected')
          this.waiting = true
          if (autoAccept) this.accept(false)
        })
      })
    }

    accept(recovered: boolean): void {
      if (!this.waiting) return
      this.waiting = false
      this.connected = true
      this.c.sink.opened({ id: `mock-${++ids}`, transport: 'mock', recovered })
    }

    refuse(error: SocketError, why?: 'rejected'): void {
      if (!this.waiting) return
      this.waiting = false
      this.c.sink.failed(error, why)
    }

    lose(error: SocketError, by: 'lost' | 'server'): void {
      if (!this.connected) return
      this.reset()
      this.c.sink.closed(error, by)
    }

    close(): void {
      this.reset()
    }

    send(event: string, args: readonly unknown[]): void {
      this.receive(event, args)
      handlers.get(event)?.(...args)
    }

    sendWithAck(event: string, args: readonly unknown[], timeoutMs: number, done: (error: SocketError | null, value?: unknown) => void): void {
      this.receive(event, args)
      const handler = handlers.get(event)
      const gen = this.gen
      let settled = false
      const finish = (error: SocketError | null, value?: unknown): void => {
        if (settled) return
        settled = true
        this.inFlight.delete(lost)
        done(error, value)
      }
      const lost = (error: SocketError): void => finish(error)
      this.inFlight.add(lost)
      if (handler) {
        Promise.resolve()
          .then(() => handler(...args))
          .then(
            (value) => gen === this.gen && finish(null, value),
            (error: unknown) => gen === this.gen && finish(socketError('server', 'refused', String(error), error)),
          )
        return
      }
      // No handler answers: the client's own deadline, as socket.io's `timeout()` would apply it.
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        finish(socketError('timeout', 'ack-timeout', event))
      }, timeoutMs)
      this.timers.add(timer)
    }

    listen(): void {}
    unlisten(): void {}

    listenerCounts(events: Iterable<string>): Record<string, number> {
      const out: Record<string, number> = {}
      for (const event of events) out[event] = 1
      return out
    }

    dispose(): void {
      this.reset()
    }

    /** What the server received, encoded as a real wire would: what JSON cannot carry throws here, at the call. */
    private receive(event: string, args: readonly unknown[]): void {
      JSON.stringify(args)
      received.push({ event, args: [...args] })
    }

    deliver(event: string, args: unknown[]): void {
      if (this.connected) this.c.sink.message(event, args)
    }

    private reset(): void {
      this.gen++
      this.connected = false
      this.waiting = false
      peers.delete(this)
      for (const timer of this.timers) clearTimeout(timer)
      this.timers.clear()
      for (const lost of [...this.inFlight]) lost(socketError('network', 'ack-lost', 'mock'))
    }

    private credentials(): Promise<Record<string, unknown> | undefined> {
      const payload = this.c.auth.payload
      if (typeof payload === 'function') return new Promise((resolve) => payload((data) => resolve(data as Record<string, unknown>)))
      return Promise.resolve(payload)
    }
  }

  const each = (f: (peer: MockPeer) => void): void => {
    for (const peer of [...peers]) f(peer)
  }

  return {
    transport: { name: 'mock', create: (context) => new MockPeer(context) },
    get connections() {
      return [...peers].filter((p) => p.connected).length
    },
    handshakes,
    received,
    on(event, handler) {
      handlers.set(event, handler)
      return () => {
        if (handlers.get(event) === handler) handlers.delete(event)
      }
    },
    emit(event, ...args) {
      each((p) => p.deliver(event, args))
    },
    accept({ recovered = false } = {}) {
      each((p) => p.accept(recovered))
    },
    rejectAuth(message = 'unauthorized') {
      each((p) => p.refuse(socketError('unauthorized', 'refused', message), 'rejected'))
    },
    fail(message = 'mock network failure') {
      each((p) => p.refuse(socketError('network', 'unreachable', message)))
    },
    drop() {
      each((p) => p.lose(socketError('network', 'lost', 'transport close'), 'lost'))
    },
    kick() {
      each((p) => p.lose(socketError('server', 'server-disconnect'), 'server'))
    },
    stop() {
      up = false
      each((p) => p.refuse(socketError('network', 'unreachable', 'mock server stopped')))
      this.drop()
    },
    start() {
      up = true
    },
    restart() {
      this.stop()
      this.start()
    },
  }
}
