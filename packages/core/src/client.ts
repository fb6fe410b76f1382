import type { Manager, Socket } from 'socket.io-client'
import { bindAuth } from './auth'
import { createBrowserEvents, type BrowserEvents, type BrowserSignal } from './browserEvents'
import { callSite, isOnline } from './environment'
import { classifyConnectError, classifyDisconnect, SocketError, socketError, text } from './errors'
import { createLogger } from './logger'
import { createManagerPool, type ManagerPool } from './managerPool'
import { createOfflineQueue, type PendingAck } from './offlineQueue'
import { resolveOptions, type ResolvedOptions } from './options'
import { INITIAL_STATE, transition, type SocketTransition } from './state'
import type {
  AttemptRecord,
  ClassifiedErrorRecord,
  DefaultEmitEvents,
  DefaultListenEvents,
  EventsMap,
  SocketClient,
  SocketClientOptions,
  SocketDiagnostics,
  SocketIoModule,
  SocketState,
  StateListener,
} from './types'

type Handler = (...args: unknown[]) => void

/** What a client shares with the other clients of its registry (or owns alone when standalone). */
export interface ClientRuntime {
  readonly pool: ManagerPool
  readonly browserEvents: BrowserEvents
  warnOnce(key: string, message: string): void
  /** Called once when the client is disposed. */
  onDispose?(client: SocketClient<EventsMap, EventsMap>): void
}

const MAX_ERRORS = 10
const MAX_ATTEMPTS = 50
const LIFECYCLE_EVENTS = ['connect', 'disconnect', 'connect_error'] as const

const defaultLoader = (): Promise<SocketIoModule> => import('socket.io-client')

export function createWarnOnce(): ClientRuntime['warnOnce'] {
  const warned = new Set<string>()
  return (key, message) => {
    if (process.env.NODE_ENV === 'production' || warned.has(key)) return
    warned.add(key)
    console.warn(message)
  }
}

function noop(): void {}

/**
 * One logical connection, usable without a registry. On the server (or with `isServer: true`) it is inert:
 * every method is a no-op, nothing is imported, scheduled or listened to, and the state stays initial.
 */
export function createSocketClient<L extends EventsMap = DefaultListenEvents, E extends EventsMap = DefaultEmitEvents>(
  options?: SocketClientOptions,
): SocketClient<L, E> {
  const resolved = resolveOptions(options)
  if (resolved.isServer) return createInertClient<L, E>(resolved, createWarnOnce())
  return createClient<L, E>(resolved, {
    pool: createManagerPool(`createSocketClient() at ${callSite()}`),
    browserEvents: createBrowserEvents(),
    warnOnce: createWarnOnce(),
  })
}

/** The server-side client: constant state, no work. */
export function createInertClient<L extends EventsMap, E extends EventsMap>(
  options: ResolvedOptions,
  warnOnce: ClientRuntime['warnOnce'],
): SocketClient<L, E> {
  const ssrWarning = (method: string): void => {
    if (process.env.NODE_ENV !== 'production') {
      warnOnce(`ssr:${method}`, `[ssr-socket] ${method}() was called during server-side rendering and does nothing there. Call it in onMounted() or an event handler.`)
    }
  }
  return {
    key: options.key,
    getState: () => INITIAL_STATE,
    subscribe: () => noop,
    connect: noop,
    disconnect: noop,
    reconnect: noop,
    dispose: noop,
    on: () => noop,
    once: () => noop,
    off: noop,
    onResync: () => noop,
    emit: () => ssrWarning('emit'),
    volatile: { emit: () => ssrWarning('volatile.emit') },
    emitWithAck: () => Promise.reject(socketError('config', 'ssr-ack')),
    socket: null,
    getDiagnostics: () => ({
      createdOn: 'server',
      status: 'idle',
      key: options.key,
      hasSocket: false,
      transport: null,
      handlers: {},
      socketListeners: {},
      pendingAcks: 0,
      queue: { size: 0, dropped: 0, expired: 0 },
      errors: [],
      attempts: [],
      upgradeErrors: 0,
    }),
  }
}

