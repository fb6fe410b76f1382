// A Vite plugin for SPAs (Nuxt apps get the same from @ssr-socket/nuxt): it hints the lazy chunks of a first
// connect, the engine of @ssr-socket/core and its transport's chunk (socket.io: the adapter and socket.io-client;
// WebSocket: the transport alone), as <link rel="modulepreload"> in index.html.
// The browser then fetches and compiles them in parallel with the entry chunk instead of after it, and runs them
// only when the socket plugin imports them: nothing is added to the entry chunk, nothing runs before mount.
import type { Plugin } from 'vite'

const ENGINE = String.raw`[\\/]core[\\/]dist[\\/]engine[\\/]index\.js$`
const SOCKET_IO = String.raw`[\\/]core[\\/]dist[\\/]transports[\\/]socketio\.js$|[\\/]socket\.io-client[\\/]`
const WEBSOCKET = String.raw`[\\/]core[\\/]dist[\\/]transports[\\/]websocket\.js$`

/**
 * The dynamic entries a first connect over `transport` loads, worth hinting (also used by the Nuxt module): the
 * engine's chunk, and the transport's. A WebSocket app hints no socket.io code, a socket.io app no WebSocket code.
 */
export function lazyEntries(transport: 'socket.io' | 'websocket' | 'both'): RegExp {
  return new RegExp([ENGINE, transport !== 'websocket' && SOCKET_IO, transport !== 'socket.io' && WEBSOCKET].filter(Boolean).join('|'))
}

/** Every lazy entry of both transports. @deprecated Use `lazyEntries(transport)`: an app needs its own transport's only. */
export const LAZY = lazyEntries('both')

export interface SocketPreloadOptions {
  /** The app's transport (the `transport` option of its socket plugin). @default 'socket.io' */
  transport?: 'socket.io' | 'websocket'
  /** Also hint socket.io-client (not needed with a custom transport). @default true */
  socketIoClient?: boolean
}

/**
 * `plugins: [vue(), socketPreload()]` in vite.config.ts. Build only; does nothing in the dev server.
 */
export function socketPreload(options: SocketPreloadOptions = {}): Plugin {
  let base = '/'
  const lazy = lazyEntries(options.transport ?? 'socket.io')
  return {
    name: 'ssr-socket:preload',
    apply: 'build',
    configResolved(config) {
      base = config.base
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, { bundle }) {
        if (!bundle) return
        const files = new Set<string>()
        for (const chunk of Object.values(bundle)) {
          if (chunk.type !== 'chunk' || !chunk.isDynamicEntry || !chunk.facadeModuleId || !lazy.test(chunk.facadeModuleId)) continue
          if (options.socketIoClient === false && /socket\.io-client/.test(chunk.facadeModuleId)) continue
          files.add(chunk.fileName)
          // The shared chunks it imports (not the entry: its own script tag loads it), so nothing waits for a second round trip.
          for (const file of chunk.imports) if (!(bundle[file] as { isEntry?: boolean } | undefined)?.isEntry) files.add(file)
        }
        return [...files].map((file) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `${base}${file}` }, injectTo: 'head' as const }))
      },
    },
  }
}
