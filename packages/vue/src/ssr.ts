// The server's useSocket(): constant refs (the client is inert there), one result per render and client, made once
// and handed to every component of the render, so a page of 50 components pays for one. Reached through '#vue-ssr'
// (package.json "imports"): a browser build resolves that to ssr.browser.ts and carries none of this.
import { INITIAL_STATE, type EventsMap, type SocketClient, type SocketClientOptions, type SocketError, type SocketState, type SocketStatus } from '@ssr-socket/core'
import type { Socket } from 'socket.io-client'
import { getCurrentInstance, toRef, type ComputedRef, type ShallowRef } from 'vue'
import { methods } from './methods'
import type { SocketContext } from './plugin'
import type { SocketScope, UseSocketOptions, UseSocketReturn } from './types'

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
  const c = client as unknown as Record<'on' | 'once' | 'onResync' | 'off', (...args: unknown[]) => () => void>
  // Object.assign onto the methods keeps their `client` getter (a spread would copy its value).
  return Object.assign(
    methods(() => client, (kind, event, handler) => (kind === 'onResync' ? c.onResync(handler) : c[kind](event, handler)), (event, handler) => c.off(event, handler)),
    serverRefs as Pick<UseSocketReturn<L, E>, keyof typeof serverRefs>,
  )
}

/**
 * The socket context of the component being set up, by its parent: inject() resolves through the parent's provides,
 * the same for every child of one parent, so a page of 50 sibling components asks Vue once instead of 50 times (a
 * lookup through objects that are new in every request, which V8 cannot cache). Only the app's own context is kept:
 * inside app.runWithContext (a Pinia setup store) inject() reads the app's provides first, so under a subtree that
 * provides a context of its own two children of one parent may get different ones; those ask inject() every time.
 * Weak: a render's components (and their entries) go with the render; a key is one render's component, so no request
 * sees another's.
 */
const contexts = new WeakMap<object, SocketContext>()
function contextOf(inject: () => SocketContext, key: symbol): SocketContext {
  const instance = getCurrentInstance()
  // `provides` (what inject() reads) is not in Vue's public types; without it, nothing is cached.
  const parent = instance?.parent as { provides?: Record<symbol, unknown> } | null | undefined
  let context = parent && contexts.get(parent)
  if (!context) {
    context = inject()
    if (parent?.provides?.[key] === context && instance!.appContext.provides[key] === context) contexts.set(parent, context)
  }
  return context
}

/**
 * The server's useSocket(): the result for these options in this render, or `undefined` where the registry is not a
 * server's (a DOM emulation in Node: the browser's path serves it). The render's results live in the plugin's
 * context (`ssr`); '' keys the call without options, so most components skip even the registry.
 */
export function serverScope<L extends EventsMap, E extends EventsMap>(
  options: UseSocketOptions | undefined,
  clientOptions: (options: UseSocketOptions | undefined) => SocketClientOptions,
  // plugin.ts's, passed in rather than imported: a CommonJS build would give this file its own copy (its own key).
  inject: () => SocketContext,
  key: symbol,
): SocketScope<L, E> | undefined {
  const { ssr, registry } = contextOf(inject, key)
  if (!ssr) return undefined
  const scopes = ssr as Map<string, SocketScope<L, E>>
  let result = options ? undefined : scopes.get('')
  if (result) return result
  const client = registry.acquire<L, E>(clientOptions(options)) // (no closure per call: 50 components, 50 calls)
  result = scopes.get(client.key)
  if (!result) scopes.set(client.key, (result = { api: serverSocket(client), track: (attach) => attach(client as SocketClient<EventsMap, EventsMap>) }))
  if (!options) scopes.set('', result)
  return result
}
