/** Page signals that should cut a reconnection short or hold it. */
export type BrowserSignal = 'online' | 'offline' | 'visible' | 'pageshow'

export interface BrowserEvents {
  /** The first subscriber attaches the window/document listeners; the last one to leave removes them. */
  subscribe(listener: (signal: BrowserSignal) => void): () => void
  /** Window/document listeners currently attached by this instance. */
  listenerCount(): number
}

/**
 * One instance per registry (or per standalone client): no module-level state, and nothing attached
 * before a client wants a connection. Does nothing where there is no window. A class: a standalone client owns one.
 */
class Signals implements BrowserEvents {
  private readonly _listeners = new Set<(signal: BrowserSignal) => void>()
  private _detach: (() => void) | null = null
  private _attached = 0

  subscribe(listener: (signal: BrowserSignal) => void): () => void {
    this._listeners.add(listener)
    if (!this._detach) this._detach = this._attach()
    return () => {
      this._listeners.delete(listener)
      if (this._listeners.size === 0 && this._detach) {
        this._detach()
        this._detach = null
      }
    }
  }

  listenerCount(): number {
    return this._attached
  }

  private _emit(signal: BrowserSignal): void {
    for (const listener of [...this._listeners]) listener(signal)
  }

  private _attach(): () => void {
    const win = typeof window !== 'undefined' ? window : undefined
    const doc = typeof document !== 'undefined' ? document : undefined
    const removers: Array<() => void> = []
    const add = (target: EventTarget | undefined, type: string, handler: (event: Event) => void): void => {
      if (!target || typeof target.addEventListener !== 'function') return
      target.addEventListener(type, handler)
      this._attached++
      removers.push(() => {
        target.removeEventListener(type, handler)
        this._attached--
      })
    }
    add(win, 'online', () => this._emit('online'))
    add(win, 'offline', () => this._emit('offline'))
    // A page restored from the back-forward cache has lost its connections.
    add(win, 'pageshow', (event) => {
      if ((event as PageTransitionEvent).persisted) this._emit('pageshow')
    })
    add(doc, 'visibilitychange', () => {
      if (doc?.visibilityState === 'visible') this._emit('visible')
    })
    return () => {
      for (const remove of removers.splice(0)) remove()
    }
  }
}

export function createBrowserEvents(): BrowserEvents {
  return new Signals()
}
