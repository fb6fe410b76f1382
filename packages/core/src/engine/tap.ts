// What an inspector (the Nuxt DevTools tab, or any tool built on inspectRegistry) sees of a client: its state
// transitions with their causes, events in and out with their sizes, ack round trips and classified errors.
// Nothing is built unless an inspector listens: each call site checks `tapOf()` first, one property read, and only in
// development builds (production leaves the call sites out). The
// recording itself (sizes, redaction) is the inspector's code (inspect.ts), not in the engine's chunk.
import type { SocketError, SocketErrorKind } from '../errors.js'
import type { Host } from '../host.js'
import type { Transport } from '../transports/types.js'
import type { SocketState, SocketStatus } from '../types.js'

/** A classified error as an inspector shows it: kind and message (redacted), never the cause or server data. */
export interface InspectedError {
  readonly kind: SocketErrorKind
  /** The specific cause, when classified ('ping-timeout', 'ws-refused', ...): `hintFor(kind, code)` gives its fix. */
  readonly code?: string | undefined
  readonly message: string
}

/** One thing that happened to one client. `at`: epoch ms. Payloads are redacted (tokens, cookies, secrets). */
export type InspectorRecord =
  | { readonly type: 'state'; readonly key: string; readonly at: number; readonly from: SocketStatus; readonly to: SocketStatus; readonly cause: string; readonly attempt: number; readonly nextRetryAt: number | null; readonly error: InspectedError | null }
  | { readonly type: 'event'; readonly key: string; readonly at: number; readonly direction: 'in' | 'out'; readonly event: string; readonly size: number; readonly args: unknown; readonly ack?: number; readonly queued?: boolean }
  | { readonly type: 'ack'; readonly key: string; readonly at: number; readonly event: string; readonly ack: number; readonly rttMs: number; readonly error: InspectedError | null; readonly value?: unknown }
  | { readonly type: 'error'; readonly key: string; readonly at: number; readonly error: InspectedError }

export type InspectorListener = (record: InspectorRecord) => void

/** What the recorder reads of an engine. */
export interface Tapped {
  readonly f: Host
  readonly _auth: { readonly secrets?: ReadonlySet<string> }
  readonly t?: Transport | null
}

/** Where a registry keeps its inspectors (its clients' shared bag), with the recorder; absent until one listens. */
export interface Taps {
  readonly listeners: Set<InspectorListener>
  state(e: Tapped, from: SocketState, to: SocketState, cause: string): void
  error(e: Tapped, error: SocketError): void
  in(e: Tapped, event: string, args: readonly unknown[]): void
  out(e: Tapped, event: string, args: readonly unknown[], ack?: number, queued?: boolean): void
  ack(e: Tapped, event: string, ack: number, rttMs: number, error: SocketError | null, value: unknown): void
  /** A transport was created (or the listeners changed): a transport that can shows every event, handled or not. */
  watch(e: Tapped): void
}

/** The recorder of this client's registry while an inspector listens, else undefined (nothing is recorded). */
export function tapOf(host: Host): Taps | undefined {
  const taps = host._r.shared.taps as Taps | undefined
  return taps && taps.listeners.size > 0 ? taps : undefined
}
