import { configError } from './errors'
import { detectServer, pageOrigin } from './environment'
import type {
  AuthOption,
  BufferOptions,
  DebugLogger,
  RawAuth,
  ReconnectionOptions,
  SocketClientOptions,
  SocketIoLoader,
} from './types'

export type ResolvedAuth =
  | { mode: 'none' }
  | { mode: 'cookie'; retries: number }
  | { mode: 'token'; getToken: () => unknown; retries: number }
  | { mode: 'raw'; value: RawAuth; retries: number }

export interface ResolvedOptions {
  /** `undefined` on the server when no URL was given: the client is inert there anyway. */
  readonly url: string | undefined
  readonly path: string
  readonly namespace: string
  readonly isServer: boolean
  readonly auth: ResolvedAuth
  readonly reconnection: false | Required<ReconnectionOptions>
  readonly buffer: false | Required<BufferOptions>
  readonly ackTimeoutMs: number
  readonly reconnectOnServerDisconnect: boolean
  readonly debug: boolean | DebugLogger
  readonly io: SocketIoLoader | undefined
  readonly socketOptions: NonNullable<SocketClientOptions['socketOptions']>
  /** url + path: one socket.io Manager each. */
  readonly endpoint: string
  /** url + path + namespace: one client each in a registry. */
  readonly key: string
}

export const DEFAULT_RECONNECTION: Required<ReconnectionOptions> = Object.freeze({
  attempts: Infinity,
  delayMs: 1000,
  maxDelayMs: 5000,
  jitter: 0.5,
})
export const DEFAULT_BUFFER: Required<BufferOptions> = Object.freeze({ max: 100, ttlMs: 60_000 })
export const DEFAULT_ACK_TIMEOUT_MS = 10_000

const KNOWN_OPTIONS = new Set([
  'url', 'path', 'namespace', 'isServer', 'auth', 'reconnection', 'buffer', 'ackTimeoutMs',
  'reconnectOnServerDisconnect', 'debug', 'io', 'socketOptions', 'graceMs', 'name',
])

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function nonNegativeNumber(value: unknown, name: string, { integer = false, allowInfinity = false } = {}): number {
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    value >= 0 &&
    (allowInfinity || Number.isFinite(value)) &&
    (!integer || !Number.isFinite(value) || Number.isInteger(value))
  if (!ok) {
    throw configError(
      `${name} must be a ${integer ? 'whole ' : ''}number >= 0${allowInfinity ? ' (or Infinity)' : ''}, got ${JSON.stringify(value) ?? String(value)}.`,
    )
  }
  return value as number
}

function resolveUrl(url: unknown, isServer: boolean): string | undefined {
  if (url === undefined || url === '') {
    const origin = isServer ? undefined : pageOrigin()
    if (!isServer && origin === undefined) {
      throw configError('options.url is required where there is no page origin. Pass the server URL, e.g. url: "http://localhost:8000".')
    }
    return origin
  }
  if (typeof url !== 'string') throw configError(`options.url must be a string, got ${typeof url}.`)
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw configError(`options.url "${url}" is not an absolute URL. Write it with its scheme, e.g. "http://${url.replace(/^\/+/, '')}".`)
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) {
    throw configError(
      `options.url "${url}" must start with http://, https://, ws:// or wss://. Did you mean "http://${url}"?`,
    )
  }
  if (parsed.pathname !== '/' && parsed.pathname !== '') {
    throw configError(
      `options.url "${url}" has a path ("${parsed.pathname}"). Give the origin only and put the socket.io path in options.path or the namespace in options.namespace.`,
    )
  }
  if (parsed.search || parsed.hash) {
    // Query strings end up in logs and proxies: never a place for tokens. Use socketOptions.query deliberately.
    throw configError(`options.url "${url}" has a query or hash. Give the origin only; use auth for credentials and socketOptions.query for anything else.`)
  }
  return `${parsed.protocol}//${parsed.host}`
}

function slashOption(value: unknown, name: string, fallback: string): string {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw configError(`${name} must start with "/", got ${JSON.stringify(value)}. Write "/${String(value ?? '').replace(/^\/+/, '')}".`)
  }
  return value
}

function resolveAuth(auth: AuthOption | undefined): ResolvedAuth {
  if (auth === undefined) return { mode: 'none' }
  if (typeof auth === 'function') return { mode: 'raw', value: auth, retries: 0 }
  if (!isPlainObject(auth)) {
    throw configError(`options.auth must be { mode: 'none' | 'cookie' | 'token' }, a socket.io auth object or a function, got ${typeof auth}.`)
  }
  if (!('mode' in auth)) return { mode: 'raw', value: auth, retries: 0 }
  const mode = auth.mode
  const rawRetries = (auth as { retries?: unknown }).retries
  const retries = (fallback: number): number =>
    rawRetries === undefined ? fallback : nonNegativeNumber(rawRetries, 'options.auth.retries', { integer: true })
  switch (mode) {
    case 'none':
      return { mode: 'none' }
    case 'cookie':
      return { mode: 'cookie', retries: retries(0) }
    case 'token':
      if (typeof auth.getToken !== 'function') {
        throw configError(
          "options.auth.mode 'token' needs getToken: a function returning the token (or a Promise of it), called on every handshake. Example: auth: { mode: 'token', getToken: () => session.token }.",
        )
      }
      return { mode: 'token', getToken: auth.getToken as () => unknown, retries: retries(1) }
    default:
      throw configError(
        `options.auth.mode ${JSON.stringify(mode)} is unknown. Use 'none', 'cookie' or 'token'; a raw socket.io auth object must not have a "mode" key.`,
      )
  }
}

