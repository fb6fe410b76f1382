import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { addImports, addPlugin, addTypeTemplate, addVitePlugin, createResolver, defineNuxtModule, useLogger } from '@nuxt/kit'
import type { BufferOptions, ReconnectionOptions } from '@ssr-socket/core'
import { validateOptions } from '@ssr-socket/core/validate'
import { LAZY } from '@ssr-socket/vue/vite'
import { defu } from 'defu'

export interface ModuleOptions {
  /** Socket server URL, origin only; `NUXT_PUBLIC_SOCKET_URL` overrides it at run time. @default '' (the page's origin) */
  url: string
  /** The server's socket.io path. @default '/socket.io' */
  path: string
  /** The socket.io namespace. @default '/' */
  namespace: string
  /**
   * `'cookie'` sends the browser's cookies (same-origin sessions); `'token'` calls the function registered
   * with `provideSocketToken()` on every handshake. @default 'none'
   */
  auth: 'none' | 'cookie' | 'token'
  /** Connect after hydration once a component uses `useSocket()`. @default true */
  autoConnect: boolean
  /** `false` turns reconnection off. @default {} (attempts Infinity, delayMs 1000, maxDelayMs 5000, jitter 0.5) */
  reconnection: false | ReconnectionOptions
  /** Offline emit queue. @default {} (max 100, ttlMs 60000) */
  buffer: false | BufferOptions
  /** Redacted debug logging in the browser console. @default false */
  debug: boolean
  /** In `nuxi dev`, forward `/socket.io` (polling and WebSocket upgrade) to this backend. @default false */
  devProxy: string | false
}

const NAME = '@ssr-socket/nuxt'

/** Fails the build with a message naming the `socket.*` option and the fix. */
function checkOptions(options: ModuleOptions): void {
  if (!['none', 'cookie', 'token'].includes(options.auth)) {
    throw new Error(`[${NAME}] socket.auth must be 'none', 'cookie' or 'token', got ${JSON.stringify(options.auth)}. For tokens, set auth: 'token' and call provideSocketToken(() => token) in a plugin.`)
  }
  if (options.devProxy !== false && (typeof options.devProxy !== 'string' || !/^https?:\/\/[^/]+/.test(options.devProxy))) {
    throw new Error(`[${NAME}] socket.devProxy must be the backend's http(s) URL, e.g. 'http://localhost:8000', got ${JSON.stringify(options.devProxy)}.`)
  }
  try {
    validateOptions({
      url: options.url || undefined,
      path: options.path,
      namespace: options.namespace,
      reconnection: options.reconnection,
      buffer: options.buffer,
      debug: options.debug,
    })
  } catch (error) {
    throw new Error(`[${NAME}] ${(error as Error).message.replace('[ssr-socket] ', '').replace(/\boptions\./g, 'socket.')}`, { cause: error })
  }
}

