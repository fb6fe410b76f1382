// The facade: the SocketClient an app holds for the client's whole life. It is all the entry chunk carries of a
// client: it answers getState/subscribe, keeps the handler table, and records emits and the wish to connect until
// the engine (engine/, loaded by one import() on the first connect or emit) attaches behind it and takes them
// over, in order, exactly once. It decides nothing the engine decides. On the server it is the inert client.
import type { Socket } from 'socket.io-client'
import type { Engine } from './engine/engine.js'
import { callSite, monotonicNow } from './environment.js'
import { socketError, text, type SocketError } from './errors.js'
import { INITIAL_STATE } from './initialState.js'
import { keyOptions, type KeyOptions } from './options.js'
import { checkEmit } from './payload.js'
import type { DefaultEmitEvents, DefaultListenEvents, EventsMap, SocketClient, SocketClientOptions, SocketDiagnostics, SocketState, StateListener } from './types.js'

export type Handler = (...args: unknown[]) => void

/** A handler table entry; a `once` entry is removed before its first call. */
export interface HandlerEntry {
  readonly f: Handler
  readonly once: boolean
}

/** What a client shares with the other clients of its registry (or owns alone when standalone). */
export interface ClientRuntime {
  readonly name: string
  warnOnce(key: string, message: string): void
  /** Called once when the client is disposed. */
  onDispose?(client: Client): void
  /** Filled by the engine on first use: machinery shared by the registry's clients (manager pool, window listeners). */
  readonly shared: { pool?: { size(): number }; signals?: { listenerCount(): number } } & Record<string, unknown>
}

/** An emit made before the engine attached: event, arguments, monotonic time, and the ack's settle functions. */
export interface Recorded {
  readonly e: string
  readonly a: unknown[]
  readonly t: number
  readonly k?: readonly [(value: unknown) => void, (error: SocketError) => void]
}

const noop = (): void => {}
const CONNECTING: SocketState = { ...INITIAL_STATE, status: 'connecting' }
const DISCONNECTED: SocketState = { ...INITIAL_STATE, status: 'disconnected' }

type EngineModule = typeof import('./engine/index.js')
/** Code, not state: once the chunk is loaded, later clients attach their engine synchronously. */
let engineModule: EngineModule | undefined

/** The lazy half: one chunk with the engine and the socket.io transport adapter. */
export const loadEngine = (): Promise<EngineModule> => import('./engine/index.js').then((m) => (engineModule = m))

/** Loads the transport's wire library (socket.io-client unless options say otherwise). */
export function loadLib(o: KeyOptions): Promise<unknown> {
  const t = o.input.transport
  return Promise.resolve().then(typeof t === 'object' ? () => t.load?.() : (o.input.io ?? (() => import('socket.io-client'))))
}

export function createWarnOnce(): ClientRuntime['warnOnce'] {
  const warned = new Set<string>()
  return (key, message) => {
    if (process.env.NODE_ENV === 'production' || warned.has(key)) return
    warned.add(key)
    console.warn(message)
  }
}

export class Client {
  readonly key: string
  readonly volatile: { emit(event: string, ...args: unknown[]): void }
  /** @internal state */
  _s: SocketState = INITIAL_STATE
  /** @internal state listeners */
  _l?: Set<StateListener>
  /** @internal handler table: arrays replaced on change, so a dispatch can iterate one without copying */
  _h?: Map<string, HandlerEntry[]>
  /** @internal resync listeners */
  _rs?: Set<() => void>
  /** @internal the engine, once attached */
  _e?: Engine
  /** @internal emits recorded until the engine attaches */
  _q?: Recorded[]
  /** @internal connect() was called before the engine attached */
  _want = false
  _dead = false
  /** @internal engine chunk loading */
  _ld?: Promise<void>
  /** @internal wire library loading */
  _lp?: Promise<unknown>

  constructor(
    readonly _o: KeyOptions,
    readonly _r: ClientRuntime,
  ) {
    this.key = _o.key
    this.volatile = { emit: (event, ...args) => this._emit('volatile.emit', event, args, true) }
  }

  getState(): SocketState {
    return this._s
  }

  subscribe(listener: StateListener): () => void {
    if (typeof listener !== 'function') throw socketError('config', 'bad-listener')
    if (this._o.isServer || this._dead) return noop
    ;(this._l ??= new Set()).add(listener)
    return () => void this._l?.delete(listener)
  }

  /** @internal */
  _set(next: SocketState): void {
    const previous = this._s
    this._s = next
    if (this._l) for (const listener of [...this._l]) listener(next, previous)
  }

  connect(): void {
    if (this._o.isServer) return
    if (this._dead) return this._warnDead('connect()')
    if (this._e) return this._e.connect()
    if (this._want) return
    this._want = true
    this._set(CONNECTING)
    // The wire library loads in parallel with the engine chunk: no waterfall.
    this._lib()
    this._load()
  }

  disconnect(): void {
    if (this._o.isServer || this._dead) return
    if (this._e) return this._e.disconnect()
    this._want = false
    this._settleRecorded(socketError('network', 'disconnected'), false)
    if (this._s.status !== 'disconnected') this._set(DISCONNECTED)
  }

  reconnect(): void {
    if (this._o.isServer || this._dead) return
    if (this._e) this._e.reconnect()
    else this.connect()
  }

  dispose(): void {
    if (this._dead) return
    if (this._e) this._e.dispose()
    else {
      this.disconnect()
      this._settleRecorded(socketError('network', 'disposed', 'emit()'), true)
    }
    this._dead = true
    this._h = this._l = this._rs = undefined
    this._r.onDispose?.(this)
  }

