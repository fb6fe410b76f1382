// The diagnostics subscription API: what tools (the Nuxt DevTools tab, a test, a logger) read of a registry, live,
// without reaching into internals. Nothing is recorded while no inspector listens, and an app that never imports
// this module ships none of it.
import type { Client } from './client.js'
import { REDACTED, SECRET_KEY, redact } from './engine/logger.js'
import { callSite } from './environment.js'
import { socketError, type SocketError } from './errors.js'
import type { InspectedError, InspectorListener, InspectorRecord, Tapped, Taps } from './engine/tap.js'
import type { Host } from './host.js'
import type { SocketRegistry } from './registry.js'
import type { SocketDiagnostics, SocketStatus } from './types.js'

export type { InspectedError, InspectorListener, InspectorRecord } from './engine/tap.js'

/** One client of the registry as an inspector sees it: a copy, redacted; the caller may keep it. */
export interface InspectedClient {
  /** url + path + namespace, the registry key. */
  readonly key: string
  readonly url: string | undefined
  readonly path: string
  readonly namespace: string
  /** The transport's name ('socket.io' unless options.transport says otherwise). */
  readonly transport: string
  readonly state: {
    readonly status: SocketStatus
    readonly attempt: number
    readonly nextRetryAt: number | null
    readonly id: string | null
    /** The wire ('polling', 'websocket') while connected. */
    readonly wire: string | null
    readonly recovered: boolean
    readonly connectedAt: number | null
    readonly error: InspectedError | null
  }
  /** How many holders the registry counts (acquire without release). */
  readonly refs: number
  /** Disconnects when its grace period ends, unless acquired again. */
  readonly releasing: boolean
  /** Who holds it, as framework bindings describe themselves in development (a component, a call site). */
  readonly holders: readonly string[]
  readonly diagnostics: SocketDiagnostics
}

export interface SocketInspector {
  /** The registry's clients now. */
  clients(): InspectedClient[]
  // Each action returns whether it applied (false: no such client, or nothing to do in its status).
  connect(key: string): boolean
  disconnect(key: string): boolean
  /** Retry now, backoff reset; a connected client (or one in a handshake) is dropped first. */
  reconnect(key: string): boolean
  /**
   * As if the browser went offline: the connection closes and retries pause until `simulateOnline` (page signals
   * such as visibility do not end it). Applies to a client that is connected or trying to be.
   */
  simulateOffline(key: string): boolean
  simulateOnline(key: string): boolean
  /** Stops the records; the registry records nothing once its last inspector stops. */
  stop(): void
}

/** What an inspector reads of a registry: its clients' shared bag and its entries (development and tools only). */
interface Inspectable {
  readonly _rt: { readonly shared: Record<string, unknown>; readonly _entries: Map<string, { client: Client; refs: number; releaseTimer: unknown }> }
}

const NO_SECRETS: ReadonlySet<string> = new Set()
const scrub = (text: string, secrets: ReadonlySet<string>): string => redact(text, secrets) as string
let encoder: TextEncoder | undefined

const isBinary = (value: unknown): value is ArrayBuffer | ArrayBufferView => value instanceof ArrayBuffer || ArrayBuffer.isView(value)
const isBlob = (value: unknown): value is Blob => typeof Blob !== 'undefined' && value instanceof Blob

/**
 * Bytes on the wire, about: the UTF-8 length of the arguments' JSON (one array, without its brackets), with binary
 * (at any depth: socket.io sends it as attachments) counted by its length; ack callbacks count nothing.
 */
function sizeOf(args: readonly unknown[]): number {
  let binary = 0
  let json: string | undefined
  try {
    json = JSON.stringify(args, (_key, value: unknown) => {
      if (isBinary(value)) return void (binary += value.byteLength)
      if (isBlob(value)) return void (binary += value.size)
      return typeof value === 'function' ? undefined : value
    })
  } catch {
    // unserialisable: refused at the call, never sent
  }
  return binary + (json ? (encoder ??= new TextEncoder()).encode(json).length - 2 : 0)
}

const MAX_ITEMS = 20
const MAX_KEYS = 30
const MAX_TEXT = 300

/**
 * A payload as an inspector may show it: secret-looking keys, JWT-looking strings and the client's tokens redacted
 * (the debug log's rules), binary and blobs as their size at any depth, and bounded (depth, items, keys, text) so
 * that a large payload costs a small copy.
 */
