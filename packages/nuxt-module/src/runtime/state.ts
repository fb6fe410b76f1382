// The module's per-app state and the registry options of an app, without Nuxt's runtime imports: the plugin and the
// testing kit (@ssr-socket/nuxt/testing, which must load outside a Nuxt app too) share them.
import { fromConfig, type SocketClientOptions, type SocketConfigOptions } from '@ssr-socket/vue'

export interface SocketNuxtState {
  tokenProvider: (() => string | null | undefined | Promise<string | null | undefined>) | null
  /**
   * Connect requests made while `nuxtApp.isHydrating` was true: must stay 0 (the module holds them until hydration
   * ends). Counted like `connects`.
   */
  connectsWhileHydrating: number
  /**
   * Connect requests: one each time a caller of `useSocket()` (a mounted component or an effect scope, with
   * autoConnect) asks for its connection, whether or not that connection is open already. Two components sharing one
   * connection count 2; the connections themselves are in the registry's diagnostics.
   */
  connects: number
}

const KEY = '__ssrSocket'

/** Per-app state (never module-level: on the server a module is shared by every request). */
export function socketState(nuxtApp: object): SocketNuxtState {
  const app = nuxtApp as { [KEY]?: SocketNuxtState }
  return (app[KEY] ??= { tokenProvider: null, connectsWhileHydrating: 0, connects: 0 })
}

/** `public.socket` of the runtime config: nuxt.config's `socket` options, overridable by NUXT_PUBLIC_SOCKET_*. */
export type PublicSocketConfig = SocketConfigOptions & { autoConnect?: boolean; graceMs?: number }

/** With auth 'token': the token of the provider registered with provideSocketToken(), on every handshake. */
function tokenOf(nuxtApp: object): () => ReturnType<NonNullable<SocketNuxtState['tokenProvider']>> {
  return () => {
    const provider = socketState(nuxtApp).tokenProvider
    if (!provider) throw new Error("socket.auth is 'token' but no token provider is registered: call provideSocketToken(() => token) in a plugin")
    return provider()
  }
}

/** The options of an app's registry, from its runtime config: every option of nuxt.config's `socket` as the core takes it. */
export function registryOptions(nuxtApp: object, config: PublicSocketConfig): SocketClientOptions & { graceMs?: number } {
  const { autoConnect: _autoConnect, graceMs, ...options } = config
  return { ...fromConfig({ ...options }, tokenOf(nuxtApp)), ...(graceMs === undefined ? {} : { graceMs }) }
}
