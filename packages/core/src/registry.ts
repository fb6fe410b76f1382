import { Client, createWarnOnce, loadEngine, loadLib, noop } from './client.js'
import type { ClientRuntime } from './host.js'
import { callSite, detectServer } from './environment.js'
import { socketError } from './errors.js'
import { keyOptions, mergeOptions, type KeyOptions } from './options.js'
import { validateOptions } from './validate.js'
import type { DefaultEmitEvents, DefaultListenEvents, EventsMap, SocketClient, SocketClientOptions, SocketStatus } from './types.js'

export interface SocketRegistryOptions extends SocketClientOptions {
  /** Time an unheld client stays connected after its last `release()`, so a route change does not reconnect. @default 2000 */
  graceMs?: number
  /** Names this registry in warnings and diagnostics. @default where it was created */
  name?: string
}

export interface SocketRegistryDiagnostics {
  name: string
  isServer: boolean
  clients: Array<{ key: string; refs: number; status: SocketStatus; releasing: boolean }>
  managers: number
  windowListeners: number
  pendingReleases: number
}

export interface SocketRegistry {
  readonly name: string
  readonly isServer: boolean
  /**
   * The client for these options (registry defaults underneath), created on first use and shared by
   * reference count, keyed by url + path + namespace. Pair every call with `release()`.
   */
  acquire<L extends EventsMap = DefaultListenEvents, E extends EventsMap = DefaultEmitEvents>(options?: SocketClientOptions): SocketClient<L, E>
  /** Gives a client back; after `graceMs` with no holder it is disconnected and disposed. */
  release(client: SocketClient<EventsMap, EventsMap>): void
  /** The client for these options if one is held, without acquiring it. */
  peek<L extends EventsMap = DefaultListenEvents, E extends EventsMap = DefaultEmitEvents>(options?: SocketClientOptions): SocketClient<L, E> | undefined
  /**
   * Starts loading the connection engine and the default transport library without connecting, so the first
   * `connect()` does not wait for them (the Vue plugin calls it at install, in parallel with mounting). Never
   * rejects; does nothing on the server.
   */
  preload(): Promise<void>
  /** Disconnects and disposes every client; the registry cannot be used afterwards. */
  dispose(): void
  getDiagnostics(): SocketRegistryDiagnostics
}

/** What must agree between two acquirers of one key; a difference means two owners disagree. */
function signatureOf(options: KeyOptions): string {
  const { auth, transport = 'socket.io', socketOptions } = options.input
  const mode = !auth ? 'none' : typeof auth === 'function' || !('mode' in auth) ? 'raw' : auth.mode
  const transports = socketOptions?.transports
  return `{ auth: '${String(mode)}', transport: '${typeof transport === 'object' ? transport.name : transport}', transports: ${transports ? String(transports) : 'default'} }`
}

/**
 * What every namespace on one url + path must agree on: they share one socket.io Manager (one connection), which
 * takes the options of the first. Development only.
 */
function managerSignatureOf(options: KeyOptions): string {
  const { auth, reconnection, socketOptions = {} } = options.input
  const cookies = !!auth && typeof auth === 'object' && 'mode' in auth && auth.mode === 'cookie'
  const { auth: _perSocket, ...manager } = socketOptions as Record<string, unknown>
  return JSON.stringify({ cookies, reconnection, socketOptions: manager })
}

interface Entry {
  client: Client
  refs: number
  releaseTimer: ReturnType<typeof setTimeout> | null
  /** Development only: what two acquirers must agree on, and where the first one was. */
  signature?: string
  site?: string
}

/**
 * Owns the connections of one app: one per Vue app, so one per SSR request. On the server it hands out
 * inert clients and schedules nothing.
 */
