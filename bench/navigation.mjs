// 7. Navigation -> connected in Chromium: two Vite SPA pages built here in production mode, loaded cold and
// interleaved. Baseline: the eager plugin users write by hand (socket.io-client imported at the top of main.ts,
// the socket created with the app). Ours: createSocketPlugin + useSocket(), which loads socket.io-client lazily
// after mount. Both use the websocket transport only: the socket.io server is on another origin without CORS,
// so polling could not work cross-origin, and it keeps one handshake shape for both pages.
import { createReadStream, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { transform } from 'esbuild'
import { chromium } from 'playwright-core'
import { build } from 'vite'
import { quantile, startServer } from './util.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
// Inside the repository so that vue and socket.io-client resolve from its node_modules; git-ignored, removed after.
const work = join(root, 'bench', '.nav-build')

// The page sources. `__SOCKET_URL__` is replaced at build time (the server is started first).
const html = `<!doctype html><html><head><meta charset="utf-8"><title>nav</title></head><body><div id="app"></div><script type="module" src="./main.ts"></script></body></html>`
const pages = {
  baseline: `
    import { createApp, defineComponent, h, inject, ref } from 'vue'
    import { io } from 'socket.io-client'

    const socketPlugin = {
      install(app) {
        const status = ref('connecting')
        const socket = io(__SOCKET_URL__, { transports: ['websocket'] })
        socket.on('connect', () => {
          window.__connectedAt ??= performance.now()
          status.value = 'connected'
        })
        socket.on('disconnect', () => (status.value = 'disconnected'))
        app.provide('socket', { socket, status })
      },
    }
    const App = defineComponent({
      setup() {
        const { status } = inject('socket')
        return () => h('p', 'status: ' + status.value)
      },
    })
    createApp(App).use(socketPlugin).mount('#app')
  `,
  ours: `
    import { createApp, defineComponent, h, watch } from 'vue'
    import { createSocketPlugin, useSocket } from '@ssr-socket/vue'

    const App = defineComponent({
      setup() {
        const { status } = useSocket()
        // flush: 'sync' records the moment the client's state changes, not the next render.
        watch(status, (s) => s === 'connected' && (window.__connectedAt ??= performance.now()), { flush: 'sync' })
        return () => h('p', 'status: ' + status.value)
      },
    })
    createApp(App).use(createSocketPlugin({ url: __SOCKET_URL__, socketOptions: { transports: ['websocket'] } })).mount('#app')
  `,
}

// The same app as `ours`, built with the Vite plugin that hints the lazy chunks (engine, socket.io-client) as
// modulepreload in index.html, as the Nuxt module does for Nuxt apps.
pages.hinted = pages.ours

/** One Vite production build per page, each with its own base path and chunks, as separate apps would be. */
async function buildPages(socketUrl) {
  const outDir = join(work, 'dist')
  const { socketPreload } = await import('../packages/vue/dist/vite.js')
  for (const [name, main] of Object.entries(pages)) {
    const src = join(work, name)
    mkdirSync(src, { recursive: true })
    writeFileSync(join(src, 'index.html'), html)
    writeFileSync(join(src, 'main.ts'), main)
    await build({
      root: src,
      base: `/${name}/`,
      mode: 'production',
      configFile: false,
      envFile: false,
      publicDir: false,
      cacheDir: join(work, '.vite'),
      logLevel: 'warn',
      define: { __SOCKET_URL__: JSON.stringify(socketUrl) },
      plugins: name === 'hinted' ? [socketPreload()] : [],
      resolve: {
        alias: { '@ssr-socket/vue': join(root, 'packages', 'vue', 'dist', 'index.js') },
        // One copy of each, whichever package imports it: a second Vue would break provide/inject.
        dedupe: ['vue', 'socket.io-client'],
      },
      build: { outDir: join(outDir, name), emptyOutDir: true },
    })
  }
  return outDir
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' }

/** A plain static server for the built pages; `/<page>/` serves its index.html. */
function serveStatic(dir) {
  const server = createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname)))
    const file = path.endsWith(sep) ? join(path, 'index.html') : path
    if (!file.startsWith(dir + sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
    createReadStream(file).pipe(res)
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        stop: () => new Promise((done) => server.close(done).closeAllConnections()),
      }),
    ),
  )
}

/** The Chromium settings of the browser tests (test/chromium.ts): compiled on the fly, as this is plain Node. */
async function chromiumSettings() {
  const { code } = await transform(readFileSync(join(root, 'test', 'chromium.ts'), 'utf8'), { loader: 'ts', format: 'esm' })
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)
}

/** One cold load: a new context has an empty cache and no open connections. Returns performance.now() at connect. */
async function load(browser, url) {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    // A script error fails the load now rather than as a 10 s timeout.
    const crashed = new Promise((_, reject) => page.once('pageerror', reject))
    crashed.catch(() => {}) // handled by the race below, even when it fires before the race starts
    await page.goto(url, { waitUntil: 'commit', timeout: 10_000 })
    const connectedAt = await Promise.race([page.waitForFunction(() => window.__connectedAt, undefined, { timeout: 10_000 }), crashed])
    return connectedAt.jsonValue()
  } finally {
    await context.close()
  }
}

export async function measureNavigation(n = 21) {
  rmSync(work, { recursive: true, force: true }) // a crashed earlier run
  const closers = []
  try {
    const io = await startServer()
    closers.push(io.stop)
    const web = await serveStatic(await buildPages(io.url))
    closers.push(web.stop)
    const { CHROMIUM, chromiumArgs, requireChromium } = await chromiumSettings()
    requireChromium()
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs })
    closers.push(() => browser.close())

    for (const name of Object.keys(pages)) await load(browser, `${web.url}/${name}/`) // warm-up: first-use costs
    const times = { baseline: [], ours: [], hinted: [] }
    for (let i = 0; i < n; i++) for (const name of Object.keys(times)) times[name].push(await load(browser, `${web.url}/${name}/`))
    const b = times.baseline
    const baseline = quantile(b, 0.5)
    const spread = (v) => `${Math.round(quantile(v, 0.25))}–${Math.round(quantile(v, 0.75))} ms`
    const row = (a, name, how) => ({
      name,
      unit: 'ms',
      value: quantile(a, 0.5),
      baseline,
      ratio: quantile(a, 0.5) / baseline,
      interval: [quantile(a, 0.25) / quantile(b, 0.75), quantile(a, 0.75) / quantile(b, 0.25)],
      note: `median of ${n} cold loads each, interleaved (p25–p75: ours ${spread(a)}, baseline ${spread(b)}); ${how} vs socket.io-client imported and connected in main.ts; websocket transport for both; ratio <= 1.10 is the target (issue 24)`,
    })
    return [
      row(times.hinted, 'navigation -> connected (Vite SPA, cold load, Chromium), with socketPreload()', 'createSocketPlugin + useSocket, the lazy chunks hinted by the socketPreload() Vite plugin'),
      row(times.ours, 'navigation -> connected (Vite SPA, cold load, Chromium), no hint', 'createSocketPlugin + useSocket, lazy chunks requested at plugin install'),
    ]
  } finally {
    for (const close of closers.reverse()) await close().catch((e) => console.warn(`navigation: closing failed: ${e.message}`))
    rmSync(work, { recursive: true, force: true })
  }
}