function shown(value: unknown, secrets: ReadonlySet<string>, depth = 0): unknown {
  if (typeof value === 'string') {
    const text = scrub(value, secrets)
    return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… (${text.length} characters)` : text
  }
  if (typeof value === 'function') return '[ack]'
  if (value === null || typeof value !== 'object') return value
  if (isBinary(value)) return `[binary ${value.byteLength} B]`
  if (isBlob(value)) return `[blob ${value.size} B]`
  if (depth > 4) return '[…]'
  if (Array.isArray(value)) {
    const out = value.slice(0, MAX_ITEMS).map((v) => shown(v, secrets, depth + 1))
    if (value.length > MAX_ITEMS) out.push(`… ${value.length - MAX_ITEMS} more`)
    return out
  }
  const out: Record<string, unknown> = {}
  const keys = Object.keys(value)
  for (const key of keys.slice(0, MAX_KEYS)) {
    const v = (value as Record<string, unknown>)[key]
    out[key] = SECRET_KEY.test(key) && v !== undefined && v !== null && typeof v !== 'boolean' ? REDACTED : shown(v, secrets, depth + 1)
  }
  if (keys.length > MAX_KEYS) out['…'] = `${keys.length - MAX_KEYS} more keys`
  return out
}

const inspected = (error: SocketError, secrets: ReadonlySet<string>): InspectedError => ({ kind: error.kind, code: error.code, message: scrub(error.message, secrets) })

/**
 * The registry's recorder: builds each record once and hands it to every inspector. `removed` runs whenever the
 * set of listeners shrinks (stop(), or a listener that threw: a closed DevTools frame), the one path that takes the
 * transports' watchers away with the last listener.
 */
function createTaps(removed: () => void): Taps {
  const listeners = new Set<InspectorListener>()
  const secretsOf = (e: Tapped): ReadonlySet<string> => e._auth.secrets ?? NO_SECRETS
  const send = (record: InspectorRecord): void => {
    let dropped = false
    for (const listener of [...listeners]) {
      try {
        listener(record)
      } catch {
        dropped = listeners.delete(listener) || dropped
      }
    }
    if (dropped) removed()
  }
  const taps: Taps = {
    listeners,
    state: (e, from, to, cause) =>
      send({ type: 'state', key: e.f.key, at: Date.now(), from: from.status, to: to.status, cause, attempt: to.attempt, nextRetryAt: to.nextRetryAt, error: to.error && to.error !== from.error ? inspected(to.error, secretsOf(e)) : null }),
    error: (e, error) => send({ type: 'error', key: e.f.key, at: Date.now(), error: inspected(error, secretsOf(e)) }),
    in: (e, event, args) => send({ type: 'event', key: e.f.key, at: Date.now(), direction: 'in', event, size: sizeOf(args), args: shown(args, secretsOf(e)) }),
    out: (e, event, args, ack, queued) =>
      send({ type: 'event', key: e.f.key, at: Date.now(), direction: 'out', event, size: sizeOf(args), args: shown(args, secretsOf(e)), ...(ack ? { ack } : {}), ...(queued ? { queued } : {}) }),
    ack: (e, event, ack, rttMs, error, value) =>
      send({ type: 'ack', key: e.f.key, at: Date.now(), event, ack, rttMs, error: error ? inspected(error, secretsOf(e)) : null, ...(error ? {} : { value: shown(value, secretsOf(e)) }) }),
    // Every incoming event, handled or not, while someone listens; nothing is built once the last one has gone.
    watch: (e) => e.t?.watch?.(listeners.size ? (event, args) => listeners.size > 0 && taps.in(e, event, args) : null),
  }
  return taps
}

/** The facade's own transitions, before the engine loads (connect, a disconnect, a failed load): seen by subscribing. */
function watchFacade(client: Client, taps: Taps, watched: WeakSet<Client>): void {
  if (client._e || client._dead || watched.has(client) || client._o.isServer) return
  watched.add(client)
  client._w = true // the engine, once attached, does not repeat the facade's `connecting`
  const off = client.subscribe((next, previous) => {
    if (client._e || taps.listeners.size === 0) return off()
    const e = { f: client as unknown as Host, _auth: {} }
    taps.state(e, previous, next, next.status === 'failed' ? 'no-engine' : next.status === 'connecting' ? 'connect' : 'disconnect')
    if (next.error && next.error !== previous.error) taps.error(e, next.error)
  })
}

/**
 * Calls `listener` with every state transition (and its cause), event in and out (name, size, redacted arguments),
 * ack round trip and classified error of the registry's clients, from now until `stop()`. Browser only: on the
 * server a registry has no connections to inspect, and nothing is recorded there. Records in development builds
 * only (the engine's hooks are left out of production builds); `clients()` and the actions work in both.
 */
export function inspectRegistry(registry: SocketRegistry, listener: InspectorListener): SocketInspector {
  const runtime = (registry as unknown as Inspectable)._rt
  const entries = runtime._entries
  const retap = (): void => {
    for (const { client } of entries.values()) if (client._e) taps.watch(client._e)
  }
  const taps = (runtime.shared.taps ??= createTaps(retap)) as Taps
  const own: InspectorListener = (record) => listener(record)
  const watched = new WeakSet<Client>()
  // Records come from hooks that production builds leave out of the engine: there the listener gets none (the
  // snapshot and the actions still work).
  if (process.env.NODE_ENV !== 'production') taps.listeners.add(own)
  retap()
  const find = (key: string): Client | undefined => entries.get(key)?.client
  const engineOf = (key: string) => find(key)?._e
  const clients = (): InspectedClient[] =>
    [...entries.values()].map(({ client, refs, releaseTimer }) => {
      if (taps.listeners.has(own)) watchFacade(client, taps, watched)
      const s = client.getState()
      const secrets = client._e?._auth.secrets ?? NO_SECRETS
      const o = client._o
      const t = o.input.transport
      const diagnostics = client.getDiagnostics()
      return {
        key: client.key,
        url: o.url,
        path: o.path,
        namespace: o.namespace,
        transport: typeof t === 'object' ? t.name : (t ?? 'socket.io'),
        state: {
          status: s.status,
          attempt: s.attempt,
          nextRetryAt: s.nextRetryAt,
          id: s.id,
          wire: s.transport,
          recovered: s.recovered,
          connectedAt: s.connectedAt,
          error: s.error ? inspected(s.error, secrets) : null,
        },
        refs,
        releasing: releaseTimer !== null,
        holders: client._h ? [...client._h.values()].map(([name, origin]) => `${name} at ${callSite(origin)}`) : [],
        diagnostics: { ...diagnostics, errors: diagnostics.errors.map((e) => ({ ...e, message: scrub(e.message, secrets) })) },
      }
    })
  for (const { client } of entries.values()) watchFacade(client, taps, watched)
  return {
    clients,
    connect: (key) => call(find(key), 'connect', ['connected', 'connecting']),
    disconnect: (key) => call(find(key), 'disconnect', ['idle', 'disconnected']),
    reconnect(key) {
      const client = find(key)
      if (!client) return false
      const e = client._e
      const status = client.getState().status
      // Connected or in a handshake: dropped first (as a lost connection), so that retrying has something to do.
      if (e && (status === 'connected' || status === 'connecting')) {
        drop(e, 'reconnect() from an inspector')
        e._retryNow()
      } else client.reconnect()
      return true
    },
    simulateOffline(key) {
      const e = engineOf(key)
      if (!e || e._simulatedOffline) return false
      const status = e.f._s.status
      if (status !== 'connected' && status !== 'connecting' && status !== 'reconnecting') return false
      drop(e, 'simulated offline')
      // Until simulateOnline: a page signal (visible, pageshow) does not end it (the engine checks the flag).
      e._simulatedOffline = true
      e._signal('offline')
      return true
    },
    simulateOnline(key) {
      const e = engineOf(key)
      if (!e?._simulatedOffline) return false
      e._simulatedOffline = false
      // The engine's own 'online' handling: retry now, backoff reset.
      e._signal('online')
      return true
    },
    stop() {
      if (taps.listeners.delete(own)) retap()
    },
  }
}

/** Calls `method` on the client unless its status is one where there is nothing to do; whether it applied. */
function call(client: Client | undefined, method: 'connect' | 'disconnect', nothingToDo: readonly SocketStatus[]): boolean {
  if (!client || nothingToDo.includes(client.getState().status)) return false
  client[method]()
  return true
}

/** Ends a live connection (or a handshake) as if it were lost, for the actions that need it down. */
function drop(e: NonNullable<Client['_e']>, why: string): void {
  const status = e.f._s.status
  if (status !== 'connected' && status !== 'connecting') return
  e.t?.close()
  e._go({ type: 'lost', error: socketError('network', 'lost', why) })
}

/** How many inspectors listen to this registry now (what the DevTools tab's test counts back to zero). */
export function inspectorCount(registry: SocketRegistry): number {
  return ((registry as unknown as Inspectable)._rt.shared.taps as Taps | undefined)?.listeners.size ?? 0
}

/**
 * Development: marks `client` as held by `holder` (a component's name) for inspectors, until the returned function
 * is called. `origin`: an Error made where the holder asked for the client (its stack gives the call site; taken now
 * when not given, formatted only when an inspector asks). Framework bindings call it (useSocket does).
 */
export function markHolder(client: object, holder: string, origin: Error = new Error()): () => void {
  const token = {}
  const holders = ((client as Host)._h ??= new Map())
  holders.set(token, [holder, origin])
  return () => void holders.delete(token)
}
