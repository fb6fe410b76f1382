import {
  INITIAL_STATE,
  markHolder,
  type DefaultEmitEvents,
  type DefaultListenEvents,
  type EventsMap,
  type SocketClient,
  type SocketClientOptions,
  type SocketState,
} from '@ssr-socket/core'
import type { Socket } from 'socket.io-client'
import {
  computed,
  getCurrentInstance,
  getCurrentScope,
  isRef,
  onMounted,
  onScopeDispose,
  shallowRef,
  toValue,
  watch,
} from 'vue'
import { serverScope } from '#vue-ssr'
import { methods } from './methods'
import { injectSocketContext, SOCKET_CONTEXT_KEY, type SocketContext } from './plugin'
import type { Binding, KeyOption, SocketScope, UseSocketOptions, UseSocketReturn } from './types'

export type { SocketScope, UseSocketOptions, UseSocketReturn } from './types'

const KEY_OPTIONS: readonly KeyOption[] = ['url', 'path', 'namespace']
const reactive = (value: unknown): boolean => isRef(value) || typeof value === 'function'

/** The client options these composable options give now (refs and getters read; unset ones left to the plugin). */
function clientOptions(options: UseSocketOptions | undefined): SocketClientOptions {
  const { autoConnect: _a, enabled: _e, ...out } = (options ?? {}) as Record<string, unknown> // a new object: the caller's stays
  for (const key of KEY_OPTIONS) {
    const value = toValue(out[key])
    if (value === undefined) delete out[key]
    else out[key] = value
  }
  return out as SocketClientOptions
}

/**
 * How many callers want each client connected (enabled and auto-connecting): a caller whose `enabled` turns
 * false disconnects the client only when it was the last. Keyed by client (each belongs to one app's registry);
 * a WeakMap, so a disposed client leaves nothing. Browser only: the server returns before any of it.
 */
const demands = new WeakMap<object, number>()
function demand(client: object, delta: 1 | -1): number {
  const n = (demands.get(client) ?? 0) + delta // a caller takes back only what it added (wantedOn), so never below 0
  demands.set(client, n)
  return n
}

/**
 * The app's connection for these options (shared with every other caller of the same url + path + namespace).
 * Connects after mount, never in `setup()`, so the server HTML and the hydrating render agree. url, path,
 * namespace and `enabled` may be refs or getters: the composable follows them.
 */
export function useSocket<L extends EventsMap = DefaultListenEvents, E extends EventsMap = DefaultEmitEvents>(
  options?: UseSocketOptions,
): UseSocketReturn<L, E> {
  return useSocketScope<L, E>(options).api
}

/** What `useSocket` does; composables built on it (`useSocketSubscription`) also get `track`. @internal */
export function useSocketScope<L extends EventsMap = DefaultListenEvents, E extends EventsMap = DefaultEmitEvents>(
  options?: UseSocketOptions,
): SocketScope<L, E> {
  // The server: one shared result per render and client (ssr.ts, which finds the context itself). A browser build has
  // no such module ('#vue-ssr' resolves to ssr.browser.ts there); should it ever render on a server, the browser's
  // path serves it, only slower. A function of its own: the browser's path captures its variables in closures, and
  // entering a function like that allocates their context even when it returns at once (a server render pays it per
  // component).
  return serverScope?.<L, E>(options, clientOptions, injectSocketContext, SOCKET_CONTEXT_KEY as symbol) ?? browserScope<L, E>(injectSocketContext(), options)
}

