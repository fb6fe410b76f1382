import { configError } from './errors.js'
import { OPTION_SCHEMA, REGISTRY_OPTIONS } from './schema.js'
import type { SocketClientOptions } from './types.js'

// Development-only checks: every call site is wrapped in `process.env.NODE_ENV !== 'production'`, so a
// production bundle carries none of this. Each message names the option and what to write instead.

/** The client's options (one schema: schema.ts) and a registry's. */
const KNOWN_OPTIONS: readonly string[] = [...Object.keys(OPTION_SCHEMA), ...REGISTRY_OPTIONS]

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkNumber(value: unknown, name: string, { integer = false, allowInfinity = false } = {}): void {
  if (value === undefined) return
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
}

function checkUrl(url: unknown): void {
  if (url === undefined || url === '') return
  if (typeof url !== 'string') throw configError(`options.url must be a string, got ${typeof url}.`)
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw configError(`options.url "${url}" is not an absolute URL. Write it with its scheme, e.g. "http://${url.replace(/^\/+/, '')}".`)
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) {
    throw configError(`options.url "${url}" must start with http://, https://, ws:// or wss://. Did you mean "http://${url}"?`)
  }
  if (parsed.pathname !== '/' && parsed.pathname !== '') {
    throw configError(
      `options.url "${url}" has a path ("${parsed.pathname}"). Give the origin only and put the socket.io path in options.path or the namespace in options.namespace.`,
    )
  }
  if (parsed.search || parsed.hash) {
    // Query strings end up in logs and proxies: never a place for tokens.
    throw configError(`options.url "${url}" has a query or hash. Give the origin only; use auth for credentials and socketOptions.query for anything else.`)
  }
}

function checkSlash(value: unknown, name: string): void {
  if (value === undefined) return
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw configError(`${name} must start with "/", got ${JSON.stringify(value)}. Write "/${String(value ?? '').replace(/^\/+/, '')}".`)
  }
}

function checkAuth(auth: unknown): void {
  if (auth === undefined || typeof auth === 'function') return
  if (!isPlainObject(auth)) {
    throw configError(`options.auth must be { mode: 'none' | 'cookie' | 'token' }, a socket.io auth object or a function, got ${typeof auth}.`)
  }
  if (!('mode' in auth)) return
  if (auth.mode === 'token' && typeof auth.getToken !== 'function') {
    throw configError(
      "options.auth.mode 'token' needs getToken: a function returning the token (or a Promise of it), called on every handshake. Example: auth: { mode: 'token', getToken: () => session.token }.",
    )
  }
  if (auth.mode !== 'none' && auth.mode !== 'cookie' && auth.mode !== 'token') {
    throw configError(`options.auth.mode ${JSON.stringify(auth.mode)} is unknown. Use 'none', 'cookie' or 'token'; a raw socket.io auth object must not have a "mode" key.`)
  }
  checkNumber(auth.retries, 'options.auth.retries', { integer: true })
}

/** Throws a `config` SocketError for the first bad option. Development builds only. */
export function validateOptions(options: unknown): void {
  if (!isPlainObject(options)) throw configError(`options must be an object, got ${options === null ? 'null' : typeof options}.`)
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) throw configError(`unknown option "${key}". socket.io settings go in socketOptions: { ${key}: … }.`)
  }
  const o = options as SocketClientOptions & Record<string, unknown>
  if (o.isServer !== undefined && typeof o.isServer !== 'boolean') throw configError('options.isServer must be a boolean.')
  checkUrl(o.url)
  checkSlash(o.path, 'options.path')
  checkSlash(o.namespace, 'options.namespace')
  checkAuth(o.auth)
  const r = o.reconnection as unknown
  if (r !== undefined && r !== false && r !== true) {
    if (!isPlainObject(r)) throw configError(`options.reconnection must be false or an object, got ${typeof r}.`)
    checkNumber(r.attempts, 'options.reconnection.attempts', { integer: true, allowInfinity: true })
    checkNumber(r.delayMs, 'options.reconnection.delayMs')
    checkNumber(r.maxDelayMs, 'options.reconnection.maxDelayMs')
    checkNumber(r.jitter, 'options.reconnection.jitter')
    if (typeof r.jitter === 'number' && r.jitter > 1) throw configError(`options.reconnection.jitter must be between 0 and 1, got ${r.jitter}.`)
    if (typeof r.delayMs === 'number' && typeof r.maxDelayMs === 'number' && r.maxDelayMs < r.delayMs) {
      throw configError(`options.reconnection.maxDelayMs (${r.maxDelayMs}) must be >= delayMs (${r.delayMs}).`)
    }
  }
  const b = o.buffer as unknown
  if (b !== undefined && b !== false) {
    if (!isPlainObject(b)) throw configError(`options.buffer must be false or { max, ttlMs }, got ${typeof b}.`)
    checkNumber(b.max, 'options.buffer.max', { integer: true })
    checkNumber(b.ttlMs, 'options.buffer.ttlMs', { allowInfinity: true })
  }
  checkNumber(o.ackTimeoutMs, 'options.ackTimeoutMs')
  if (o.ackTimeoutMs === 0) throw configError('options.ackTimeoutMs must be > 0.')
  if (o.io !== undefined && typeof o.io !== 'function') {
    throw configError('options.io must be a function returning the socket.io-client module, e.g. io: () => import("socket.io-client").')
  }
  if (o.socketOptions !== undefined && !isPlainObject(o.socketOptions)) throw configError('options.socketOptions must be an object of socket.io Manager/Socket options.')
  if (o.debug !== undefined && typeof o.debug !== 'boolean' && typeof o.debug !== 'function') throw configError('options.debug must be a boolean or a logger function.')
  const t = o.transport as unknown
  if (t !== undefined && t !== 'socket.io' && t !== 'websocket' && !(isPlainObject(t) && typeof t.create === 'function' && typeof t.name === 'string')) {
    throw configError(
      `options.transport must be 'socket.io', 'websocket' or a transport object ({ name, create }, e.g. createMockTransport().transport from @ssr-socket/core/testing), got ${JSON.stringify(t) ?? typeof t}.`,
    )
  }
  if (t === 'websocket' && o.namespace !== undefined && o.namespace !== '/') {
    throw configError(`options.namespace is a socket.io feature: with transport 'websocket' use another path (e.g. path: '/_ws/chat'), got ${JSON.stringify(o.namespace)}.`)
  }
  const w = o.websocket as unknown
  if (w !== undefined) {
    if (!isPlainObject(w)) throw configError("options.websocket must be an object: { framing: 'events' | 'raw', idleTimeoutMs, WebSocket }.")
    if (w.framing !== undefined && w.framing !== 'events' && w.framing !== 'raw') throw configError(`options.websocket.framing must be 'events' or 'raw', got ${JSON.stringify(w.framing)}.`)
    checkNumber(w.idleTimeoutMs, 'options.websocket.idleTimeoutMs')
    checkNumber(w.timeoutMs, 'options.websocket.timeoutMs')
    if (w.WebSocket !== undefined && typeof w.WebSocket !== 'function') throw configError("options.websocket.WebSocket must be a WebSocket class (in Node 20: import { WebSocket } from 'ws').")
  }
  if (o.graceMs !== undefined) checkNumber(o.graceMs, 'graceMs')
  checkNumber(o.maxPayloadBytes, 'options.maxPayloadBytes', { integer: true })
}
