import { defineNuxtPlugin, useRuntimeConfig } from '#app'
import { createSocketPlugin, getSocketRegistry, type SocketClientOptions } from '@ssr-socket/vue'
import { socketState, type SocketNuxtState } from './composables'

interface PublicSocketConfig {
  url: string
  path: string
  namespace: string
  auth: 'none' | 'cookie' | 'token'
  autoConnect: boolean
  reconnection: false | Record<string, number | null>
  buffer: false | Record<string, number | null>
  debug: boolean
}

/** Runtime config went through JSON: `Infinity` arrives as `null`. */
function numbers<T extends Record<string, number | null>>(value: false | T): false | Record<string, number> {
  if (value === false) return false
  const out: Record<string, number> = {}
  for (const [key, v] of Object.entries(value ?? {})) out[key] = v === null ? Infinity : v
  return out
}

function authOption(nuxtApp: object, mode: PublicSocketConfig['auth']): SocketClientOptions['auth'] {
  if (mode !== 'token') return { mode }
  return {
    mode: 'token',
    getToken: () => {
      const provider = socketState(nuxtApp).tokenProvider
      if (!provider) {
        throw new Error("socket.auth is 'token' but no token provider is registered: call provideSocketToken(() => token) in a plugin")
      }
      return provider()
    },
  }
}

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
        url: config.url || undefined,
        path: config.path,
        namespace: config.namespace,
        auth: authOption(nuxtApp, config.auth),
        reconnection: numbers(config.reconnection),
        buffer: numbers(config.buffer),
        debug: config.debug,
        isServer: import.meta.server,
        autoConnect: config.autoConnect,
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
