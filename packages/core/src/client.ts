// The facade: the SocketClient an app holds for the client's whole life, and all the entry chunk carries of a
// client. It answers getState/subscribe and records every other call (on/off, emits, the wish to connect) until
// the engine (engine/, loaded by one import() on the first call that needs it) attaches behind it; the engine
// takes the records over, in order, exactly once, and from then on the facade forwards. In development it refuses
// bad arguments at the call (production builds leave that to the engine: engine/refuse.ts), and it decides nothing
// the engine decides. On the server it is the inert client. Kept small on purpose: every byte here is in the app's
// entry chunk.
import type { Socket } from 'socket.io-client'
import type { Engine } from './engine/engine.js'
import type { Kit } from './engine/kit.js'
import type { ClientRuntime, Recorded } from './host.js'
import { callSite, isOnline, monotonicNow } from './environment.js'
import { SocketError, socketError, text } from './errors.js'
import { INITIAL_STATE } from './initialState.js'
import { keyOptions, type KeyOptions } from './options.js'
import { checkEmit } from './payload.js'
import type { DefaultEmitEvents, DefaultListenEvents, EventsMap, SocketClient, SocketClientOptions, SocketDiagnostics, SocketState, StateListener } from './types.js'

type EngineModule = typeof import('./engine/index.js')
/** Code, not state: once the chunk is loaded, later clients attach their engine synchronously. */
let engineModule: EngineModule | undefined

/** The lazy half: the engine's chunk (its transport's chunk loads beside it: loadLib). */
export const loadEngine = (): Promise<EngineModule> => import('./engine/index.js').then((m) => (engineModule = m))

/**
 * Loads the transport, in parallel with the engine chunk: the WebSocket transport's chunk; socket.io-client (unless
 * options say otherwise) with the socket.io adapter's chunk; or what a transport object's load() gives.
 */
export function loadLib(o: KeyOptions): Promise<[unknown, unknown]> {
  const { transport: t, auth } = o.input
  return Promise.all([
    Promise.resolve().then(
      typeof t === 'object'
        ? () => t.load?.()
        : t === 'websocket'
          ? () => import('./transports/websocket.js')
          : () => Promise.all([(o.input.io ?? (() => import('socket.io-client')))(), import('./transports/socketio.js')]),
    ),
    // The auth lifecycle's chunk, only for a client with `auth` (an app without it fetches none of that code). A chunk
    // that cannot be fetched is said as such, not as a missing socket.io-client.
    auth && import('./engine/auth.js').catch((error: unknown) => Promise.reject(socketError('config', 'no-engine', '', error))),
  ])
}

export const noop = (): void => {}

/**
 * A warning printed once per key. Development only: a caller writes `process.env.NODE_ENV !== 'production' ?
 * createWarnOnce() : noop`, so that production builds carry neither this nor a call to it, and keep no set.
 */
export function createWarnOnce(): ClientRuntime['warnOnce'] {
  const warned = new Set<string>()
  return (key, message) => {
    if (warned.has(key)) return
    warned.add(key)
    console.warn(message)
  }
}
const CONNECTING: SocketState = { ...INITIAL_STATE, status: 'connecting' }
const DISCONNECTED: SocketState = { ...INITIAL_STATE, status: 'disconnected' }
/** The calls the facade records (or forwards); `getState`, `subscribe`, `volatile`, `preload` and `getDiagnostics` are its own. */
const FORWARDED = ['connect', 'disconnect', 'reconnect', 'dispose', 'on', 'once', 'off', 'emit', 'emitWithAck', 'onResync'] as const

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the methods are put on the prototype below
export interface Client {
  connect(): void
  disconnect(): void
  reconnect(): void
  dispose(): void
  on(event: string, handler: (...args: unknown[]) => void): () => void
  once(event: string, handler: (...args: unknown[]) => void): () => void
  off(event: string, handler?: (...args: unknown[]) => void): void
  emit(event: string, ...args: unknown[]): void
  emitWithAck(event: string, ...args: unknown[]): Promise<unknown>
  onResync(handler: () => void): () => void
}

