// A Vite plugin for SPAs (Nuxt apps get the same from @ssr-socket/nuxt): it hints the two lazy chunks of a
// connection, the engine of @ssr-socket/core and socket.io-client, as <link rel="modulepreload"> in index.html.
// The browser then fetches and compiles them in parallel with the entry chunk instead of after it, and runs them
// only when the socket plugin imports them: nothing is added to the entry chunk, nothing runs before mount.
import type { Plugin } from 'vite'

/** The dynamic entries worth hinting: the core's engine chunk and socket.io-client (also used by the Nuxt module). */
export const LAZY = /[\\/]core[\\/]dist[\\/]engine[\\/]index\.js$|[\\/]socket\.io-client[\\/]/

export interface SocketPreloadOptions {
  /** Also hint socket.io-client (not needed with a custom transport). @default true */
  socketIoClient?: boolean
}

/**
 * `plugins: [vue(), socketPreload()]` in vite.config.ts. Build only; does nothing in the dev server.
 */
export function socketPreload(options: SocketPreloadOptions = {}): Plugin {
  let base = '/'
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
          if (chunk.type !== 'chunk' || !chunk.isDynamicEntry || !chunk.facadeModuleId || !LAZY.test(chunk.facadeModuleId)) continue
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
