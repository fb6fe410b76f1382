import { useNuxtApp } from '#app'

export interface SocketNuxtState {
  tokenProvider: (() => string | null | undefined | Promise<string | null | undefined>) | null
  /** Connections started while `nuxtApp.isHydrating` was true: must stay 0. */
  connectsWhileHydrating: number
  connects: number
}

const KEY = '__ssrSocket'

/** Per-app state (never module-level: on the server a module is shared by every request). */
export function socketState(nuxtApp: object): SocketNuxtState {
  const app = nuxtApp as { [KEY]?: SocketNuxtState }
  return (app[KEY] ??= { tokenProvider: null, connectsWhileHydrating: 0, connects: 0 })
}

/**
 * With `socket.auth: 'token'`, registers the function that returns the token; it is called on every
 * handshake (connect and each reconnect). Call it in a plugin:
 *
 * ```ts
 * export default defineNuxtPlugin(() => provideSocketToken(() => useCookie('token').value))
 * ```
 */
export function provideSocketToken(getToken: SocketNuxtState['tokenProvider']): void {
  socketState(useNuxtApp()).tokenProvider = getToken
}

/**
 * The module's counters (connections started, and started during hydration: must stay 0) plus the registry's
 * diagnostics, a snapshot. (`useSocketDiagnostics()` is the connection's reactive diagnostics, as in @ssr-socket/vue.)
 */
export function useSocketModuleDiagnostics() {
  const nuxtApp = useNuxtApp()
  const { connectsWhileHydrating, connects } = socketState(nuxtApp)
  return { connectsWhileHydrating, connects, registry: nuxtApp.$socketRegistry.getDiagnostics() }
}