const SOCKET_CLIENT_IMPORTS = /(?:from\s*|import\s*\(\s*|require\s*\(\s*)['"]socket\.io-client['"]/g

/** What the scan leaves out: the server (it never opens a browser socket), builds, dependencies and tests (and every dot folder: .nuxt, .output). */
const NOT_APP = new Set(['server', 'node_modules', 'dist', 'public', 'test', 'tests', '__tests__'])

function* filesUnder(dir: string): Generator<string> {
  if (!existsSync(dir)) return
  for (const entry of readdirSync(dir)) {
    if (NOT_APP.has(entry) || entry.startsWith('.')) continue
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) yield* filesUnder(path)
    else if (/\.(m?[jt]sx?|vue)$/.test(entry)) yield path
  }
}


/**
 * App code (the whole srcDir of each layer: components, composables, utils, plugins, pages, layouts, .vue script
 * blocks; not the server, tests or builds) that opens its own socket.io connection beside the module's: each
 * importing file with the line of its import.
 */
export function findSecondOwners(srcDirs: string[]): Array<{ file: string; line: number }> {
  const found: Array<{ file: string; line: number }> = []
  // A layer inside another one's srcDir (layers/*) is read once, with the outer one.
  const roots = srcDirs.filter((dir) => !srcDirs.some((other) => other !== dir && dir.startsWith(`${other}${sep}`)))
  for (const srcDir of roots) {
    for (const file of filesUnder(srcDir)) {
      if (/\.(test|spec)\.[cm]?[jt]s$/.test(file)) continue
      const text = readFileSync(file, 'utf8')
      for (const match of text.matchAll(SOCKET_CLIENT_IMPORTS)) {
        // `import type` / `export type` from socket.io-client opens nothing.
        const statement = Math.max(text.lastIndexOf('import', match.index), text.lastIndexOf('export', match.index))
        if (statement >= 0 && /^(?:import|export)\s+type\b/.test(text.slice(statement))) continue
        found.push({ file, line: text.slice(0, match.index).split('\n').length })
        break
      }
    }
  }
  return found
}

/** socket.io-client in the server build: a module that throws, naming the file that imported it, when used. */
function serverStub(importer: string): string {
  const message =
    `[${NAME}] ${importer} imports socket.io-client, which is not available on the server: sockets are created in the browser only. ` +
    'Use useSocket() (auto-imported), or create the socket in onMounted() or a .client plugin.'
  return [
    `const unavailable = () => { throw new Error(${JSON.stringify(message)}) }`,
    'export class Manager { constructor() { unavailable() } }',
    'export const io = unavailable',
    'export const connect = unavailable',
    'export default io',
  ].join('\n')
}
const STUB = '\0ssr-socket:socket.io-client-on-server:'

export default defineNuxtModule<ModuleOptions>({
  meta: { name: NAME, configKey: 'socket', compatibility: { nuxt: '>=3.12.0' } },
  defaults: {
    url: '',
    path: '/socket.io',
    namespace: '/',
    auth: 'none',
    autoConnect: true,
    reconnection: {},
    buffer: {},
    debug: false,
    devProxy: false,
  },
  async setup(options, nuxt) {
    const logger = useLogger(NAME)
    const resolver = createResolver(import.meta.url)
    checkOptions(options)

    const { devProxy, ...runtimeOptions } = options
    nuxt.options.runtimeConfig.public.socket = defu(nuxt.options.runtimeConfig.public.socket as object | undefined, runtimeOptions)

    addPlugin(resolver.resolve('./runtime/plugin'))
    addImports([
      { name: 'useSocket', from: resolver.resolve('./runtime/vue') },
      { name: 'useSocketEvent', from: resolver.resolve('./runtime/vue') },
      { name: 'useSocketSubscription', from: resolver.resolve('./runtime/vue') },
      { name: 'provideSocketToken', from: resolver.resolve('./runtime/composables') },
      { name: 'useSocketDiagnostics', from: resolver.resolve('./runtime/composables') },
    ])
    addTypeTemplate({
      filename: 'types/ssr-socket.d.ts',
      getContents: () =>
        [
          "import type { SocketRegistry } from '@ssr-socket/vue'",
          "declare module '#app' { interface NuxtApp { $socketRegistry: SocketRegistry } }",
          'export {}',
        ].join('\n'),
    })

    // The server never opens a socket: keep socket.io-client (and engine.io-client) out of the server build. Each
    // importer gets a stand-in of its own, so that the error a server render meets names the file to change.
    addVitePlugin(
      {
        name: 'ssr-socket:server-stub',
        enforce: 'pre',
        resolveId: (id, importer) => (id === 'socket.io-client' ? `${STUB}${importer ? relative(nuxt.options.rootDir, importer.split('?')[0]!) : 'a module'}` : null),
        load: (id) => (id.startsWith(STUB) ? serverStub(id.slice(STUB.length)) : null),
      },
      { client: false, server: true },
    )

    // In dev, Vite serves what it has not pre-bundled file by file. socket.io-client is imported only dynamically, by
    // the connection engine, so Vite's scan never finds it: served raw, its CommonJS dependency (debug) fails to
    // load and every connection ends 'failed'. Pre-bundled from the start, with @ssr-socket/vue (which the plugin and
    // the composables import), nothing is discovered late (no reload on the first page) and there is one copy.
    const fromApp = createRequire(join(nuxt.options.rootDir, 'package.json'))
    const resolves = (id: string): boolean => {
      try {
        fromApp.resolve(id)
        return true
      } catch {
        return false
      }
    }
    const prebundle = [resolves('@ssr-socket/vue') ? '@ssr-socket/vue' : `${NAME} > @ssr-socket/vue`]
    if (resolves('socket.io-client')) prebundle.push('socket.io-client')
    else logger.warn(`socket.io-client is not installed in this app: install it (npm i socket.io-client), the browser loads it to connect.`)
    nuxt.options.vite.optimizeDeps ??= {}
    nuxt.options.vite.optimizeDeps.include = [...new Set([...(nuxt.options.vite.optimizeDeps.include ?? []), ...prebundle])]

    // `declare module '@ssr-socket/core' { interface Register {...} }` in app code must reach the very file
    // the composables' types import, even where the app does not depend on @ssr-socket/core itself (pnpm).
    const coreTypes = join(dirname(createRequire(import.meta.url).resolve('@ssr-socket/core/package.json')), 'dist/index.d.ts')
    nuxt.hook('prepare:types', ({ tsConfig }) => {
      tsConfig.compilerOptions ??= {}
      tsConfig.compilerOptions.paths ??= {}
      tsConfig.compilerOptions.paths['@ssr-socket/core'] ??= [coreTypes]
    })

    // The connection engine and socket.io-client are dynamic chunks (out of the entry, so they do not delay
    // hydration) that the plugin starts loading at install. Hint them in the HTML too, as modulepreload: the browser
    // fetches and compiles them in parallel with the entry instead of after it, and runs them only when imported.
    // Nuxt's default for dynamic chunks is a low-priority prefetch; listing them among the entry's preloads in the
    // client manifest changes only the hints the renderer writes, not the code.
    nuxt.hook('build:manifest', (manifest) => {
      const lazy = Object.keys(manifest).filter((key) => {
        const chunk = manifest[key]
        return chunk?.isDynamicEntry && LAZY.test(chunk.src ?? key)
      })
      if (!lazy.length) return
      for (const chunk of Object.values(manifest)) {
        if (!chunk?.isEntry) continue
        chunk.imports = [...new Set([...(chunk.imports ?? []), ...lazy])]
        chunk.dynamicImports = chunk.dynamicImports?.filter((key) => !lazy.includes(key))
      }
      for (const key of lazy) {
        const chunk = manifest[key]!
        chunk.preload = true
        chunk.prefetch = false
      }
    })

    if (nuxt.options.dev && devProxy) {
      const target = `${devProxy.replace(/\/$/, '')}${options.path}`
      nuxt.options.nitro.devProxy = defu(nuxt.options.nitro.devProxy, { [options.path]: { target, ws: true, changeOrigin: true } })
    }

    nuxt.hook('modules:done', () => {
      const srcDirs = [...new Set(nuxt.options._layers.map((layer) => layer.config.srcDir ?? layer.cwd))]
      for (const { file, line } of findSecondOwners(srcDirs)) {
        logger.warn(
          `${relative(nuxt.options.rootDir, file)}:${line} imports socket.io-client: it opens a second connection beside the one ${NAME} manages. ` +
            'Use useSocket() (auto-imported) instead, so that one registry owns the connection.',
        )
      }
    })
  },
})
