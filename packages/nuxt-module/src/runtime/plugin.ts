import { defineNuxtPlugin, useRuntimeConfig } from '#app'
import { createSocketPlugin, getSocketRegistry } from '@ssr-socket/vue'
import { registryOptions, socketState, type PublicSocketConfig, type SocketNuxtState } from './state'

/**
 * One universal plugin: an inert registry per request on the server, a fresh one per app in the browser.
 * Components connect after hydration, never during it.
 */
export default defineNuxtPlugin({
  name: 'ssr-socket',
  setup(nuxtApp) {
    const config = useRuntimeConfig().public.socket as unknown as PublicSocketConfig
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
        ...registryOptions(nuxtApp, config),
        isServer: import.meta.server,
        autoConnect: config.autoConnect ?? true,
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