// Fields are assigned in the constructor (no class-field initialisers: they cost a helper call each in ES2020).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Client {
  declare readonly key: string
  /** @internal */ declare _s: SocketState
  /** @internal */ declare _l?: Set<StateListener>
  /** @internal */ declare _e?: Engine
  /** @internal calls recorded until the engine attaches */ declare _q?: Recorded[]
  /** @internal */ declare _dead?: boolean
  /** @internal development: who holds it (markHolder) */ declare _h?: Map<object, [string, Error]>
  /** @internal an inspector watches its facade */ declare _w?: boolean
  /** @internal engine chunk loading */ declare _ld?: Promise<void>
  /** @internal wire library (and auth chunk) loading */ declare _lp?: Promise<[unknown, unknown]>
  /** @internal what the engine takes from this chunk (on the prototype: one for every client) */ declare readonly _k: Kit

  constructor(
    readonly _o: KeyOptions,
    readonly _r: ClientRuntime,
  ) {
    this.key = _o.key
    this._s = INITIAL_STATE
    // The store contract, bound: useSyncExternalStore(client.subscribe, client.getState) calls them unbound.
    this.getState = () => this._s
    this.subscribe = (listener) => {
      if (typeof listener !== 'function') throw socketError('config', 'bad-listener')
      if (this._o.isServer || this._dead) return noop
      ;(this._l ?? (this._l = new Set())).add(listener)
      return () => void this._l?.delete(listener)
    }
  }

  /** A getter, not a field: most clients never use it, so none pays for it up front. */
  get volatile(): { emit(event: string, ...args: unknown[]): void } {
    return { emit: (...args: unknown[]) => void this._c('volatile', args) }
  }

  declare readonly getState: () => SocketState
  declare readonly subscribe: (listener: StateListener) => () => void

  get socket(): Socket | null {
    return (this._e?.t?.raw as Socket | undefined) ?? null
  }

  /** @internal */
  _set(next: SocketState): void {
    const previous = this._s
    this._s = next
    // Each listener on its own: one that throws (reported) stops neither the others nor the engine's transition.
    if (this._l) for (const listener of [...this._l]) {
      try {
        listener(next, previous)
      } catch (error) {
        console.error(error)
      }
    }
  }

  /** @internal the wire library's load, shared by every attempt until one fails */
  _lib(): Promise<[unknown, unknown]> {
    // A failed load is forgotten, so the next connect() (or reconnect) loads again.
    if (!this._lp) (this._lp = loadLib(this._o)).catch(() => (this._lp = undefined))
    return this._lp
  }

  /** @internal every forwarded method: refuse bad arguments, then forward to the engine or record. */
  _c(m: string, a: unknown[]): unknown {
    const o = this._o
    const [event, handler] = a
    const emitting = m === 'emit' || m === 'volatile' || m === 'emitWithAck'
    const rest = emitting ? a.slice(1) : a // an emit's arguments after the event name, copied once
    // Development refuses bad arguments here, at the call. Production builds leave it to the engine (engine/refuse.ts):
    // at the call once it is loaded, when it takes the call over for a call made before.
    if (process.env.NODE_ENV !== 'production') {
      if (m === 'on' || m === 'once' || m === 'onResync') {
        if (m === 'onResync' ? typeof event !== 'function' : typeof event !== 'string' || typeof handler !== 'function') {
          throw socketError('config', 'bad-event', m === 'onResync' ? 'onResync(handler)' : `${m}(event, handler)`)
        }
      } else if (emitting) {
        try {
          checkEmit(m === 'volatile' ? 'volatile.emit' : m, event, rest, o.input.maxPayloadBytes, !this._e?.t?.connected)
        } catch (error) {
          if (m === 'emitWithAck') return Promise.reject(error)
          throw error
        }
      }
    }
    const e = this._e
    if (o.isServer || this._dead) return this._inert(m, event)
    if (e) return emitting ? e.send(m, event as string, rest, monotonicNow()) : (e[m as 'on'] as (...args: unknown[]) => unknown)(...a)

    // The engine chunk is loaded (an earlier client, a preload): attach now and forward, so that nothing a state
    // listener does in reaction to this call can overtake it.
    if (engineModule) {
      engineModule.attach(this)
      return this._c(m, a)
    }
    // Before the engine: what must show at once shows at once, the rest is recorded.
    let result: unknown
    let settle: Recorded[3]
    switch (m) {
      case 'volatile':
        return // dropped unless connected
      case 'connect':
      case 'reconnect':
        if (this._s === CONNECTING) return // connect() already recorded
        this._set(CONNECTING)
        this._lib() // in parallel with the engine chunk: no waterfall
        break
      case 'disconnect':
      case 'dispose':
        this._settle(socketError('network', m === 'dispose' ? 'disposed' : 'disconnected', m === 'dispose' ? 'emit()' : ''), m === 'dispose')
        if (this._s.status !== 'disconnected') this._set(DISCONNECTED)
        if (m === 'dispose') this._die()
        return
      case 'emitWithAck':
        result = new Promise((resolve, reject) => (settle = [resolve, reject]))
        break
      case 'on':
      case 'once':
        // `|| noop`: a handler that the engine will refuse (production) must not make this an off() of every handler.
        result = () => this.off(event as string, (handler || noop) as () => void)
        break
      case 'onResync':
        result = () => void this._c('offResync', [event])
    }
    ;(this._q ?? (this._q = [])).push([m, a, monotonicNow(), settle])
    this._load()
    return result
  }

  /** @internal the end of a client, whichever side disposed it */
  _die(): void {
    this._dead = true
    this._l = undefined
    this._r.onDispose?.(this)
  }

  private _inert(m: string, event: unknown): unknown {
    const server = this._o.isServer
    if (m === 'emitWithAck') return Promise.reject(server ? socketError('config', 'ssr-ack') : socketError('config', 'disposed', `emitWithAck("${String(event)}")`))
    if (m === 'on' || m === 'once' || m === 'onResync') return noop
    if (m === 'dispose' && server) this._dead = true
    if (process.env.NODE_ENV !== 'production' && (m === 'emit' || m === 'volatile' || (m === 'connect' && !server))) {
      const what = m === 'connect' ? 'connect()' : `${m === 'volatile' ? 'volatile.emit' : m}("${String(event)}")`
      this._r.warnOnce(
        `${server ? 'ssr' : 'disposed'}:${this.key}:${m}`,
        server
          ? `[ssr-socket] ${m === 'volatile' ? 'volatile.emit' : m}() was called during server-side rendering and does nothing there. Call it in onMounted() or an event handler.`
          : `[ssr-socket] ${text('disposed', `${what} (${this.key})`)}`,
      )
    }
    return undefined
  }

  private _load(): void {
    if (engineModule) return engineModule.attach(this)
    // (`??=` written out here and below: the build lowers it for ES2020 with a temporary per mangled member.)
    if (!this._ld) this._ld = loadEngine().then(
      (engine) => {
        this._ld = undefined // done: the client keeps no settled promise
        if (!this._dead) engine.attach(this)
      },
      (error: unknown) => {
        this._ld = undefined
        const err = socketError('config', 'no-engine', '', error)
        // Acks and the wish to connect end here; handlers and plain emits stay recorded for the next load.
        this._settle(err, false)
        if (this._s === CONNECTING) this._set({ ...INITIAL_STATE, status: 'failed', error: err })
      },
    )
  }

  /** Rejects the recorded emits that wait for an ack; with `all`, drops every other record too. */
  private _settle(error: unknown, all: boolean): void {
    const q = this._q
    if (!q) return
    for (const r of q) r[3]?.[1](error)
    // A recorded connect goes too: disconnect() after connect() before the engine loaded means stay disconnected.
    this._q = all ? undefined : q.filter((r) => !r[3] && r[0] !== 'connect' && r[0] !== 'reconnect')
  }

  /** Starts loading the engine and the transport library now (the first connect then waits for neither). */
  preload(): Promise<void> {
    if (this._o.isServer || this._dead) return Promise.resolve()
    this._load()
    return Promise.all([this._ld, this._lib()]).then(noop, noop)
  }

  getDiagnostics(): SocketDiagnostics {
    if (this._e) return this._e.getDiagnostics()
    // Before the engine: the handler counts the recorded on/once/off calls leave, and the recorded emits.
    const sets = new Map<unknown, Set<unknown>>()
    const handlers: Record<string, number> = {}
    let emits = 0
    let acks = 0
    for (const [m, [event, f]] of this._q ?? []) {
      const set = sets.get(event) ?? new Set()
      if (m === 'on' || m === 'once') sets.set(event, set.add(f))
      else if (m === 'off') {
        if (f) set.delete(f)
        else set.clear()
      } else if (m === 'emit') emits++
      else if (m === 'emitWithAck') acks++
    }
    for (const [event, set] of sets) if (set.size) handlers[event as string] = set.size
    return {
      createdOn: this._o.isServer ? 'server' : 'client',
      status: this._s.status,
      key: this.key,
      hasSocket: false,
      transport: null,
      handlers,
      socketListeners: {},
      pendingAcks: acks,
      queue: { size: emits + acks, dropped: 0, expired: 0 },
      errors: [],
      attempts: [],
      upgradeErrors: 0,
    }
  }
}

const KIT: Kit = { _err: socketError, _Err: SocketError, _now: monotonicNow, _online: isOnline, _initial: INITIAL_STATE }
;(Client.prototype as unknown as { _k: Kit })._k = KIT

for (const m of FORWARDED) {
  ;(Client.prototype as unknown as Record<string, unknown>)[m] = function (this: Client, ...args: unknown[]) {
    return this._c(m, args)
  }
}

/**
 * One logical connection, usable without a registry. On the server (or with `isServer: true`) it is inert:
 * every method is a no-op, nothing is imported, scheduled or listened to, and the state stays initial.
 */
export function createSocketClient<L extends EventsMap = DefaultListenEvents, E extends EventsMap = DefaultEmitEvents>(
  options?: SocketClientOptions,
): SocketClient<L, E> {
  const o = keyOptions(options)
  const name = process.env.NODE_ENV !== 'production' && !o.isServer ? `createSocketClient() at ${callSite()}` : 'createSocketClient()'
  return new Client(o, { name, warnOnce: process.env.NODE_ENV !== 'production' ? createWarnOnce() : noop, shared: {} }) as unknown as SocketClient<L, E>
}
