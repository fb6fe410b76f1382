// 1. Size: min+brotli of each entry, bundled the same way (esbuild, minified, NODE_ENV=production, peers external).
import { build } from 'esbuild'
import { brotliCompressSync, constants } from 'node:zlib'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const entries = [
  { name: '@ssr-socket/core (main entry)', code: `export * from './packages/core/dist/index.js'`, external: ['socket.io-client'] },
  { name: '@ssr-socket/vue { createSocketPlugin, useSocket, useSocketEvent }', code: `export { createSocketPlugin, useSocket, useSocketEvent } from './packages/vue/dist/index.js'`, external: ['vue', 'socket.io-client'] },
  { name: '@ssr-socket/nuxt runtime plugin (+ composables)', code: `export { default } from './packages/nuxt-module/dist/runtime/plugin.js'\nexport * from './packages/nuxt-module/dist/runtime/composables.js'`, external: ['#app', 'vue', 'socket.io-client'] },
  { name: 'VueUse useWebSocket (@vueuse/core 15.0.0)', code: `export { useWebSocket } from '@vueuse/core'`, external: ['vue'] },
  { name: 'vue-socket.io-extended 4.2.0', code: `export { default } from 'vue-socket.io-extended'`, external: ['vue', 'socket.io-client'] },
  { name: 'socket.io-client 4.8.4 (what every option above loads)', code: `export { Manager } from 'socket.io-client'`, external: [] },
]

export async function measureSizes() {
  const out = []
  for (const entry of entries) {
    const result = await build({
      stdin: { contents: entry.code, resolveDir: root, loader: 'js' },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      external: entry.external,
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'silent',
    })
    const bytes = result.outputFiles[0].contents
    const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length
    out.push({ name: entry.name, minified: bytes.length, brotli })
  }
  return out
}
