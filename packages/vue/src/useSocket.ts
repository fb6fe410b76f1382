import {
  INITIAL_STATE,
  type AckArgs,
  type AckResult,
  type DefaultEmitEvents,
  type DefaultListenEvents,
  type EventNames,
  type EventsMap,
  type SocketClient,
  type SocketClientOptions,
  type SocketError,
  type SocketState,
  type SocketStatus,
} from '@ssr-socket/core'
import type { Socket } from 'socket.io-client'
import { computed, getCurrentInstance, getCurrentScope, onMounted, onScopeDispose, shallowRef, toRef, type ComputedRef, type ShallowRef } from 'vue'
import { injectSocketContext } from './plugin'

export interface UseSocketOptions extends SocketClientOptions {
  /** Connect after mount. @default the plugin's `autoConnect` (true) */
  autoConnect?: boolean
}

export interface UseSocketReturn<L extends EventsMap = DefaultListenEvents, E extends EventsMap = DefaultEmitEvents> {
  /** The whole state snapshot. The constant initial state during SSR and hydration. */
  state: Readonly<ShallowRef<SocketState>>
  status: ComputedRef<SocketStatus>
  isConnected: ComputedRef<boolean>
  error: ComputedRef<SocketError | null>
  attempt: ComputedRef<number>
  /** The raw socket.io Socket after the first connect, else `null`. */
  socket: Readonly<ShallowRef<Socket | null>>
  connect(): void
  disconnect(): void
  reconnect(): void
  emit<K extends EventNames<E>>(event: K, ...args: Parameters<E[K]>): void
  emitWithAck<K extends EventNames<E>>(event: K, ...args: AckArgs<E[K]>): Promise<AckResult<E[K]>>
  /** Adds a handler, removed by the returned function or when the calling scope is disposed. */
  on<K extends EventNames<L>>(event: K, handler: L[K]): () => void
  /** Called after a reconnect that socket.io could not recover (missed events are lost: refetch); removed on scope dispose. */
  onResync(handler: () => void): () => void
  /** The shared client behind this composable. */
  client: SocketClient<L, E>
}

type Methods<L extends EventsMap, E extends EventsMap> = Omit<UseSocketReturn<L, E>, 'state' | 'status' | 'isConnected' | 'error' | 'attempt' | 'socket'>

/**
 * The methods of the result, forwarding to the shared client. `track` ties the handlers this caller adds to its
 * scope (identity on the server, where the client's `on` is a no-op and scopes are never disposed).
 */
function methods<L extends EventsMap, E extends EventsMap>(client: SocketClient<L, E>, track: (off: () => void) => () => void): Methods<L, E> {
  return {
    connect: () => client.connect(),
    disconnect: () => client.disconnect(),
    reconnect: () => client.reconnect(),
    emit: (event, ...args) => client.emit(event, ...args),
    emitWithAck: (event, ...args) => client.emitWithAck(event, ...args),
    on: (event, handler) => track(client.on(event, handler)),
    onResync: (handler) => track(client.onResync(handler)),
    client,
  }
}

/**
 * The refs every server render shows: constants (the initial state, the same in every request), read-only, made
 * on the first server render and shared by all, so a render creates no ref of its own.
 */
let serverRefs: Pick<UseSocketReturn, 'state' | 'status' | 'isConnected' | 'error' | 'attempt' | 'socket'> | undefined

/**
 * The server's result for one client: the constant refs and the client's own (inert) methods. Not frozen: Vue
 * wraps what `setup()` returns in a proxy that unwraps refs, which a frozen object cannot allow.
 */
function serverSocket<L extends EventsMap, E extends EventsMap>(client: SocketClient<L, E>): UseSocketReturn<L, E> {
  // Getter refs (toRef(() => ...)): read-only, no dependency tracking, a property read per access.
  serverRefs ??= Object.freeze({
    state: toRef(() => INITIAL_STATE) as unknown as ShallowRef<SocketState>,
    status: toRef(() => INITIAL_STATE.status) as unknown as ComputedRef<SocketStatus>,
    isConnected: toRef(() => false) as unknown as ComputedRef<boolean>,
    error: toRef(() => null) as unknown as ComputedRef<SocketError | null>,
    attempt: toRef(() => 0) as unknown as ComputedRef<number>,
    socket: toRef(() => null) as unknown as ShallowRef<Socket | null>,
  })
  return { ...(serverRefs as Pick<UseSocketReturn<L, E>, keyof typeof serverRefs>), ...methods(client, (off) => off) }
}

/**
 * The app's connection for these options (shared with every other caller of the same url + path + namespace).
 * Connects after mount, never in `setup()`, so the server HTML and the hydrating render agree.
 */
export function useSocket<L extends EventsMap = DefaultListenEvents, E extends EventsMap = DefaultEmitEvents>(
  options?: UseSocketOptions,
): UseSocketReturn<L, E> {
  const context = injectSocketContext('useSocket')
  const { registry } = context
  // The server: constant refs (the client is inert), one object per render and client, made once and handed
  // to every component of the render, so a page of 50 components pays for one; '' keys the call without options.
  const cache = context.ssr as Map<string, UseSocketReturn<L, E>> | undefined
  let result = cache && !options ? cache.get('') : undefined
  if (result) return result
  const { autoConnect = context.autoConnect, ...clientOptions } = options ?? {}
  const client = registry.acquire<L, E>(clientOptions)
  if (cache) {
    result = cache.get(client.key)
    if (!result) cache.set(client.key, (result = serverSocket(client)))
    if (!options) cache.set('', result)
    return result
  }
  // The engine and the transport library start loading now, in parallel with mounting (the plugin's preload
  // covers the app's defaults; this covers a connection with its own options), the connection after mount.
  if (autoConnect && options) void client.preload()
  const state = shallowRef<SocketState>(INITIAL_STATE)
  const socket = shallowRef<Socket | null>(null)
  const offs = new Set<() => void>()
  let unsubscribe: (() => void) | null = null
  let active = true

  const sync = (next: SocketState): void => {
    state.value = next
    socket.value = client.socket
  }
  const start = (): void => {
    sync(client.getState())
    unsubscribe = client.subscribe(sync)
    if (autoConnect) context.scheduleConnect(() => active && client.connect())
  }
  // In a component: after mount (after hydration). Elsewhere (an effect scope in a store): now, in the browser.
  if (getCurrentInstance()) onMounted(start)
  else if (!registry.isServer) start()

  if (getCurrentScope()) {
    onScopeDispose(() => {
      active = false
      unsubscribe?.()
      for (const off of offs) off()
      offs.clear()
      registry.release(client)
    })
  }

  /** Ties a cleanup to this scope: it runs on dispose unless the caller ran it first. */
  function track(off: () => void): () => void {
    const remove = (): void => {
      off()
      offs.delete(remove)
    }
    offs.add(remove)
    return remove
  }

  const pick = <K extends keyof SocketState>(key: K) => computed(() => state.value[key])
  return {
    state,
    status: pick('status'),
    isConnected: computed(() => state.value.status === 'connected'),
    error: pick('error'),
    attempt: pick('attempt'),
    socket,
    ...methods(client, track),
  }
}
