// 1. Size as an app bundles each entry (esbuild, esm, code splitting, minified, NODE_ENV=production, peers
// external), per path, each min + brotli 11: eager (the entry chunk and its static imports: loaded before
// hydration), lazy (the first connect over socket.io: the engine's chunk and the socket.io adapter's, socket.io-client
// itself external) and lazyWebsocket (the first connect over the WebSocket transport: the engine's chunk and the
// transport's). The debug logger's chunk is on no path (fetched only when `debug` is set): `debugLogger`. The same
// measure as ../shared/tools/size-paths.mjs; scripts/size-budgets.mjs holds the ceilings that `npm test` enforces.
import { build } from 'esbuild'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { brotliCompressSync, constants } from 'node:zlib'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const peers = ['vue', 'socket.io-client', 'engine.io-client', '#app', '#imports']

export const entries = [
  { name: '@ssr-socket/core (main entry)', code: `export * from './packages/core/dist/index.js'` },
  { name: '@ssr-socket/vue { createSocketPlugin, useSocket, useSocketEvent }', code: `export { createSocketPlugin, useSocket, useSocketEvent } from './packages/vue/dist/index.js'` },
  { name: '@ssr-socket/nuxt runtime plugin (+ composables)', code: `export { default } from './packages/nuxt-module/dist/runtime/plugin.js'\nexport * from './packages/nuxt-module/dist/runtime/composables.js'` },
  { name: 'VueUse useWebSocket (@vueuse/core 15.0.0)', code: `export { useWebSocket } from '@vueuse/core'` },
  { name: 'vue-socket.io-extended 4.2.0', code: `export { default } from 'vue-socket.io-extended'` },
  { name: 'socket.io-client 4.8.4 (what every option above loads)', code: `export { Manager } from 'socket.io-client'`, bundlePeers: true },
]

const brotli = (bytes) => brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length

/** Bundles `code` (resolved from the repository root) and returns { minified, brotli, eager, lazy } in bytes. */
export async function splitSize(code, { bundlePeers = false } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'ssr-socket-size-'))
  try {
    const entry = join(root, `.size-entry-${process.pid}.js`)
    writeFileSync(entry, code)
    let result
    try {
      result = await build({
        entryPoints: [entry],
        bundle: true,
        splitting: true,
        minify: true,
        format: 'esm',
        platform: 'browser',
        outdir: work,
        write: false,
        metafile: true,
        external: bundlePeers ? [] : peers,
        define: { 'process.env.NODE_ENV': '"production"', 'import.meta.env.DEV': 'false' },
        logLevel: 'silent',
      })
    } finally {
      rmSync(entry, { force: true })
    }
    const outputs = result.metafile.outputs
    const key = (path) => relative(process.cwd(), path) // metafile paths are relative to the working directory
    const entryOut = Object.keys(outputs).find((k) => outputs[k].entryPoint)
    /** A chunk and what it imports statically (what loading it fetches). */
    const closure = (start, set = new Set()) => {
      const visit = (k) => {
        if (!k || set.has(k)) return
        set.add(k)
        for (const i of outputs[k].imports) if (i.kind === 'import-statement' && !i.external) visit(i.path)
      }
      visit(start)
      return set
    }
    const eagerSet = closure(entryOut)
    const dynamic = (re) => Object.keys(outputs).find((k) => re.test(outputs[k].entryPoint ?? ''))
    const engine = dynamic(/engine[\\/]index\.js$/)
    const path = (transport) => {
      const chunk = dynamic(transport)
      return chunk && engine ? [...closure(chunk, closure(engine))].filter((k) => !eagerSet.has(k)) : []
    }
    const sio = path(/transports[\\/]socketio\.js$/)
    const ws = path(/transports[\\/]websocket\.js$/)
    const logger = dynamic(/engine[\\/]logger\.js$/)
    const size = { minified: 0, brotli: 0, eager: 0, lazy: 0, lazyWebsocket: 0, debugLogger: 0 }
    for (const file of result.outputFiles) {
      if (!file.path.endsWith('.js')) continue
      const k = key(file.path)
      const b = brotli(file.contents)
      size.minified += file.contents.length
      size.brotli += b
      if (eagerSet.has(k)) size.eager += b
      if (sio.includes(k)) size.lazy += b
      if (ws.includes(k)) size.lazyWebsocket += b
      if (k === logger) size.debugLogger += b
    }
    return size
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

export async function measureSizes() {
  const out = []
  for (const entry of entries) out.push({ name: entry.name, ...(await splitSize(entry.code, entry)) })
  return out
}
