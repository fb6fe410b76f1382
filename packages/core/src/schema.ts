// The options, once. Every option of SocketClientOptions has an entry here (the `satisfies` below fails the build
// when one is added to the type and not here): its default, and whether a config file (nuxt.config, runtime config:
// JSON) can set it. Core validation (validate.ts) takes the option names from it; the Nuxt module takes its options
// type (SocketConfigOptions), its defaults and its runtime mapping (fromConfig) from it. The engine applies the
// same defaults in engine/resolve.ts, written out there so that the lazy chunk does not carry this table; a test
// (schema.test.ts) holds the two equal.
import type { AuthOption, BufferOptions, ReconnectionOptions, SocketClientOptions } from './types.js'

interface Entry {
  /** Settable from a config file: true, or false for functions and objects a config cannot hold. */
  readonly config: boolean
  readonly default?: unknown
}

export const OPTION_SCHEMA = {
  url: { config: true, default: undefined },
  path: { config: true, default: '/socket.io' },
  namespace: { config: true, default: '/' },
  isServer: { config: false },
  // In a config: 'none' | 'cookie' | 'token' or { mode, retries }; the token itself comes from code.
  auth: { config: true, default: { mode: 'none' } },
  reconnection: { config: true, default: { attempts: Infinity, delayMs: 1000, maxDelayMs: 5000, jitter: 0.5 } },
  buffer: { config: true, default: { max: 100, ttlMs: 60_000 } },
  ackTimeoutMs: { config: true, default: 10_000 },
  reconnectOnServerDisconnect: { config: true, default: false },
  // In a config: a boolean (a logger function comes from code).
  debug: { config: true, default: false },
  io: { config: false },
  maxPayloadBytes: { config: true, default: undefined },
  // In a config: 'socket.io' | 'websocket' (a transport object comes from code).
  transport: { config: true, default: 'socket.io' },
  // In a config: framing and idleTimeoutMs (a WebSocket implementation comes from code).
  websocket: { config: true, default: {} },
  socketOptions: { config: true, default: {} },
} as const satisfies { readonly [K in keyof Required<SocketClientOptions>]: Entry }

/** The options of a registry on top of a client's. */
export const REGISTRY_OPTIONS = ['graceMs', 'name'] as const

type Schema = typeof OPTION_SCHEMA
type ConfigKey = { [K in keyof Schema]: Schema[K]['config'] extends true ? K : never }[keyof Schema]

/** `auth` as a config file can hold it: a mode, with the retries of the token mode (the token comes from code). */
export type ConfigAuth = 'none' | 'cookie' | 'token' | { mode: 'none' } | { mode: 'cookie'; retries?: number } | { mode: 'token'; retries?: number }

/**
 * The options a config file can set (nuxt.config's `socket`, runtime config): every client option but the ones
 * only code can give (`io`, `isServer`), with `auth` as a mode, `debug` a boolean and `transport` a name.
 */
export type SocketConfigOptions = Omit<Pick<SocketClientOptions, ConfigKey>, 'auth' | 'debug' | 'transport' | 'websocket'> & {
  /** 'websocket': one plain WebSocket to an @ssr-socket/server endpoint (in Nuxt: a Nitro handler). @default 'socket.io' */
  transport?: 'socket.io' | 'websocket'
  /** With `transport: 'websocket'`. */
  websocket?: { framing?: 'events' | 'raw'; idleTimeoutMs?: number; timeoutMs?: number }
  /** `'cookie'` sends the browser's cookies; `'token'` gets a token from code on every handshake. @default 'none' */
  auth?: ConfigAuth
  /** Redacted debug logging in the browser console. @default false */
  debug?: boolean
}

/**
 * The keys a config file can set: the schema's entries with `config: true` (written out, so that a bundle using
 * only fromConfig does not carry the schema table; schema.test.ts holds it equal to the schema).
 */
export const CONFIG_KEYS: readonly ConfigKey[] = ['url', 'path', 'namespace', 'auth', 'reconnection', 'buffer', 'ackTimeoutMs', 'reconnectOnServerDisconnect', 'debug', 'maxPayloadBytes', 'transport', 'websocket', 'socketOptions']

/** JSON turns Infinity into null (runtime config goes through it): back to Infinity for the numbers that allow it. */
function numbers<T extends object>(value: T | false | undefined): T | false | undefined {
  if (!value) return value
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) out[key] = v === null ? Infinity : v
  return out as T
}

/**
 * Client options from config options (what a Nuxt app's runtime config holds): `auth` modes become the core's
 * auth objects (`getToken` for the token mode comes from the caller), nulls from JSON become Infinity again, and
 * every other key passes as it is. Unknown keys are left for validation to name.
 */
export function fromConfig(config: SocketConfigOptions & Record<string, unknown>, getToken?: () => ReturnType<Extract<AuthOption, { mode: 'token' }>['getToken']>): SocketClientOptions {
  const { auth, reconnection, buffer, url, ...rest } = config
  const out: SocketClientOptions & Record<string, unknown> = { ...rest }
  // '' (unset in a config) is the page's origin; a path ('/_ws') is a path on it.
  if (url && url.startsWith('/')) out.path = url
  else if (url) out.url = url
  if (reconnection !== undefined) out.reconnection = numbers<ReconnectionOptions>(reconnection)
  if (buffer !== undefined) out.buffer = numbers<BufferOptions>(buffer)
  if (auth !== undefined) {
    const mode = typeof auth === 'string' ? auth : auth.mode
    const retries = typeof auth === 'object' && 'retries' in auth ? auth.retries : undefined
    out.auth =
      mode === 'token'
        ? { mode, getToken: getToken ?? (() => null), ...(retries === undefined ? {} : { retries }) }
        : ({ mode, ...(retries === undefined ? {} : { retries }) } as AuthOption)
  }
  return out
}
