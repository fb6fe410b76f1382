import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { addImports, addPlugin, addServerImports, addServerPlugin, addTypeTemplate, addVitePlugin, createResolver, defineNuxtModule, useLogger, type Resolver } from '@nuxt/kit'
import type { ModuleCustomTab } from '@nuxt/devtools-kit/types'
import type { Nuxt } from '@nuxt/schema'
import { OPTION_SCHEMA, fromConfig, type SocketConfigOptions } from '@ssr-socket/core'
import { validateOptions } from '@ssr-socket/core/validate'
import { lazyEntries } from '@ssr-socket/vue/vite'
import { defu } from 'defu'

/**
 * The module's options (`socket` in nuxt.config): every client option a config file can hold, from the core's one
 * option schema (so none is missing here), plus the module's own. `auth` is the core's auth as a mode (`'token'`
 * takes the token from `provideSocketToken()`); `debug` a boolean. Each can be overridden at run time through
 * runtime config (`NUXT_PUBLIC_SOCKET_URL`, …).
 */
export interface ModuleOptions extends SocketConfigOptions {
  /** Connect after hydration once a component uses `useSocket()`. @default true */
  autoConnect?: boolean
  /** Time a connection no component uses stays open (a route change does not reconnect). @default 2000 */
  graceMs?: number
  /** In `nuxi dev`, forward `/socket.io` (polling and WebSocket upgrade) to this backend. @default false */
  devProxy?: string | false
}

const NAME = '@ssr-socket/nuxt'