/** The browser-side client. */
export function createClient<L extends EventsMap, E extends EventsMap>(options: ResolvedOptions, runtime: ClientRuntime): SocketClient<L, E> {
  const logger = createLogger(options.debug, options.key)
  const queue = createOfflineQueue(options.buffer)
  const stateListeners = new Set<StateListener>()
  const resyncListeners = new Set<() => void>()
  let everConnected = false
  const handlers = new Map<string, Set<Handler>>()
  const dispatchers = new Map<string, Handler>()
  const errors: ClassifiedErrorRecord[] = []
  const attempts: AttemptRecord[] = []

  let state: SocketState = INITIAL_STATE
  let socket: Socket | null = null
  let manager: Manager | null = null
  /** Cleanups of everything bound to the current socket/manager: one path, run by `unbindSocket`. */
  let socketSubs: Array<() => void> = []
  /** Cleanups of listeners on the current engine (it is replaced on every reconnect). */
  let engineSubs: Array<() => void> = []
  let ioModule: Promise<SocketIoModule> | null = null
  /** Bumped by disconnect()/dispose(): a socket.io-client load that resolves later is ignored. */
  let generation = 0
  let disposed = false
  /** True while we disconnect the socket ourselves (pause, retry now): its events are ours, not news. */
  let selfInitiated = false
  let authRetriesLeft = 0
  let pendingAcks = 0
  let upgradeErrors = 0
  let unsubscribeBrowser: (() => void) | null = null

  const auth = bindAuth(options.auth, logger, (error) => {
    const err = socketError('unauthorized', 'get-token', error instanceof Error ? error.message : String(error), error)
    recordError(err)
    selfDisconnect()
    dispatch({ type: 'rejected', error: err })
  })

  function recordError(error: SocketError): void {
    errors.push({ kind: error.kind, message: error.message, at: Date.now() })
    if (errors.length > MAX_ERRORS) errors.shift()
    logger.log(`error (${error.kind}): ${error.message}`)
  }

  function recordAttempt(event: AttemptRecord['event'], attempt: number): void {
    attempts.push({ at: Date.now(), event, attempt })
    if (attempts.length > MAX_ATTEMPTS) attempts.shift()
  }

  function dispatch(event: SocketTransition): void {
    const previous = state
    state = transition(state, event)
    if (state === previous) return
    logger.log(`${previous.status} -> ${state.status} (${event.type})`, { attempt: state.attempt, nextRetryAt: state.nextRetryAt })
    for (const listener of [...stateListeners]) listener(state, previous)
  }

  /** Stops the socket and socket.io's retries; the events this causes are ours, not news (no state change). */
  function selfDisconnect(): void {
    if (!socket) return
    selfInitiated = true
    try {
      socket.disconnect()
    } finally {
      selfInitiated = false
    }
  }

  /** Retry at once with socket.io's backoff reset: closing the socket resets its Manager, opening starts fresh. */
  function restartSocket(): void {
    if (!socket) return
    selfDisconnect()
    socket.connect()
  }

  function bindDispatcher(event: string): void {
    if (!socket || dispatchers.has(event)) return
    const set = handlers.get(event)
    if (!set) return
    const dispatcher: Handler = (...args) => {
      for (const handler of [...set]) handler(...args)
    }
    dispatchers.set(event, dispatcher)
    socket.on(event, dispatcher)
  }

  function unbindDispatcher(event: string): void {
    const dispatcher = dispatchers.get(event)
    if (!dispatcher) return
    dispatchers.delete(event)
    socket?.off(event, dispatcher)
  }

  /** Adds a listener and its removal to `subs`: socket.io's own `on()` + cleanup-array pattern. */
  function listen(target: object, event: string, handler: Handler, subs: Array<() => void>): void {
    const emitter = target as { on(e: string, f: Handler): unknown; off(e: string, f: Handler): unknown }
    emitter.on(event, handler)
    subs.push(() => emitter.off(event, handler))
  }

  function clearEngineSubs(): void {
    for (const off of engineSubs.splice(0)) off()
  }

  function flushQueue(): void {
    if (!socket) return
    for (const item of queue.drain()) {
      if (item.ack) item.ack.send(Math.max(1, item.ack.deadline - Date.now()))
      else socket.emit(item.event, ...item.args)
    }
  }

  function onBrowserSignal(signal: BrowserSignal): void {
    if (signal === 'offline') {
      if (state.status === 'connecting' || state.status === 'reconnecting') pause()
      return
    }
    if (state.status === 'reconnecting' || state.status === 'failed') {
      logger.log(`${signal}: retrying now`)
      retryNow()
    }
  }

  function pause(): void {
    selfDisconnect()
    recordAttempt('paused', state.attempt)
    dispatch({ type: 'paused' })
  }

  function retryNow(): void {
    recordAttempt('retry-now', 0)
    dispatch({ type: 'retryNow' })
    restartSocket()
  }

  function bindSocket(s: Socket, m: Manager): void {
    const subs = socketSubs
    listen(s, 'connect', () => {
      authRetriesLeft = auth.retries
      clearEngineSubs()
      const engine = m.engine
      if (engine) {
        listen(engine, 'upgrade', ((transport: { name: string }) => dispatch({ type: 'upgraded', transport: transport.name })) as Handler, engineSubs)
        listen(engine, 'upgradeError', ((err: unknown) => {
          upgradeErrors++
          recordError(socketError('upgrade-refused', 'upgrade-refused', '', err))
        }) as Handler, engineSubs)
      }
      recordAttempt('connected', state.attempt)
      dispatch({ type: 'opened', id: s.id ?? '', transport: engine?.transport?.name ?? null, recovered: s.recovered, at: Date.now() })
      flushQueue()
      // What happened while disconnected is lost unless socket.io recovered the session: tell the app.
      if (everConnected && !s.recovered) for (const listener of [...resyncListeners]) listener()
      everConnected = true
    }, subs)

    listen(s, 'disconnect', ((reason: string) => {
      clearEngineSubs()
      if (selfInitiated) return
      if (reason === 'io client disconnect') {
        // The raw socket was disconnected through the escape hatch.
        dispatch({ type: 'closed', error: null })
        return
      }
      const error = classifyDisconnect(reason)
      recordError(error)
      if (reason === 'io server disconnect') {
        if (options.reconnectOnServerDisconnect) {
          recordAttempt('lost', 0)
          dispatch({ type: 'lost', error })
          s.connect()
        } else {
          recordAttempt('closed', 0)
          dispatch({ type: 'closed', error })
        }
        return
      }
      recordAttempt('lost', 0)
      if (options.reconnection === false) {
        dispatch({ type: 'closed', error })
        return
      }
      dispatch({ type: 'lost', error })
      if (!isOnline()) pause()
    }) as Handler, subs)

    listen(s, 'connect_error', ((raw: unknown) => {
      if (selfInitiated) return
      // socket.io deactivates the socket when the namespace middleware refuses the handshake.
      const middleware = !s.active
      const error = classifyConnectError(raw, middleware)
      recordError(error)
      if (middleware && error.kind === 'config') {
        recordAttempt('failed', state.attempt)
        dispatch({ type: 'exhausted', error })
        return
      }
      if (middleware) {
        if (authRetriesLeft > 0) {
          authRetriesLeft--
          logger.log(`handshake refused, retrying with fresh credentials (${authRetriesLeft} retries left)`)
          s.connect()
          return
        }
        recordAttempt('rejected', state.attempt)
        dispatch({ type: 'rejected', error })
        return
      }
      dispatch({ type: 'attemptFailed', error })
      if (options.reconnection === false) {
        recordAttempt('failed', state.attempt)
        selfDisconnect()
        dispatch({ type: 'exhausted', error })
      } else if (!isOnline()) {
        pause()
      }
    }) as Handler, subs)

    listen(m, 'reconnect_attempt', ((attempt: number) => {
      if (!s.active) return
      recordAttempt('attempt', attempt)
      dispatch({ type: 'attempting', attempt })
    }) as Handler, subs)

    listen(m, 'reconnect_failed', (() => {
      if (!s.active) return
      recordAttempt('failed', state.attempt)
      dispatch({ type: 'exhausted', error: state.error })
    }) as Handler, subs)

    subs.push(
      runtime.pool.onRetryScheduled(m, (attempt, delay) => {
        if (!s.active) return
        recordAttempt('retry-scheduled', attempt)
        dispatch({ type: 'retryScheduled', attempt, at: Date.now() + delay })
      }),
    )
    subs.push(clearEngineSubs)
    for (const event of handlers.keys()) bindDispatcher(event)
  }

  function unbindSocket(): void {
    for (const off of socketSubs.splice(0)) off()
    for (const event of [...dispatchers.keys()]) unbindDispatcher(event)
  }

  function createSocket(io: SocketIoModule): void {
    const url = options.url
    const m = runtime.pool.acquire(io, options.endpoint, options.url!, {
      ...options.socketOptions,
      ...auth.managerOptions,
      path: options.path,
      autoConnect: false,
      ...(options.reconnection === false
        ? { reconnection: false }
        : {
            reconnection: true,
            reconnectionAttempts: options.reconnection.attempts,
            reconnectionDelay: options.reconnection.delayMs,
            reconnectionDelayMax: options.reconnection.maxDelayMs,
            randomizationFactor: options.reconnection.jitter,
          }),
    })
    const s = m.socket(options.namespace, {
      ...options.socketOptions,
      ...(auth.socketAuth === undefined ? {} : { auth: auth.socketAuth as never }),
    })
    manager = m
    socket = s
    bindSocket(s, m)
  }

  function loadIo(): Promise<SocketIoModule> {
    ioModule ??= Promise.resolve()
      .then(options.io ?? defaultLoader)
      .catch((error: unknown) => {
        ioModule = null
        throw error
      })
    return ioModule
  }

  function connect(): void {
    if (disposed) {
      if (process.env.NODE_ENV !== 'production') runtime.warnOnce(`disposed:${options.key}`, `[ssr-socket] ${text('disposed', `connect() (${options.key})`)}`)
      return
    }
    if (state.status === 'connecting' || state.status === 'connected' || state.status === 'reconnecting') return
    authRetriesLeft = auth.retries
    recordAttempt('connect', 0)
    dispatch({ type: 'connect' })
    unsubscribeBrowser ??= runtime.browserEvents.subscribe(onBrowserSignal)
    if (socket) {
      socket.connect()
      return
    }
    const current = ++generation
    loadIo().then(
      (io) => {
        if (current !== generation || disposed) return
        try {
          createSocket(io)
        } catch (error) {
          const err = error instanceof SocketError ? error : new SocketError('config', String(error), error)
          recordError(err)
          dispatch({ type: 'exhausted', error: err })
          return
        }
        socket?.connect()
      },
      (error: unknown) => {
        if (current !== generation || disposed) return
        const err = socketError('config', 'no-io', '', error)
        recordError(err)
        dispatch({ type: 'exhausted', error: err })
      },
    )
  }

  function disconnect(): void {
    if (disposed) return
    generation++
    selfDisconnect()
    queue.rejectAcks(socketError('network', 'disconnected'))
    unsubscribeBrowser?.()
    unsubscribeBrowser = null
    recordAttempt('closed', 0)
    dispatch({ type: 'closed', error: null })
  }

  function reconnect(): void {
    if (disposed) return
    authRetriesLeft = auth.retries
    if (state.status === 'reconnecting' || state.status === 'failed') {
      if (socket) retryNow()
      return
    }
    if (state.status !== 'connected' && state.status !== 'connecting') connect()
  }

  function dispose(): void {
    if (disposed) return
    disconnect()
    disposed = true
    unbindSocket()
    if (manager) runtime.pool.release(manager)
    socket = null
    manager = null
    queue.clear(socketError('network', 'disposed', 'emit()'))
    handlers.clear()
    stateListeners.clear()
    resyncListeners.clear()
    runtime.onDispose?.(client as unknown as SocketClient<EventsMap, EventsMap>)
  }

  function on(event: string, handler: Handler): () => void {
    if (typeof event !== 'string' || typeof handler !== 'function') throw socketError('config', 'bad-event', 'on(event, handler)')
    if (disposed) return noop
    let set = handlers.get(event)
    if (!set) handlers.set(event, (set = new Set()))
    set.add(handler)
    bindDispatcher(event)
    return () => off(event, handler)
  }

  function off(event: string, handler?: Handler): void {
    const set = handlers.get(event)
    if (!set) return
    if (handler) set.delete(handler)
    else set.clear()
    if (set.size === 0) {
      handlers.delete(event)
      unbindDispatcher(event)
    }
  }

  function once(event: string, handler: Handler): () => void {
    if (typeof handler !== 'function') throw socketError('config', 'bad-event', 'once(event, handler)')
    const wrapper: Handler = (...args) => {
      stop()
      handler(...args)
    }
    const stop = on(event, wrapper)
    return stop
  }

  function checkEvent(method: string, event: unknown): asserts event is string {
    if (typeof event !== 'string' || event === '') throw socketError('config', 'bad-event', `${method}(event, ...args)`)
  }

  /** Throws a `config` error when the payload is larger than options.maxPayloadBytes. */
  function checkSize(args: readonly unknown[]): void {
    const limit = options.maxPayloadBytes
    if (limit === undefined) return
    let bytes = 0
    for (const arg of args) {
      if (typeof arg === 'function') continue
      bytes += arg instanceof ArrayBuffer || ArrayBuffer.isView(arg) ? arg.byteLength : (JSON.stringify(arg) ?? '').length
      if (bytes > limit) throw socketError('config', 'too-large', String(bytes))
    }
  }

  function emit(event: string, ...args: unknown[]): void {
    checkEvent('emit', event)
    checkSize(args)
    if (disposed) {
      if (process.env.NODE_ENV !== 'production') runtime.warnOnce(`disposed-emit:${options.key}`, `[ssr-socket] ${text('disposed', `emit("${event}")`)}`)
      return
    }
    if (socket?.connected) socket.emit(event, ...args)
    else queue.push(event, args)
  }

  function emitWithAck(event: string, ...args: unknown[]): Promise<unknown> {
    try {
      checkEvent('emitWithAck', event)
      checkSize(args)
    } catch (error) {
      return Promise.reject(error)
    }
    if (disposed) return Promise.reject(socketError('config', 'disposed', `emitWithAck("${event}")`))
    return new Promise((resolve, reject) => {
      pendingAcks++
      let settled = false
      const settle = (error: SocketError | null, value?: unknown): void => {
        if (settled) return
        settled = true
        pendingAcks--
        if (error) reject(error)
        else resolve(value)
      }
      const ack: PendingAck = {
        deadline: Date.now() + options.ackTimeoutMs,
        send(remainingMs) {
          socket!.timeout(remainingMs).emit(event, ...args, (err: Error | null, value: unknown) => {
            if (!err) return settle(null, value)
            settle(/disconnected/.test(err.message) ? socketError('network', 'ack-lost', event, err) : socketError('timeout', 'ack-timeout', event, err))
          })
        },
        reject: (error) => settle(error),
      }
      if (socket?.connected) ack.send(options.ackTimeoutMs)
      else queue.push(event, args, ack)
    })
  }

  function countSocketListeners(): Record<string, number> {
    const out: Record<string, number> = {}
    if (!socket) return out
    for (const event of new Set<string>([...LIFECYCLE_EVENTS, ...dispatchers.keys()])) {
      out[event] = socket.listeners(event).length
    }
    return out
  }

  const client = {
    key: options.key,
    getState: () => state,
    subscribe(listener: StateListener) {
      if (typeof listener !== 'function') throw socketError('config', 'bad-listener')
      if (disposed) return noop
      stateListeners.add(listener)
      return () => {
        stateListeners.delete(listener)
      }
    },
    connect,
    disconnect,
    reconnect,
    dispose,
    on,
    once,
    off,
    emit,
    volatile: {
      emit(event: string, ...args: unknown[]) {
        checkEvent('volatile.emit', event)
        checkSize(args)
        if (socket?.connected) socket.volatile.emit(event, ...args)
      },
    },
    emitWithAck,
    onResync(handler: () => void) {
      if (typeof handler !== 'function') throw socketError('config', 'bad-event', 'onResync(handler)')
      if (disposed) return noop
      resyncListeners.add(handler)
      return () => {
        resyncListeners.delete(handler)
      }
    },
    get socket() {
      return socket
    },
    getDiagnostics(): SocketDiagnostics {
      const handlerCounts: Record<string, number> = {}
      for (const [event, set] of handlers) handlerCounts[event] = set.size
      return {
        createdOn: 'client',
        status: state.status,
        key: options.key,
        hasSocket: socket !== null,
        transport: socket?.connected ? (manager?.engine?.transport?.name ?? null) : null,
        handlers: handlerCounts,
        socketListeners: countSocketListeners(),
        pendingAcks,
        queue: queue.stats(),
        errors: errors.slice(),
        attempts: attempts.slice(),
        upgradeErrors,
      }
    },
  }
  return client as unknown as SocketClient<L, E>
}