export function createSocketRegistry(defaults: SocketRegistryOptions = {}): SocketRegistry {
  const { graceMs: graceOption, name: nameOption, ...clientDefaults } = defaults
  const isServer = clientDefaults.isServer ?? detectServer()
  const graceMs = graceOption ?? 2000
  // Validate the defaults once, up front (development), so a bad option fails where the registry is created.
  if (process.env.NODE_ENV !== 'production') validateOptions(defaults)
  const name = nameOption ?? (process.env.NODE_ENV !== 'production' && !isServer ? `registry created at ${callSite()}` : 'registry')
  const entries = new Map<string, Entry>()
  /** A client's entry: the one under its key, if it is still that client's (a disposed one may have been replaced). */
  const entryOf = (client: unknown): Entry | undefined => {
    const entry = entries.get((client as Client).key)
    return entry?.client === client ? entry : undefined
  }
  let disposed = false
  // Shared by this registry's clients. Its `shared` bag is filled by the engine (manager pool, window listeners)
  // on the first connect in a browser, never on the server.
  const runtime: ClientRuntime = {
    name,
    warnOnce: process.env.NODE_ENV !== 'production' ? createWarnOnce() : noop,
    shared: {},
    _entries: entries,
    onDispose(client) {
      const entry = entryOf(client)
      if (entry) forget(entry)
    },
  }

  // Most calls (every useSocket() without options) ask for the registry's defaults: resolve those once.
  let defaultResolved: KeyOptions | undefined
  function resolve(options: SocketClientOptions | undefined): KeyOptions {
    if (!options || Object.keys(options).length === 0) {
      return (defaultResolved ??= keyOptions({ ...clientDefaults, isServer }))
    }
    return keyOptions(mergeOptions({ ...clientDefaults, isServer }, options))
  }

  function acquire(options?: SocketClientOptions): Client {
    if (disposed) throw socketError('config', 'registry-disposed', name)
    const resolved = resolve(options)
    const existing = entries.get(resolved.key)
    if (existing) {
      // isServer first: on a server nothing here reads process.env (slow in Node) on this per-component path. The
      // signature is computed in development only (a production build keeps no dead read of it).
      const signature = !isServer && process.env.NODE_ENV !== 'production' ? signatureOf(resolved) : undefined
      if (signature !== undefined && existing.signature !== signature) {
        runtime.warnOnce(
          `conflict:${resolved.key}:${signature}`,
          `[ssr-socket] ${resolved.key} was acquired with conflicting options; the first one wins:\n` +
            `  1. ${existing.signature} at ${existing.site}\n  2. ${signature} at ${callSite()}\n` +
            'Two owners of one connection: pick one auth mode and transport list (usually in the plugin options).',
        )
      }
      existing.refs++
      clearTimeout(existing.releaseTimer!) // a release waiting out its grace period: kept after all
      existing.releaseTimer = null
      return existing.client
    }
    const client = new Client(resolved, runtime)
    const entry: Entry = { client, refs: 1, releaseTimer: null }
    if (!isServer && process.env.NODE_ENV !== 'production') {
      entry.signature = signatureOf(resolved)
      entry.site = callSite()
      // Another namespace of the same server: one Manager for both, so its options must agree.
      const manager = managerSignatureOf(resolved)
      for (const other of entries.values()) {
        const theirs = managerSignatureOf(other.client._o)
        if (other.client._o.endpoint !== resolved.endpoint || theirs === manager) continue
        runtime.warnOnce(
          `manager:${resolved.endpoint}:${manager}:${theirs}`,
          `[ssr-socket] ${other.client.key} and ${resolved.key} share one connection to ${resolved.endpoint} (one socket.io Manager), ` +
            'but ask for different connection options (cookies, reconnection, socketOptions); the first one applies to both:\n' +
            `  1. ${theirs} at ${other.site}\n  2. ${manager} at ${entry.site}\n` +
            'Set them once (in the plugin options), or give the second its own url.',
        )
      }
    }
    entries.set(resolved.key, entry)
    return client
  }

  function release(client: SocketClient<EventsMap, EventsMap>): void {
    const entry = entryOf(client)
    if (!entry?.refs || --entry.refs > 0) return // not held (any more), or still held by another
    if (isServer || graceMs === 0) {
      drop(entry)
      return
    }
    entry.releaseTimer = setTimeout(() => {
      entry.releaseTimer = null
      if (entry.refs === 0) drop(entry)
    }, graceMs)
  }

  /** Removes an entry from the books and clears its release timer: the one cleanup path for an entry. */
  function forget(entry: Entry): void {
    clearTimeout(entry.releaseTimer!) // null: nothing to clear (a no-op)
    entry.releaseTimer = null
    if (entries.get(entry.client.key) === entry) entries.delete(entry.client.key)
  }

  function drop(entry: Entry): void {
    forget(entry)
    entry.client.dispose()
  }

  const registry: SocketRegistry & { _rt: ClientRuntime } = {
    name,
    isServer,
    _rt: runtime,
    acquire: acquire as SocketRegistry['acquire'],
    release,
    peek: ((options?: SocketClientOptions) => entries.get(resolve(options).key)?.client) as SocketRegistry['peek'],
    preload() {
      if (isServer || disposed) return Promise.resolve()
      return Promise.all([loadEngine(), loadLib(resolve(undefined))]).then(noop, noop)
    },
    dispose() {
      if (disposed) return
      disposed = true
      for (const entry of [...entries.values()]) drop(entry)
    },
    getDiagnostics() {
      return {
        name,
        isServer,
        clients: [...entries.values()].map((e) => ({ key: e.client.key, refs: e.refs, status: e.client.getState().status, releasing: e.releaseTimer !== null })),
        managers: runtime.shared.pool?.size() ?? 0,
        windowListeners: runtime.shared.signals?.listenerCount() ?? 0,
        pendingReleases: [...entries.values()].filter((e) => e.releaseTimer !== null).length,
      }
    },
  }
  return registry
}
