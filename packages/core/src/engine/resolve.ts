import type { KeyOptions } from '../options.js'
import type { BufferOptions, DebugLogger, ReconnectionOptions, SocketClientOptions } from '../types.js'

/** Every option the engine reads, with its default applied (`??`, so 0 stays 0). `io`, `transport` and
 * `maxPayloadBytes` are read from `input` where they are used (the facade's loader and checks, attach()); `auth`
 * by the auth chunk (engine/auth.ts: resolveAuth), fetched only for a client that has it. */
export interface ResolvedOptions extends KeyOptions {
  readonly reconnection: false | Required<ReconnectionOptions>
  readonly buffer: false | Required<BufferOptions>
  readonly ackTimeoutMs: number
  readonly reconnectOnServerDisconnect: boolean
  readonly debug: boolean | DebugLogger
  readonly socketOptions: NonNullable<SocketClientOptions['socketOptions']>
  readonly websocket: SocketClientOptions['websocket']
}

// The defaults, shared by every client that leaves the option out: read-only (only the engine reads them). The
// empty socketOptions goes to socket.io-client, so it is frozen: a write into it would throw, not leak to others.
const RECONNECTION: Required<ReconnectionOptions> = { attempts: Infinity, delayMs: 1000, maxDelayMs: 5000, jitter: 0.5 }
const BUFFER: Required<BufferOptions> = { max: 100, ttlMs: 60_000 }
const NO_SOCKET_OPTIONS = Object.freeze({})

/** The engine's half of option resolution: the defaults of everything but the key. */
export function completeOptions(base: KeyOptions): ResolvedOptions {
  const input = base.input
  const r = input.reconnection
  const b = input.buffer
  const delayMs = (r ? r.delayMs : undefined) ?? 1000
  // Object.assign onto {}, not a literal that starts with `...base`: V8 gives each such object a hidden class of its
  // own, about 0.5 KB per client (bench/memory.mjs).
  const resolved: Omit<ResolvedOptions, keyof KeyOptions> = {
    reconnection:
      r === false
        ? false
        : !r
          ? RECONNECTION
          : { attempts: r.attempts ?? Infinity, delayMs, maxDelayMs: r.maxDelayMs ?? Math.max(delayMs, 5000), jitter: r.jitter ?? 0.5 },
    buffer: b === false ? false : !b ? BUFFER : { max: b.max ?? 100, ttlMs: b.ttlMs ?? 60_000 },
    ackTimeoutMs: input.ackTimeoutMs ?? 10_000,
    reconnectOnServerDisconnect: input.reconnectOnServerDisconnect ?? false,
    debug: input.debug ?? false,
    socketOptions: input.socketOptions ?? NO_SOCKET_OPTIONS,
    websocket: input.websocket,
  }
  return Object.assign({}, base, resolved)
}
