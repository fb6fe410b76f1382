// Every limit of the server, resolved once at creation: each has a default, a range checked here (a value out of range
// is an error that says what to write, never a silent clamp that turns into a 1 ms timer), and a close code
// (protocol.ts). PROTOCOL.md and the README list the same defaults.

/** The longest delay setTimeout keeps (a longer one fires at once). */
const MAX_DELAY = 2_147_483_647

export interface Limits {
  readonly maxPayloadBytes: number
  readonly bytesPerSecond: number | false
  readonly rateLimit: { readonly events: number; readonly perMs: number } | false
  readonly maxBufferedBytes: number
  readonly maxArguments: number
  readonly pingIntervalMs: number
  readonly pingTimeoutMs: number
  readonly handshakeTimeoutMs: number
  readonly ackTimeoutMs: number
  /** Connection state recovery: off (`false`), or its bounds. */
  readonly recovery: false | { readonly maxDisconnectionDurationMs: number; readonly maxPackets: number; readonly maxBytes: number }
}

/** Connection state recovery's bounds (PROTOCOL.md, "Recovery"). */
export interface RecoveryOptions {
  /** How long a dropped connection's session (rooms, `peer.data`) and the packets sent to it are kept. @default 120000 */
  maxDisconnectionDurationMs?: number
  /** Packets kept for replay, across every session of the server (the oldest go first). @default 10000 */
  maxPackets?: number
  /** Characters of those packets, in all. @default 16777216 */
  maxBytes?: number
}

export interface LimitOptions {
  /**
   * Frames above this many bytes close the connection (4413). Give the same number to the runtime's WebSocket
   * server (`serverOptions: { maxPayload }` for crossws's Node adapter) so that a larger frame is refused while it
   * arrives (1009), before it is buffered. @default 1048576
   */
  maxPayloadBytes?: number
  /** Bytes one connection may send per second, frames of every type (4429 beyond), or false. @default 2 × maxPayloadBytes */
  bytesPerSecond?: number | false
  /**
   * At most this many events per window from one connection (4429 beyond). Answers to the server's own
   * `emitWithAck` and pongs to its pings do not count. @default { events: 100, perMs: 1000 }
   */
  rateLimit?: { events: number; perMs: number } | false
  /**
   * A peer for which more than this many bytes wait unsent (it reads slower than the server sends) is closed (4509)
   * and nothing more is queued for it. Read where the runtime reports it (`bufferedAmount`). @default 1048576
   */
  maxBufferedBytes?: number
  /** Arguments one event may carry; more get an error frame (`too-many-arguments`). @default 32 */
  maxArguments?: number
  /** @default 25000 */
  pingIntervalMs?: number
  /** @default 20000 */
  pingTimeoutMs?: number
  /** Time a new connection has to send `hello`. @default 10000 */
  handshakeTimeoutMs?: number
  /** Time `peer.emitWithAck` waits. @default 10000 */
  ackTimeoutMs?: number
  /**
   * Connection state recovery, as socket.io's: a client that drops (network, ping timeout, the server's shutdown) and
   * comes back within `maxDisconnectionDurationMs` gets its session back (the same `peer.id`, rooms and `peer.data`)
   * and the events sent to it meanwhile, in order, once (`recovered: true` on both sides). `true` takes the defaults.
   * Off by default: it keeps every event sent without an ack for that long (bounded by maxPackets and maxBytes).
   * @default false
   */
  recovery?: boolean | RecoveryOptions
}

const int = (value: unknown, name: string, fallback: number, min: number, max: number): number => {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`[ssr-socket/server] options.${name} must be an integer from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}, got ${typeof value === 'number' ? value : typeof value}.`)
  }
  return value
}

/**
 * The limits in force for these options: each default applied, each value range-checked (a RangeError or TypeError
 * that names the option). What `createSocketServer(options).limits` holds; the Nuxt module reads the payload limit
 * here for Nitro's WebSocket server.
 */
export function resolveLimits(o: LimitOptions): Limits {
  const maxPayloadBytes = int(o.maxPayloadBytes, 'maxPayloadBytes', 1_048_576, 64, 1_073_741_824)
  const rate = o.rateLimit
  if (rate !== undefined && rate !== false && (typeof rate !== 'object' || rate === null)) {
    throw new TypeError('[ssr-socket/server] options.rateLimit must be { events, perMs } or false.')
  }
  return {
    maxPayloadBytes,
    // A frame of the largest size must fit in one second's budget, or it could never be sent.
    bytesPerSecond: o.bytesPerSecond === false ? false : int(o.bytesPerSecond, 'bytesPerSecond', 2 * maxPayloadBytes, maxPayloadBytes, Number.MAX_SAFE_INTEGER),
    rateLimit: rate === false ? false : { events: int(rate?.events, 'rateLimit.events', 100, 1, 1_000_000), perMs: int(rate?.perMs, 'rateLimit.perMs', 1000, 1, MAX_DELAY) },
    maxBufferedBytes: int(o.maxBufferedBytes, 'maxBufferedBytes', 1_048_576, 1024, Number.MAX_SAFE_INTEGER),
    maxArguments: int(o.maxArguments, 'maxArguments', 32, 1, 10_000),
    pingIntervalMs: int(o.pingIntervalMs, 'pingIntervalMs', 25_000, 1, MAX_DELAY),
    pingTimeoutMs: int(o.pingTimeoutMs, 'pingTimeoutMs', 20_000, 1, MAX_DELAY),
    handshakeTimeoutMs: int(o.handshakeTimeoutMs, 'handshakeTimeoutMs', 10_000, 1, MAX_DELAY),
    ackTimeoutMs: int(o.ackTimeoutMs, 'ackTimeoutMs', 10_000, 1, MAX_DELAY),
    recovery: resolveRecovery(o.recovery),
  }
}

function resolveRecovery(r: LimitOptions['recovery']): Limits['recovery'] {
  if (r === undefined || r === false) return false
  if (r !== true && (typeof r !== 'object' || r === null)) {
    throw new TypeError('[ssr-socket/server] options.recovery must be true, false or { maxDisconnectionDurationMs, maxPackets, maxBytes }.')
  }
  const o = r === true ? {} : r
  return {
    maxDisconnectionDurationMs: int(o.maxDisconnectionDurationMs, 'recovery.maxDisconnectionDurationMs', 120_000, 1, MAX_DELAY),
    maxPackets: int(o.maxPackets, 'recovery.maxPackets', 10_000, 1, 10_000_000),
    maxBytes: int(o.maxBytes, 'recovery.maxBytes', 16_777_216, 1024, Number.MAX_SAFE_INTEGER),
  }
}

/** One connection's use of its budgets in the current window. */
export class Budget {
  private _eventsStart = 0
  private _events = 0
  private _bytesStart = 0
  private _bytes = 0

  constructor(private readonly _l: Limits) {}

  /** Adds a frame's bytes; false when the connection is over its bytes-per-second budget. */
  bytes(n: number, now: number): boolean {
    const max = this._l.bytesPerSecond
    if (max === false) return true
    if (now - this._bytesStart >= 1000) {
      this._bytesStart = now
      this._bytes = 0
    }
    return (this._bytes += n) <= max
  }

  /** Counts one event (or any frame that is not an answer the server asked for); false when over the limit. */
  event(now: number): boolean {
    const rate = this._l.rateLimit
    if (!rate) return true
    if (now - this._eventsStart >= rate.perMs) {
      this._eventsStart = now
      this._events = 0
    }
    return ++this._events <= rate.events
  }
}
