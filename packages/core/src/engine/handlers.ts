// The handler table of one client: each server event reaches each handler once, in order, across any number of
// reconnects (the transport is told which event names to listen to, never given the handlers themselves).
import type { Transport } from '../transports/types.js'
import { refuse } from './refuse.js'

type Handler = (...args: unknown[]) => void

/** A handler table entry; a `once` entry is removed before its first call. */
export interface HandlerEntry {
  readonly f: Handler
  readonly once: boolean
}

export class Handlers {
  /** Arrays replaced on change, so that a dispatch iterates one without copying it. Created on first use. */
  _table: Map<string, HandlerEntry[]> | undefined
  private _resync: Set<() => void> | undefined
  /** Handlers already reported as throwing (development: one report each). */
  private _reported: WeakSet<object> | undefined

  /** The transport (when there is one) is told when an event gets its first handler and loses its last. */
  constructor(private readonly _host: { readonly t: Transport | null }) {}

  on(event: string, f: Handler, once = false): () => void {
    if (process.env.NODE_ENV === 'production') refuse(typeof event === 'string' && typeof f === 'function', 'on') // development refused at the call (client.ts)
    const table = (this._table ?? (this._table = new Map<string, HandlerEntry[]>()))
    const list = table.get(event)
    if (!list) {
      table.set(event, [{ f, once }])
      this._host.t?.listen(event)
    } else if (!list.some((entry) => entry.f === f)) {
      table.set(event, [...list, { f, once }])
    }
    return () => this.off(event, f)
  }

  off(event: string, f?: Handler): void {
    const table = this._table
    const list = table?.get(event)
    if (!table || !list) return
    const rest = f ? list.filter((entry) => entry.f !== f) : []
    if (rest.length) table.set(event, rest)
    else {
      table.delete(event)
      this._host.t?.unlisten(event)
    }
  }

  onResync(f: () => void): () => void {
    if (process.env.NODE_ENV === 'production') refuse(typeof f === 'function', 'onResync')
    ;(this._resync ?? (this._resync = new Set())).add(f)
    return () => this.offResync(f)
  }

  offResync(f: () => void): void {
    this._resync?.delete(f)
  }

  /** After a reconnect the server did not recover: what happened meanwhile is lost, tell the app. */
  _runResync(): void {
    // Each on its own: one that throws is reported and the others (and the flush after them) still run.
    if (this._resync) for (const listener of [...this._resync]) {
      try {
        listener()
      } catch (error) {
        this._report('resync', listener, error)
      }
    }
  }

  /** Each handler of `event` once, in order; one that throws is reported and does not stop the others. */
  _dispatch(event: string, args: unknown[]): void {
    const list = this._table?.get(event)
    if (!list) return
    for (const entry of list) {
      if (entry.once) this.off(event, entry.f)
      try {
        entry.f(...args)
      } catch (error) {
        this._report(event, entry.f, error)
      }
    }
  }

  _events(): Iterable<string> {
    return this._table ? this._table.keys() : []
  }

  _counts(): Record<string, number> {
    const out: Record<string, number> = {}
    if (this._table) for (const [event, list] of this._table) out[event] = list.length
    return out
  }

  _clear(): void {
    this._table = this._resync = undefined
  }

  private _report(event: string, handler: object, error: unknown): void {
    if (process.env.NODE_ENV !== 'production') {
      if ((this._reported ?? (this._reported = new WeakSet())).has(handler)) return
      this._reported.add(handler)
      console.error(`[ssr-socket] A handler of "${event}" threw (reported once per handler; the other handlers still ran):`, error)
    } else {
      const g = globalThis as { reportError?: (error: unknown) => void }
      ;(g.reportError ?? console.error)(error)
    }
  }
}
