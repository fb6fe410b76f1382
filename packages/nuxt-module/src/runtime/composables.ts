import { useNuxtApp } from '#app'
import { getSocketRegistry } from '@ssr-socket/vue'
import { socketState, type SocketNuxtState } from './state'

export { socketState, type SocketNuxtState }

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
 * The module's counters plus the registry's diagnostics, a snapshot. `connects` counts connect requests, not
 * connections: one each time a caller of `useSocket()` (a mounted component, an effect scope) asks for its connection,
 * open or not (two components on one connection: 2); `connectsWhileHydrating` those made during hydration (must stay
 * 0). The connections themselves are `registry.clients`. (`useSocketDiagnostics()` is one connection's reactive
 * diagnostics, as in @ssr-socket/vue.)
 */
export function useSocketModuleDiagnostics() {
  const nuxtApp = useNuxtApp()
  const { connectsWhileHydrating, connects } = socketState(nuxtApp)
  // The registry the composables use (the testing kit's mock one while mockSocketServer() is in place).
  return { connectsWhileHydrating, connects, registry: getSocketRegistry(nuxtApp.vueApp).getDiagnostics() }
}