/** Fails the build with a message naming the `socket.*` option and the fix. */
function checkOptions(options: ModuleOptions): void {
  const { autoConnect, devProxy = false, ...client } = options
  const auth = typeof options.auth === 'object' && options.auth ? options.auth.mode : options.auth
  if (auth !== undefined && !['none', 'cookie', 'token'].includes(auth)) {
    throw new Error(`[${NAME}] socket.auth must be 'none', 'cookie' or 'token', got ${JSON.stringify(options.auth)} ({ mode, retries } is accepted too). For tokens, set auth: 'token' and call provideSocketToken(() => token) in a plugin.`)
  }
  if (devProxy !== false && (typeof devProxy !== 'string' || !/^https?:\/\/[^/]+/.test(devProxy))) {
    throw new Error(`[${NAME}] socket.devProxy must be the backend's http(s) URL, e.g. 'http://localhost:8000', got ${JSON.stringify(devProxy)}.`)
  }
  if (autoConnect !== undefined && typeof autoConnect !== 'boolean') throw new Error(`[${NAME}] socket.autoConnect must be a boolean.`)
  if (options.debug !== undefined && typeof options.debug !== 'boolean') {
    throw new Error(`[${NAME}] socket.debug must be a boolean in nuxt.config (a logger function can only be passed from code).`)
  }
  try {
    // The core's validation, on what the runtime plugin will pass (the same mapping): one schema, one set of checks.
    validateOptions(fromConfig(client as SocketConfigOptions & Record<string, unknown>, () => null))
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

/**
 * socket.io-client where it must not be: the server build (always), the browser build with the WebSocket transport.
 * A module that throws when used, naming the file that imported it.
 */
function serverStub(importer: string, client = false): string {
  const message = client
    ? `[${NAME}] ${importer} imports socket.io-client, but this app uses socket.transport 'websocket', which leaves socket.io-client out of the bundle. ` +
      "Use transport 'socket.io' (and install socket.io-client) to connect to a socket.io server."
    : `[${NAME}] ${importer} imports socket.io-client, which is not available on the server: sockets are created in the browser only. ` +
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

/** Where nuxi dev serves the DevTools tab (under the app's baseURL). */
const TAB_ROUTE = '/__ssr-socket__/devtools'
const TAB_ICON =
  'data:image/svg+xml,' +
  encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="#00dc82" stroke-width="2"><path d="M9 2v6M15 2v6M6 8h12v4a6 6 0 0 1-12 0zM12 18v4"/></svg>')

/** The tab's page: its script is the module's runtime/devtools/tab.mjs, served next to it. */
const TAB_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ssr-socket</title>
<style>
  body { font: 13px/1.45 system-ui, sans-serif; margin: 0; padding: 12px 16px; color: #1f2328; background: #fff; }
  html.dark body { color: #e6edf3; background: #151515; } html.dark th { color: #8b949e; }
  h2 { font-size: 14px; margin: 0; font-family: ui-monospace, monospace; }
  h3 { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; margin: 14px 0 4px; opacity: .7; }
  header { display: flex; gap: 10px; align-items: center; }
  .connection { border: 1px solid #8884; border-radius: 8px; padding: 10px 12px; margin: 10px 0; }
  .meta { margin: 2px 0; opacity: .85; }
  .status { font-weight: 600; padding: 1px 8px; border-radius: 10px; background: #8883; }
  .status-connected { background: #00dc8233; color: #0a7f4f; }
  .status-reconnecting, .status-connecting, .status-offline { background: #f0b42933; color: #9a6700; }
  .status-failed, .status-unauthorized { background: #f8514933; color: #cf222e; }
  .actions { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0; }
  button { font: inherit; padding: 3px 10px; border-radius: 6px; border: 1px solid #8886; background: transparent; color: inherit; cursor: pointer; }
  button:hover { border-color: #00dc82; }
  table { border-collapse: collapse; width: 100%; font-family: ui-monospace, monospace; font-size: 12px; }
  th { text-align: left; font-weight: 500; color: #57606a; }
  td, th { padding: 2px 8px 2px 0; vertical-align: top; border-bottom: 1px solid #8882; }
  td.args { word-break: break-all; }
  tr.past { opacity: .6; }
  .errors li { margin: 4px 0; } .hint { opacity: .75; font-size: 12px; }
</style></head>
<body><div id="app">Loading...</div><script type="module" src="./tab.mjs"></script></body></html>`

/**
 * Development only: a Nuxt DevTools tab showing the app's connections (custom tab through the hook that
 * @nuxt/devtools-kit's addCustomTab uses, so that no second @nuxt/kit is installed for it), its page served by
 * Vite's dev server, and a client plugin that hands the tab the core's inspector. A production build has none of it.
 */
function setupDevtools(nuxt: Nuxt, resolver: Resolver): void {
  const base = (nuxt.options.app.baseURL || '/').replace(/\/$/, '')
  const route = `${base}${TAB_ROUTE}`
  addPlugin({ src: resolver.resolve('./runtime/devtools.client'), mode: 'client' })
  nuxt.hook('devtools:customTabs', (tabs: ModuleCustomTab[]) => {
    tabs.push({ name: 'ssr-socket', title: 'Sockets', icon: TAB_ICON, category: 'modules', view: { type: 'iframe', src: `${route}/` } })
  })
  // tab.mjs in the sources, tab.js once built.
  const script = ['mjs', 'js'].map((ext) => resolver.resolve(`./runtime/devtools/tab.${ext}`)).find((file) => existsSync(file))!
  nuxt.hook('vite:serverCreated', (server, env) => {
    if (!env.isClient) return
    server.middlewares.use(route, (req, res) => {
      const path = (req.url ?? '/').split('?')[0]
      if (path === '/' || path === '') {
        res.setHeader('Content-Type', 'text/html; charset=utf-8')
        res.end(TAB_HTML)
      } else if (path === '/tab.mjs') {
        res.setHeader('Content-Type', 'text/javascript; charset=utf-8')
        res.end(readFileSync(script, 'utf8'))
      } else {
        res.statusCode = 404
        res.end('Not found')
      }
    })
  })
}

export default defineNuxtModule<ModuleOptions>({
  meta: { name: NAME, configKey: 'socket', compatibility: { nuxt: '>=3.12.0' } },
  // The core's defaults (OPTION_SCHEMA) for the flat options, so that each is a key of runtime config at build time
  // and an environment variable can override it (NUXT_PUBLIC_SOCKET_PATH, …_ACK_TIMEOUT_MS); the nested ones start
  // empty (the client fills in the rest), as does maxPayloadBytes (no limit).
  defaults: {
    url: '',
    path: OPTION_SCHEMA.path.default,
    namespace: OPTION_SCHEMA.namespace.default,
    auth: OPTION_SCHEMA.auth.default.mode,
    reconnection: {},
    buffer: {},
    ackTimeoutMs: OPTION_SCHEMA.ackTimeoutMs.default,
    reconnectOnServerDisconnect: OPTION_SCHEMA.reconnectOnServerDisconnect.default,
    debug: OPTION_SCHEMA.debug.default,
    socketOptions: {},
    autoConnect: true,
    devProxy: false,
  },
  async setup(options, nuxt) {
    const logger = useLogger(NAME)
    const resolver = createResolver(import.meta.url)
    // The WebSocket transport: its default path, the server inside Nitro (its WebSocket support and the handler
    // helper), and no socket.io-client anywhere.
    const websocket = options.transport === 'websocket'
    if (websocket) {
      // url: '/_ws' is a path on the page's own origin, under the app's baseURL as Nitro mounts its routes.
      const base = (nuxt.options.app.baseURL || '/').replace(/\/$/, '')
      if (typeof options.url === 'string' && options.url.startsWith('/')) {
        options.path = `${base}${options.url}`
        options.url = ''
      } else if (options.path === OPTION_SCHEMA.path.default) options.path = `${base}/_ws`
      nuxt.options.nitro.experimental = { ...nuxt.options.nitro.experimental, websocket: true }
      addServerImports([{ name: 'defineSocketHandler', from: resolver.resolve('./runtime/server/handler') }])
      // Under test (@nuxt/test-utils' Nuxt environment sets nuxt.options.test), a test may import a server route and
      // drive it with createTestPeer() from @ssr-socket/nuxt/testing: that environment transforms with the app's imports.
      if (nuxt.options.test) addImports({ name: 'defineSocketHandler', from: resolver.resolve('./runtime/server/handler') })
      addServerPlugin(resolver.resolve('./runtime/server/limits'))
      if (nuxt.options.dev) {
        // Nitro 2's dev server proxies each WebSocket to its worker and drops the promise of that proxy: a socket that
        // ends with a TCP reset (a tab closed, a network change) rejects it unhandled, and nuxi restarts the whole dev
        // server (nitrojs/nitro#4493). The rejection is caught here, and the socket destroyed; nothing else changes.
        nuxt.hook('ready', () => {
          const server = nuxt.server as { upgrade?: (req: unknown, socket: { destroy(): void }, head: unknown) => unknown } | undefined
          const upgrade = server?.upgrade
          if (!server || typeof upgrade !== 'function') return
          server.upgrade = (req, socket, head) => Promise.resolve(upgrade.call(server, req, socket, head)).catch(() => socket.destroy())
        })
      }
    }

    checkOptions(options)

    const { devProxy, ...runtimeOptions } = options
    nuxt.options.runtimeConfig.public.socket = defu(nuxt.options.runtimeConfig.public.socket as object | undefined, runtimeOptions) as typeof nuxt.options.runtimeConfig.public.socket

    addPlugin(resolver.resolve('./runtime/plugin'))
    addImports([
      { name: 'useSocket', from: resolver.resolve('./runtime/vue') },
      { name: 'useSocketEvent', from: resolver.resolve('./runtime/vue') },
      { name: 'useSocketSubscription', from: resolver.resolve('./runtime/vue') },
      { name: 'provideSocketToken', from: resolver.resolve('./runtime/composables') },
      { name: 'useSocketDiagnostics', from: resolver.resolve('./runtime/vue') },
      { name: 'useSocketModuleDiagnostics', from: resolver.resolve('./runtime/composables') },
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
        load: (id, opts) => (id.startsWith(STUB) ? serverStub(id.slice(STUB.length), websocket && !opts?.ssr) : null),
      },
      // With the WebSocket transport the browser never loads socket.io-client either: an app need not install it.
      { client: websocket, server: true },
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
    if (websocket) {
      // nothing to load besides the library
    } else if (resolves('socket.io-client')) prebundle.push('socket.io-client')
    else logger.warn(`socket.io-client is not installed in this app: install it (npm i socket.io-client), the browser loads it to connect. (With socket.transport 'websocket' it is not needed.)`)
    nuxt.options.vite.optimizeDeps ??= {}
    nuxt.options.vite.optimizeDeps.include = [...new Set([...(nuxt.options.vite.optimizeDeps.include ?? []), ...prebundle])]
    if (websocket) {
      // Pre-bundling @ssr-socket/vue meets the core's import('socket.io-client') (the socket.io path, never taken with
      // this transport): left as it is, so that an app without socket.io-client installed still starts in dev.
      const esbuild = (nuxt.options.vite.optimizeDeps.esbuildOptions ??= {})
      esbuild.plugins = [
        ...(esbuild.plugins ?? []),
        { name: 'ssr-socket:no-socket.io-client', setup: (build) => void build.onResolve({ filter: /^socket\.io-client$/ }, () => ({ path: 'socket.io-client', external: true })) },
      ]
    }

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
    // The first connect's chunks over this app's transport: a WebSocket app preloads no socket.io code.
    const lazyEntry = lazyEntries(websocket ? 'websocket' : 'socket.io')
    nuxt.hook('build:manifest', (manifest) => {
      const lazy = Object.keys(manifest).filter((key) => {
        const chunk = manifest[key]
        return chunk?.isDynamicEntry && lazyEntry.test(chunk.src ?? key)
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

    if (nuxt.options.dev) setupDevtools(nuxt, resolver)

    if (nuxt.options.dev && devProxy) {
      const path = options.path ?? '/socket.io'
      const target = `${devProxy.replace(/\/$/, '')}${path}`
      nuxt.options.nitro.devProxy = defu(nuxt.options.nitro.devProxy, { [path]: { target, ws: true, changeOrigin: true } })
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
