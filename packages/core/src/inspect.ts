// The diagnostics subscription API: what tools (the Nuxt DevTools tab, a test, a logger) read of a registry, live,
// without reaching into internals. Nothing is recorded while no inspector listens, and an app that never imports
// this module ships none of it.
import type { Client } from './client.js'
import { redact } from './engine/logger.js'
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
  connect(key: string): void
  disconnect(key: string): void
  /** Retry now, backoff reset. */
  reconnect(key: string): void
  /** As if the browser went offline: the connection closes and retries pause, until `simulateOnline`. */
  simulateOffline(key: string): void
  simulateOnline(key: string): void
  /** Stops the records; the registry records nothing once its last inspector stops. */
  stop(): void
}

/** What an inspector reads of a registry: its clients' shared bag and its entries (development and tools only). */
interface Inspectable {
  readonly _rt: { readonly shared: Record<string, unknown>; readonly _entries: Map<string, { client: Client; refs: number; releaseTimer: unknown }> }
}

const scrub = (text: string, secrets: ReadonlySet<string>): string => redact(text, secrets) as string
const NO_SECRETS: ReadonlySet<string> = new Set()
let encoder: TextEncoder | undefined

/** Bytes on the wire, about: UTF-8 of the JSON, binary by byte length; handlers (ack callbacks) count nothing. */
function sizeOf(args: readonly unknown[]): number {
  let bytes = 0
  for (const arg of args) {
    if (typeof arg === 'function') continue
    if (arg instanceof ArrayBuffer || ArrayBuffer.isView(arg)) bytes += arg.byteLength
    else {
      try {
        bytes += (encoder ??= new TextEncoder()).encode(JSON.stringify(arg) ?? '').length
      } catch {
        // unserialisable: refused at the call, never sent
      }
    }
  }
  return bytes
}

/** Arguments as an inspector may show them: secrets redacted, binary as its size, an ack callback as a mark. */
function shown(args: readonly unknown[], secrets: ReadonlySet<string>): unknown {
  return args.map((arg) =>
    typeof arg === 'function' ? '[ack]' : arg instanceof ArrayBuffer || ArrayBuffer.isView(arg) ? `[binary ${arg.byteLength} B]` : redact(arg, secrets),
  )
}

const inspected = (error: SocketError, secrets: ReadonlySet<string>): InspectedError => ({ kind: error.kind, message: scrub(error.message, secrets) })

/** The registry's recorder: builds each record once and hands it to every inspector; one that throws is dropped. */
function createTaps(): Taps {
  const listeners = new Set<InspectorListener>()
  const secretsOf = (e: Tapped): ReadonlySet<string> => e._auth.secrets ?? NO_SECRETS
  const send = (record: InspectorRecord): void => {
    for (const listener of [...listeners]) {
      try {
        listener(record)
      } catch {
        listeners.delete(listener) // a closed DevTools frame: not called again
      }
    }
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
      send({ type: 'ack', key: e.f.key, at: Date.now(), event, ack, rttMs, error: error ? inspected(error, secretsOf(e)) : null, ...(error ? {} : { value: shown([value], secretsOf(e)) }) }),
    watch: (e) => e.t?.watch?.(listeners.size ? (event, args) => taps.in(e, event, args) : null),
  }
  return taps
}

/**
 * Calls `listener` with every state transition (and its cause), event in and out (name, size, redacted arguments),
 * ack round trip and classified error of the registry's clients, from now until `stop()`. Browser only: on the
 * server a registry has no connections to inspect, and nothing is recorded there.
 */
export function inspectRegistry(registry: SocketRegistry, listener: InspectorListener): SocketInspector {
  const runtime = (registry as unknown as Inspectable)._rt
  const taps = (runtime.shared.taps ??= createTaps()) as Taps
  const own: InspectorListener = (record) => listener(record)
  const entries = runtime._entries
  const retap = (): void => {
    for (const { client } of entries.values()) if (client._e) taps.watch(client._e)
  }
  taps.listeners.add(own)
  retap()
  const find = (key: string): Client | undefined => entries.get(key)?.client
  return {
    clients: () =>
      [...entries.values()].map(({ client, refs, releaseTimer }) => {
        const s = client.getState()
        const secrets = client._e?._auth.secrets ?? new Set<string>()
        const o = client._o
        const t = o.input.transport
        const diagnostics = client.getDiagnostics()
        return {
          key: client.key,
          url: o.url,
          path: o.path,
          namespace: o.namespace,
          transport: typeof t === 'object' ? t.name : 'socket.io',
          state: {
            status: s.status,
            attempt: s.attempt,
            nextRetryAt: s.nextRetryAt,
            id: s.id,
            wire: s.transport,
            recovered: s.recovered,
            connectedAt: s.connectedAt,
            error: s.error ? { kind: s.error.kind, message: scrub(s.error.message, secrets) } : null,
          },
          refs,
          releasing: releaseTimer !== null,
          holders: client._h ? [...client._h.values()] : [],
          diagnostics: { ...diagnostics, errors: diagnostics.errors.map((e) => ({ ...e, message: scrub(e.message, secrets) })) },
        }
      }),
    connect: (key) => find(key)?.connect(),
    disconnect: (key) => find(key)?.disconnect(),
    reconnect(key) {
      const client = find(key)
      // A connected client is dropped first (as a lost connection), so that reconnect() has something to do.
      if (client?._e) drop(client._e, 'reconnect() from an inspector')
      client?.reconnect()
    },
    simulateOffline(key) {
      const e = find(key)?._e
      if (!e) return
      drop(e, 'simulated offline')
      e._signal('offline')
    },
    // The engine's own 'online' handling: retry now, backoff reset.
    simulateOnline: (key) => find(key)?._e?._signal('online'),
    stop() {
      if (taps.listeners.delete(own)) retap()
    },
  }
}

/** Ends a live connection as if it were lost (reconnecting), for the actions that need it down. */
function drop(e: NonNullable<Client['_e']>, why: string): void {
  if (e.f._s.status !== 'connected') return
  e.t?.close()
  e._go({ type: 'lost', error: socketError('network', 'lost', why) })
}

/**
 * Development: marks `client` as held by `holder` (a component's name; the call site is added) for inspectors,
 * until the returned function is called. Framework bindings call it (useSocket does); apps need not.
 */
export function markHolder(client: object, holder: string): () => void {
  const token = {}
  const holders = ((client as Host)._h ??= new Map())
  holders.set(token, `${holder} at ${callSite()}`)
  return () => void holders.delete(token)
}

