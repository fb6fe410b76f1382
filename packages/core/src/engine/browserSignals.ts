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
 * before a client wants a connection. Does nothing where there is no window.
 */
export function createBrowserEvents(): BrowserEvents {
  const listeners = new Set<(signal: BrowserSignal) => void>()
  let detach: (() => void) | null = null
  let attached = 0

  const emit = (signal: BrowserSignal): void => {
    for (const listener of [...listeners]) listener(signal)
  }

  function attach(): () => void {
    const win = typeof window !== 'undefined' ? window : undefined
    const doc = typeof document !== 'undefined' ? document : undefined
    const removers: Array<() => void> = []
    const add = (target: EventTarget | undefined, type: string, handler: (event: Event) => void): void => {
      if (!target || typeof target.addEventListener !== 'function') return
      target.addEventListener(type, handler)
      attached++
      removers.push(() => {
        target.removeEventListener(type, handler)
        attached--
      })
    }
    add(win, 'online', () => emit('online'))
    add(win, 'offline', () => emit('offline'))
    // A page restored from the back-forward cache has lost its connections.
    add(win, 'pageshow', (event) => {
      if ((event as PageTransitionEvent).persisted) emit('pageshow')
    })
    add(doc, 'visibilitychange', () => {
      if (doc?.visibilityState === 'visible') emit('visible')
    })
    return () => {
      for (const remove of removers.splice(0)) remove()
    }
  }

  return {
    subscribe(listener) {
      listeners.add(listener)
      if (!detach) detach = attach()
      return () => {
        listeners.delete(listener)
        if (listeners.size === 0 && detach) {
          detach()
          detach = null
        }
      }
    },
    listenerCount: () => attached,
  }
}