/** useSocket in the browser (and on a server that rendered through a browser build). */
function browserScope<L extends EventsMap, E extends EventsMap>(context: SocketContext, options: UseSocketOptions | undefined): SocketScope<L, E> {
  const { registry } = context
  const autoConnect = options?.autoConnect ?? context.autoConnect
  let client = registry.acquire<L, E>(clientOptions(options))
  // The engine and the transport library start loading now, in parallel with mounting (the plugin's preload
  // covers the app's defaults; this covers a connection with its own options), the connection after mount.
  if (autoConnect && options) void client.preload()
  // Development: inspectors (the Nuxt DevTools tab) show who holds each connection, and where it asked (the stack
  // is kept as an Error and read only if an inspector asks). Only where the hold ends with a scope.
  let unmark: (() => void) | undefined
  let remark: ((next: SocketClient<L, E>) => void) | undefined
  if (process.env.NODE_ENV !== 'production' && getCurrentScope()) {
    const type = getCurrentInstance()?.type as { __name?: string; name?: string } | undefined
    const holder = type ? `<${type.__name ?? type.name ?? 'Anonymous'}>` : 'an effect scope'
    const origin = new Error()
    unmark = markHolder(client, holder, origin)
    remark = (next) => {
      unmark!()
      unmark = markHolder(next, holder, origin)
    }
  }
  const enabled = (): boolean => toValue(options?.enabled) !== false
  const state = shallowRef<SocketState>(INITIAL_STATE)
  const socket = shallowRef<Socket | null>(null)
  /** The handlers this caller added, to remove on dispose and to carry over to another client. */
  const bindings = new Set<Binding>()
  let unsubscribe: (() => void) | null = null
  let started = false
  let active = true
  /** The client this caller counts in the demand of (mounted, auto-connecting, enabled), if any. */
  let wantedOn: SocketClient<L, E> | null = null

  const sync = (next: SocketState): void => {
    state.value = next
    socket.value = client.socket
  }
  /** Shows the current client's state from now on. */
  const follow = (): void => {
    sync(client.getState())
    unsubscribe = client.subscribe(sync)
  }
  const want = (on: boolean): void => {
    if (on) {
      if (wantedOn === client) return
      const target = (wantedOn = client)
      demand(target, 1)
      context.scheduleConnect(() => active && wantedOn === target && target.connect())
    } else if (wantedOn) {
      const target = wantedOn
      wantedOn = null
      if (demand(target, -1) === 0) target.disconnect()
    }
  }
  const start = (): void => {
    started = true
    follow()
    if (autoConnect && enabled()) want(true)
  }
  // In a component: after mount (after hydration). Elsewhere (an effect scope in a store): now, in the browser.
  if (getCurrentInstance()) onMounted(start)
  else if (!registry.isServer) start()

  const attach = (b: Binding): void => {
    b.off = b.attach(client as SocketClient<EventsMap, EventsMap>)
  }
  /** Another client (reactive url, path or namespace changed): this caller's handlers and demand move to it. */
  const switchTo = (next: SocketClient<L, E>): void => {
    const previous = client
    if (next === previous) return registry.release(next) // the same connection after all (one ref too many)
    const wanted = wantedOn !== null
    // One connection at a time. Another namespace of the same server shares its Engine.IO connection: the new
    // namespace connects before the old one leaves, so that socket.io keeps that connection open. Another
    // server: the old connection closes first.
    const server = (key: string): string => key.slice(0, key.lastIndexOf('#'))
    if (server(next.key) !== server(previous.key)) want(false)
    for (const b of bindings) b.off()
    unsubscribe?.()
    client = next
    if (process.env.NODE_ENV !== 'production') remark?.(next)
    for (const b of bindings) attach(b)
    const old = wantedOn
    wantedOn = null
    if (started) {
      follow()
      if (wanted || (autoConnect && enabled())) want(true)
    }
    const leave = (): void => {
      if (old && demand(old, -1) === 0) old.disconnect() // the last caller that wanted it closes it
      registry.release(previous)
    }
    // Same server: the old namespace leaves once the new one is through (or has failed): the new one's transport
    // is created asynchronously, and socket.io closes a connection whose last namespace leaves.
    if (!old || client.getState().status !== 'connecting') return leave()
    const stop = client.subscribe((next) => next.status !== 'connecting' && done())
    // Once: a scope that ends inside another of the client's state listeners would otherwise leave twice.
    const done = (): void => {
      if (!pending.delete(done)) return
      stop()
      leave()
    }
    pending.add(done)
  }
  /** Old clients waiting for the new one to connect (run at once when the scope ends). */
  const pending = new Set<() => void>()
  const stops: Array<() => void> = []
  if (options && KEY_OPTIONS.some((key) => reactive(options[key]))) {
    stops.push(watch(() => KEY_OPTIONS.map((key) => toValue(options[key])).join('\n'), () => switchTo(registry.acquire<L, E>(clientOptions(options)))))
  }
  if (options && reactive(options.enabled)) {
    stops.push(watch(enabled, (on) => started && autoConnect && want(on)))
  }

  if (getCurrentScope()) {
    onScopeDispose(() => {
      active = false
      for (const stop of stops) stop()
      for (const done of [...pending]) done()
      unsubscribe?.()
      for (const b of bindings) b.off()
      bindings.clear()
      // No disconnect here: the registry keeps the connection for graceMs after its last holder (a route change).
      if (wantedOn) demand(wantedOn, -1)
      wantedOn = null
      if (process.env.NODE_ENV !== 'production') unmark?.()
      registry.release(client)
    })
  }

  function track(attachTo: Binding['attach'], event?: unknown, original?: unknown): () => void {
    const b: Binding = { attach: attachTo, off: () => {}, event, original }
    attach(b)
    bindings.add(b)
    return () => {
      if (bindings.delete(b)) b.off()
    }
  }
  type Handler = (...args: unknown[]) => void
  type Listening = Record<'on' | 'once', (event: unknown, handler: Handler) => () => void>
  function bind(kind: 'on' | 'once' | 'onResync', event: unknown, handler: (...args: never[]) => unknown): () => void {
    if (kind === 'onResync') return track((c) => c.onResync(handler as () => void))
    let remove: () => void = () => {}
    // Each binding holds its own function: the client keeps one entry per function, so two callers passing the
    // same handler must not share it (one's off would take the other's). A `once` that fired is no longer this
    // caller's (and not carried to another client).
    const held = kind === 'once' ? (...args: unknown[]) => (remove(), (handler as Handler)(...args)) : (...args: unknown[]) => (handler as Handler)(...args)
    remove = track((c) => (c as unknown as Listening)[kind](event, held), event, handler)
    return remove
  }
  function unbind(event: unknown, handler?: unknown): void {
    for (const b of bindings) {
      if (b.event !== undefined && b.event === event && (handler === undefined || b.original === handler)) {
        bindings.delete(b)
        b.off()
      }
    }
  }

  const pick = <K extends keyof SocketState>(key: K) => computed(() => state.value[key])
  const api = Object.assign(methods(() => client, bind, unbind), {
    state,
    status: pick('status'),
    isConnected: computed(() => state.value.status === 'connected'),
    error: pick('error'),
    attempt: pick('attempt'),
    socket,
  })
  return { api, track }
}
