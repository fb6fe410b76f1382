import { configError } from './errors'
import { detectServer, pageOrigin } from './environment'
import type { BufferOptions, DebugLogger, RawAuth, ReconnectionOptions, SocketClientOptions, SocketIoLoader } from './types'
import { validateOptions } from './validate'

export type ResolvedAuth =
  | { mode: 'none'; retries: number }
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
  readonly maxPayloadBytes: number | undefined
  /** url + path: one socket.io Manager each. */
  readonly endpoint: string
  /** url + path + namespace: one client each in a registry. */
  readonly key: string
}

function resolveAuth(auth: SocketClientOptions['auth']): ResolvedAuth {
  if (!auth) return { mode: 'none', retries: 0 }
  if (typeof auth === 'function' || !('mode' in auth)) return { mode: 'raw', value: auth as RawAuth, retries: 0 }
  const retries = (auth as { retries?: number }).retries
  return auth.mode === 'token'
    ? { mode: 'token', getToken: auth.getToken as () => unknown, retries: retries ?? 1 }
    : { mode: auth.mode as 'none' | 'cookie', retries: retries ?? 0 }
}

/**
 * Normalises options (defaults with `??`, so 0 stays 0). Never mutates `input`. In development it first
 * validates them and throws a `config` SocketError that names the option and the fix.
 */
export function resolveOptions(input: SocketClientOptions = {}): ResolvedOptions {
  if (process.env.NODE_ENV !== 'production') validateOptions(input)
  const isServer = input.isServer ?? detectServer()
  let url = input.url || (isServer ? undefined : pageOrigin())
  if (url) {
    const parsed = new URL(url)
    url = `${parsed.protocol}//${parsed.host}`
  } else if (!isServer) {
    throw configError('options.url is required where there is no page origin, e.g. url: "http://localhost:8000".')
  }
  const path = input.path ?? '/socket.io'
  const namespace = input.namespace ?? '/'
  const r = input.reconnection || {}
  const b = input.buffer || {}
  const delayMs = r.delayMs ?? 1000
  const endpoint = `${url ?? ''}${path}`
  return {
    url,
    path,
    namespace,
    isServer,
    auth: resolveAuth(input.auth),
    reconnection:
      input.reconnection === false
        ? false
        : { attempts: r.attempts ?? Infinity, delayMs, maxDelayMs: r.maxDelayMs ?? Math.max(delayMs, 5000), jitter: r.jitter ?? 0.5 },
    buffer: input.buffer === false ? false : { max: b.max ?? 100, ttlMs: b.ttlMs ?? 60_000 },
    ackTimeoutMs: input.ackTimeoutMs ?? 10_000,
    reconnectOnServerDisconnect: input.reconnectOnServerDisconnect ?? false,
    debug: input.debug ?? false,
    io: input.io,
    socketOptions: input.socketOptions ?? {},
    maxPayloadBytes: input.maxPayloadBytes,
    endpoint,
    key: `${endpoint}#${namespace}`,
  }
}

/** Registry defaults under call options, one level deep for the nested option objects. Inputs untouched. */
export function mergeOptions(defaults: SocketClientOptions, options: SocketClientOptions): SocketClientOptions {
  const merged: Record<string, unknown> = { ...defaults, ...options }
  for (const key of ['reconnection', 'buffer', 'socketOptions'] as const) {
    const a = defaults[key]
    const b = options[key]
    if (a && b) merged[key] = { ...a, ...b }
  }
  return merged as SocketClientOptions
}
