import { configError, socketError } from './errors.js'
import { detectServer, pageOrigin } from './environment.js'
import type { SocketClientOptions } from './types.js'
import { validateOptions } from './validate.js'

// The rest of the resolution (defaults of everything but the key) is the engine's: engine/resolve.ts. Not
// re-exported here: a re-export would pull it into the entry chunk of every app (esbuild assigns a module to
// every chunk that reaches it, used or not).

/**
 * What the entry chunk needs of the options: where the client connects (its registry key) and whether it is on
 * the server. The rest is resolved by the engine when it attaches (engine/resolve.ts).
 */
export interface KeyOptions {
  /** The options as given (never mutated). */
  readonly input: SocketClientOptions
  /** `undefined` on the server when no URL was given: the client is inert there anyway. */
  readonly url: string | undefined
  readonly path: string
  readonly namespace: string
  readonly isServer: boolean
  /** url + path: one socket.io Manager each. */
  readonly endpoint: string
  /** url + path + namespace: one client each in a registry. */
  readonly key: string
}

/**
 * Validates the options (development: throws a `config` SocketError that names the option and the fix) and
 * derives the key. Never mutates `input`.
 */
export function keyOptions(input: SocketClientOptions = {}): KeyOptions {
  if (process.env.NODE_ENV !== 'production') validateOptions(input)
  const isServer = input.isServer ?? detectServer()
  let url = input.url || (isServer ? undefined : pageOrigin())
  // The server never connects: its key only has to be stable within its registry, so the URL is not parsed there.
  if (url && !isServer) {
    const parsed = new URL(url)
    url = `${parsed.protocol}//${parsed.host}`
  } else if (!isServer) {
    // Code 'options.url' in both builds; the sentence is the development build's (production says the code).
    throw process.env.NODE_ENV !== 'production'
      ? Object.assign(configError('options.url is required where there is no page origin, e.g. url: "http://localhost:8000".'), { code: 'options.url' })
      : socketError('config', 'options.url')
  }
  const path = input.path ?? (input.transport === 'websocket' ? '/_ws' : '/socket.io')
  const namespace = input.namespace ?? '/'
  const endpoint = `${url ?? ''}${path}`
  return { input, url, path, namespace, isServer, endpoint, key: `${endpoint}#${namespace}` }
}

/** Registry defaults under call options, one level deep for the nested option objects. Inputs untouched. */
export function mergeOptions(defaults: SocketClientOptions, options: SocketClientOptions): SocketClientOptions {
  const merged: Record<string, unknown> = { ...defaults, ...options }
  for (const key of ['reconnection', 'buffer', 'socketOptions', 'websocket'] as const) {
    const a = defaults[key]
    const b = options[key]
    if (a && b) merged[key] = { ...a, ...b }
  }
  return merged as SocketClientOptions
}
