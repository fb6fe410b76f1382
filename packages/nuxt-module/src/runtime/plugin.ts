import { defineNuxtPlugin, useRuntimeConfig } from '#app'
import { createSocketPlugin, fromConfig, getSocketRegistry, type SocketConfigOptions } from '@ssr-socket/vue'
import { socketState, type SocketNuxtState } from './composables'

type PublicSocketConfig = SocketConfigOptions & { autoConnect?: boolean; graceMs?: number }

/** With auth 'token': the token of the provider registered with provideSocketToken(), on every handshake. */
function tokenOf(nuxtApp: object): () => ReturnType<NonNullable<SocketNuxtState['tokenProvider']>> {
  return () => {
    const provider = socketState(nuxtApp).tokenProvider
    if (!provider) throw new Error("socket.auth is 'token' but no token provider is registered: call provideSocketToken(() => token) in a plugin")
    return provider()
  }
}

/**
 * One universal plugin: an inert registry per request on the server, a fresh one per app in the browser.
 * Components connect after hydration, never during it.
 */
export default defineNuxtPlugin({
  name: 'ssr-socket',
  setup(nuxtApp) {
    const { autoConnect, graceMs, ...config } = useRuntimeConfig().public.socket as unknown as PublicSocketConfig
    const state: SocketNuxtState = socketState(nuxtApp)
    // Connections wanted during hydration wait for it to end (app:suspense:resolve sets isHydrating false).
    const waiting: Array<() => void> = []
    if (nuxtApp.isHydrating) {
      nuxtApp.hooks.hookOnce('app:suspense:resolve', () => {
        for (const connect of waiting.splice(0)) connect()
      })
    }
    nuxtApp.vueApp.use(
      createSocketPlugin({
        // Every option of nuxt.config's `socket` (and runtime config) as the core takes it: one schema, one mapping.
        ...fromConfig({ ...config }, tokenOf(nuxtApp)),
        ...(graceMs === undefined ? {} : { graceMs }),
        isServer: import.meta.server,
        autoConnect: autoConnect ?? true,
        name: 'ssr-socket Nuxt plugin',
        scheduleConnect(connect) {
          const start = (): void => {
            if (nuxtApp.isHydrating) state.connectsWhileHydrating++
            state.connects++
            connect()
          }
          if (nuxtApp.isHydrating) waiting.push(start)
          else start()
        },
      }),
    )
    return { provide: { socketRegistry: getSocketRegistry(nuxtApp.vueApp) } }
  },
})