function resolveReconnection(value: SocketClientOptions['reconnection']): ResolvedOptions['reconnection'] {
  if (value === false) return false
  if (value === undefined || (value as unknown) === true) return DEFAULT_RECONNECTION
  if (!isPlainObject(value)) throw configError(`options.reconnection must be false or an object, got ${typeof value}.`)
  const attempts = value.attempts === undefined ? DEFAULT_RECONNECTION.attempts : nonNegativeNumber(value.attempts, 'options.reconnection.attempts', { integer: true, allowInfinity: true })
  const delayMs = value.delayMs === undefined ? DEFAULT_RECONNECTION.delayMs : nonNegativeNumber(value.delayMs, 'options.reconnection.delayMs')
  const maxDelayMs = value.maxDelayMs === undefined ? Math.max(delayMs, DEFAULT_RECONNECTION.maxDelayMs) : nonNegativeNumber(value.maxDelayMs, 'options.reconnection.maxDelayMs')
  const jitter = value.jitter === undefined ? DEFAULT_RECONNECTION.jitter : nonNegativeNumber(value.jitter, 'options.reconnection.jitter')
  if (jitter > 1) throw configError(`options.reconnection.jitter must be between 0 and 1, got ${jitter}.`)
  if (maxDelayMs < delayMs) throw configError(`options.reconnection.maxDelayMs (${maxDelayMs}) must be >= delayMs (${delayMs}).`)
  return Object.freeze({ attempts, delayMs, maxDelayMs, jitter })
}

function resolveBuffer(value: SocketClientOptions['buffer']): ResolvedOptions['buffer'] {
  if (value === false) return false
  if (value === undefined) return DEFAULT_BUFFER
  if (!isPlainObject(value)) throw configError(`options.buffer must be false or { max, ttlMs }, got ${typeof value}.`)
  const max = value.max === undefined ? DEFAULT_BUFFER.max : nonNegativeNumber(value.max, 'options.buffer.max', { integer: true })
  const ttlMs = value.ttlMs === undefined ? DEFAULT_BUFFER.ttlMs : nonNegativeNumber(value.ttlMs, 'options.buffer.ttlMs', { allowInfinity: true })
  return Object.freeze({ max, ttlMs })
}

/** Validates and normalises options. Never mutates `options`. Throws a `config` SocketError for bad input. */
export function resolveOptions(input: SocketClientOptions = {}): ResolvedOptions {
  const options: SocketClientOptions = input
  if (!isPlainObject(input)) throw configError(`options must be an object, got ${options === null ? 'null' : typeof options}.`)
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw configError(`unknown option "${key}". socket.io settings go in socketOptions: { ${key}: … }.`)
    }
  }
  const isServer = options.isServer ?? detectServer()
  if (typeof isServer !== 'boolean') throw configError('options.isServer must be a boolean.')
  const url = resolveUrl(options.url, isServer)
  const path = slashOption(options.path, 'options.path', '/socket.io')
  const namespace = slashOption(options.namespace, 'options.namespace', '/')
  if (options.io !== undefined && typeof options.io !== 'function') {
    throw configError('options.io must be a function returning the socket.io-client module, e.g. io: () => import("socket.io-client").')
  }
  if (options.socketOptions !== undefined && !isPlainObject(options.socketOptions)) {
    throw configError('options.socketOptions must be an object of socket.io Manager/Socket options.')
  }
  if (options.debug !== undefined && typeof options.debug !== 'boolean' && typeof options.debug !== 'function') {
    throw configError('options.debug must be a boolean or a logger function.')
  }
  const ackTimeoutMs = options.ackTimeoutMs === undefined ? DEFAULT_ACK_TIMEOUT_MS : nonNegativeNumber(options.ackTimeoutMs, 'options.ackTimeoutMs')
  if (ackTimeoutMs === 0) throw configError('options.ackTimeoutMs must be > 0.')
  const endpoint = `${url ?? '(page origin)'}${path}`
  return Object.freeze({
    url,
    path,
    namespace,
    isServer,
    auth: resolveAuth(options.auth),
    reconnection: resolveReconnection(options.reconnection),
    buffer: resolveBuffer(options.buffer),
    ackTimeoutMs,
    reconnectOnServerDisconnect: options.reconnectOnServerDisconnect ?? false,
    debug: options.debug ?? false,
    io: options.io,
    socketOptions: options.socketOptions ?? {},
    endpoint,
    key: `${endpoint}#${namespace}`,
  })
}

/** Registry defaults under call options, one level deep for the nested option objects. Inputs untouched. */
export function mergeOptions(defaults: SocketClientOptions, options: SocketClientOptions): SocketClientOptions {
  const merged: SocketClientOptions = { ...defaults, ...options }
  for (const key of ['reconnection', 'buffer', 'socketOptions'] as const) {
    const a = defaults[key]
    const b = options[key]
    if (isPlainObject(a) && isPlainObject(b)) (merged as Record<string, unknown>)[key] = { ...a, ...b }
  }
  return merged
}

/** What must agree between two acquirers of one key; a difference means two owners disagree. */
export function ownershipSignature(options: ResolvedOptions): { auth: string; transports: string } {
  const transports = options.socketOptions.transports
  return {
    auth: options.auth.mode,
    transports: Array.isArray(transports) ? transports.map((t) => (typeof t === 'string' ? t : 'custom')).join(',') : 'default',
  }
}
