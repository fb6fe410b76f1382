import { createSocketRegistry, type SocketRegistry, type SocketRegistryOptions } from '@ssr-socket/core'
import { hasInjectionContext, inject, type App, type InjectionKey, type Plugin } from 'vue'

export interface SocketPluginOptions extends SocketRegistryOptions {
  /** Connect when the first component using `useSocket()` is mounted. @default true */
  autoConnect?: boolean
  /**
   * For frameworks: runs each automatic connect, e.g. later, once hydration is over (the Nuxt module holds
   * them until `app:suspense:resolve`). @default (connect) => connect()
   */
  scheduleConnect?: (connect: () => void) => void
}

/** What the plugin provides to the app. */
export interface SocketContext {
  readonly registry: SocketRegistry
  readonly autoConnect: boolean
  readonly scheduleConnect: (connect: () => void) => void
  /** Server only: one `useSocket()` result per client key (and '' for the call without options), shared by the render. */
  readonly ssr?: Map<string, unknown>
}

export const SOCKET_CONTEXT_KEY: InjectionKey<SocketContext> = Symbol('ssr-socket')

/**
 * `app.use(createSocketPlugin(options))`: creates this app's registry (one per app, so one per SSR request),
 * provides it, and disposes it when the app unmounts.
 */
export function createSocketPlugin(options: SocketPluginOptions = {}): Plugin {
  const { autoConnect = true, scheduleConnect = (connect: () => void) => connect(), ...registryOptions } = options
  return {
    install(app: App) {
      const registry = createSocketRegistry(registryOptions)
      app.provide(SOCKET_CONTEXT_KEY, { registry, autoConnect, scheduleConnect, ssr: registry.isServer ? new Map() : undefined })
      // The registry ends with the app, as app.onUnmount (Vue 3.5) would end it: when a mounted app unmounts, before its
      // components do. One path for Vue 3.4 (which has no onUnmount) and 3.5: app.unmount wrapped, as Vue Router wraps
      // it (Vue's own needs no `this`). Unlike onUnmount's cleanups, it runs before other plugins' and outside
      // app.config.errorHandler; 3.5's hook with a 3.4 fallback costs ~25 B of every app's entry chunk.
      const unmount = app.unmount
      app.unmount = () => {
        if (app._container) registry.dispose()
        unmount()
      }
      // The engine chunk and socket.io-client start loading now, in parallel with mounting and hydration; the
      // connection itself still opens after mount.
      if (autoConnect && !registry.isServer) void registry.preload()
    },
  }
}

const MISSING_PLUGIN = (caller: string): string =>
  process.env.NODE_ENV !== 'production'
    ? `[ssr-socket] ${caller}() found no socket plugin. Install it once where the app is created:\n\n` +
      `  app.use(createSocketPlugin({ url: 'https://your-socket-server' }))\n\n` +
      `(import { createSocketPlugin } from '@ssr-socket/vue'; in Nuxt, add '@ssr-socket/nuxt' to modules instead).` +
      ` ${caller}() must run inside setup(), a composable called from it, or app.runWithContext().`
    : `[ssr-socket] no-plugin: ${caller}()` // production: the code (the sentence above is the development build's)

/** The app's socket context; throws an error naming `createSocketPlugin` when the plugin is missing. */
export function injectSocketContext(caller = 'useSocket'): SocketContext {
  const context = hasInjectionContext() ? inject(SOCKET_CONTEXT_KEY, null) : null
  if (!context) throw new Error(MISSING_PLUGIN(caller))
  return context
}

/** The registry of an app (for tests, devtools or code outside components). */
export function getSocketRegistry(app: App): SocketRegistry {
  const context = app.runWithContext(() => inject(SOCKET_CONTEXT_KEY, null))
  if (!context) throw new Error(MISSING_PLUGIN('getSocketRegistry'))
  return context.registry
}
