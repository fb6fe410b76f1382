// What the facade (client.ts) and the engine (engine/) share: the facade's members the engine drives, and the
// shape of a recorded call. Types only, so that both sides depend on this file and not on each other.
import type { Kit } from './engine/kit.js'
import type { KeyOptions } from './options.js'
import type { SocketState } from './types.js'

/** What a client shares with the other clients of its registry (or owns alone when standalone). */
export interface ClientRuntime {
  readonly name: string
  warnOnce(key: string, message: string): void
  /** Called once when the client is disposed. */
  onDispose?(client: Host): void
  /** Filled by the engine on first use: machinery shared by the registry's clients (manager pool, window listeners). */
  readonly shared: { pool?: { size(): number }; signals?: { listenerCount(): number } } & Record<string, unknown>
  /** A registry's entries, for inspectors (inspect.ts); standalone clients have none. */
  readonly _entries?: Map<string, unknown>
}

/** A call made before the engine attached: method, arguments, monotonic time, and an ack's settle functions. */
export type Recorded = [method: string, args: unknown[], at: number, settle?: [(value: unknown) => void, (error: unknown) => void]]

/** The facade as the engine sees it. */
export interface Host {
  readonly key: string
  /** What the engine takes from the entry chunk (engine/kit.ts). */
  readonly _k: Kit
  readonly _o: KeyOptions
  readonly _r: ClientRuntime
  /** The state the facade shows; the engine sets it through `_set`. */
  readonly _s: SocketState
  _set(next: SocketState): void
  /** The wire library's load, shared until one fails (a failed one is forgotten, so the next call loads again). */
  _lib(): Promise<[unknown, unknown]>
  /** Calls recorded until the engine attached. */
  _q?: Recorded[]
  _e?: unknown
  readonly _dead?: boolean
  /** Development: who holds this client, as framework bindings describe themselves, and where (see markHolder). */
  _h?: Map<object, [holder: string, origin: Error]>
  /** An inspector watches the facade's own transitions (before the engine attaches). */
  _w?: boolean
  /** Marks the facade disposed and tells the registry. */
  _die(): void
}