  on(event: string, handler: Handler): () => void {
    if (typeof event !== 'string' || typeof handler !== 'function') throw socketError('config', 'bad-event', 'on(event, handler)')
    return this._add(event, handler, false)
  }

  once(event: string, handler: Handler): () => void {
    if (typeof event !== 'string' || typeof handler !== 'function') throw socketError('config', 'bad-event', 'once(event, handler)')
    return this._add(event, handler, true)
  }

  off(event: string, handler?: Handler): void {
    const table = this._h
    const list = table?.get(event)
    if (!table || !list) return
    const rest = handler ? list.filter((entry) => entry.f !== handler) : []
    if (rest.length) table.set(event, rest)
    else {
      table.delete(event)
      this._e?.unbind(event)
    }
  }

  emit(event: string, ...args: unknown[]): void {
    this._emit('emit', event, args, false)
  }

  emitWithAck(event: string, ...args: unknown[]): Promise<unknown> {
    try {
      checkEmit('emitWithAck', event, args, this._o.input.maxPayloadBytes, true)
    } catch (error) {
      return Promise.reject(error)
    }
    if (this._o.isServer) return Promise.reject(socketError('config', 'ssr-ack'))
    if (this._dead) return Promise.reject(socketError('config', 'disposed', `emitWithAck("${event}")`))
    if (this._e) return this._e.ack(event, args, monotonicNow())
    return new Promise((resolve, reject) => this._record({ e: event, a: args, t: monotonicNow(), k: [resolve, reject] }))
  }

  onResync(handler: () => void): () => void {
    if (typeof handler !== 'function') throw socketError('config', 'bad-event', 'onResync(handler)')
    if (this._o.isServer || this._dead) return noop
    ;(this._rs ??= new Set()).add(handler)
    return () => void this._rs?.delete(handler)
  }

  preload(): Promise<void> {
    if (this._o.isServer || this._dead) return Promise.resolve()
    this._load()
    return Promise.all([this._ld, this._lib()]).then(noop, noop)
  }

  get socket(): Socket | null {
    return (this._e?.t?.raw as Socket | undefined) ?? null
  }

  getDiagnostics(): SocketDiagnostics {
    if (this._e) return this._e.diagnostics()
    const handlers: Record<string, number> = {}
    if (this._h) for (const [event, list] of this._h) handlers[event] = list.length
    return {
      createdOn: this._o.isServer ? 'server' : 'client',
      status: this._s.status,
      key: this.key,
      hasSocket: false,
      transport: null,
      handlers,
      socketListeners: {},
      pendingAcks: this._q?.filter((r) => r.k).length ?? 0,
      queue: { size: this._q?.length ?? 0, dropped: 0, expired: 0 },
      errors: [],
      attempts: [],
      upgradeErrors: 0,
    }
  }

  /** @internal the wire library's load, shared by every attempt until one fails (the engine then clears it) */
  _lib(): Promise<unknown> {
    if (!this._lp) {
      this._lp = loadLib(this._o)
      this._lp.catch(noop) // handled by the engine; this only keeps it from being reported as unhandled
    }
    return this._lp
  }

  private _load(): void {
    if (engineModule) {
      engineModule.attach(this)
      return
    }
    this._ld ??= loadEngine().then(
      (engine) => {
        if (!this._dead) engine.attach(this)
      },
      (error: unknown) => {
        this._ld = undefined
        const err = socketError('config', 'no-engine', '', error)
        this._settleRecorded(err, true)
        if (this._want) {
          this._want = false
          this._set({ ...INITIAL_STATE, status: 'failed', error: err })
        }
      },
    )
  }

  private _record(recorded: Recorded): void {
    ;(this._q ??= []).push(recorded)
    this._load()
  }

  /** Rejects the recorded emits that wait for an ack; with `all`, drops the plain ones too. */
  private _settleRecorded(error: SocketError, all: boolean): void {
    if (!this._q) return
    const keep = all ? [] : this._q.filter((r) => !r.k)
    for (const r of this._q) r.k?.[1](error)
    this._q = keep.length ? keep : undefined
  }

  private _add(event: string, f: Handler, once: boolean): () => void {
    if (this._o.isServer || this._dead) return noop
    const table = (this._h ??= new Map<string, HandlerEntry[]>())
    const list = table.get(event)
    if (!list) {
      table.set(event, [{ f, once }])
      this._e?.bind(event)
    } else if (!list.some((entry) => entry.f === f)) {
      table.set(event, [...list, { f, once }])
    }
    return () => this.off(event, f)
  }

  private _emit(method: string, event: string, args: unknown[], volatile: boolean): void {
    checkEmit(method, event, args, this._o.input.maxPayloadBytes, !volatile && !this._e?.t?.connected)
    if (this._o.isServer) {
      if (process.env.NODE_ENV !== 'production') {
        this._r.warnOnce(`ssr:${method}`, `[ssr-socket] ${method}() was called during server-side rendering and does nothing there. Call it in onMounted() or an event handler.`)
      }
      return
    }
    if (this._dead) return this._warnDead(`${method}("${event}")`)
    // A volatile emit is dropped unless connected: nothing to record.
    if (volatile) this._e?.volatile(event, args)
    else if (this._e) this._e.emit(event, args, monotonicNow())
    else this._record({ e: event, a: args, t: monotonicNow() })
  }

  private _warnDead(what: string): void {
    if (process.env.NODE_ENV !== 'production') this._r.warnOnce(`disposed:${this.key}:${what}`, `[ssr-socket] ${text('disposed', `${what} (${this.key})`)}`)
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
  return new Client(o, { name, warnOnce: createWarnOnce(), shared: {} }) as unknown as SocketClient<L, E>
}
