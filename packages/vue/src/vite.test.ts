// @vitest-environment node
// socketPreload() in a real Vite production build: index.html hints the engine chunk and socket.io-client as
// modulepreload, and the entry chunk still carries neither.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import { afterAll, describe, expect, it } from 'vitest'
import { socketPreload } from './vite'

const root = fileURLToPath(new URL('../../..', import.meta.url))
// Inside the repository, so that vue and socket.io-client resolve from its node_modules; removed afterwards.
const work = mkdtempSync(join(root, 'packages', 'vue', '.vite-test-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Builds an app with `socketPreload(options)` and its socket plugin on `transport`; returns the entry and the hints. */
async function built(transport: 'socket.io' | 'websocket') {
  writeFileSync(join(work, 'index.html'), '<!doctype html><div id="app"></div><script type="module" src="./main.js"></script>')
  writeFileSync(
    join(work, 'main.js'),
    `import { createApp, h } from 'vue'\nimport { createSocketPlugin, useSocket } from '@ssr-socket/vue'\n` +
      `createApp({ setup() { const { status } = useSocket(); return () => h('p', status.value) } }).use(createSocketPlugin({ url: 'http://127.0.0.1:1', transport: '${transport}' })).mount('#app')\n`,
  )
  const outDir = join(work, `dist-${transport}`)
  await build({
    root: work,
    configFile: false,
    logLevel: 'silent',
    plugins: [socketPreload({ transport })],
    resolve: { alias: { '@ssr-socket/vue': join(root, 'packages', 'vue', 'dist', 'index.js') }, dedupe: ['vue', 'socket.io-client'] },
    build: { outDir },
  })
  const html = readFileSync(join(outDir, 'index.html'), 'utf8')
  const entry = /<script type="module" crossorigin src="\/([^"]+)"/.exec(html)?.[1]
  const preloads = [...html.matchAll(/<link rel="modulepreload" crossorigin href="\/([^"]+)"/g)].map((m) => m[1]!)
  const code = (file: string) => readFileSync(join(outDir, file), 'utf8')
  return { entry, preloads, code }
}

describe('socketPreload()', () => {
  it('hints the lazy chunks in index.html as modulepreload, outside the entry chunk', async () => {
    const { entry, preloads, code } = await built('socket.io')
    expect(entry).toBeDefined()
    const socketIo = preloads.filter((f) => code(f).includes('It seems you are trying to reach a Socket.IO server'))
    const engine = preloads.filter((f) => /reportError|A handler of/.test(code(f))) // the engine's handler-error report
    expect(socketIo).toHaveLength(1)
    expect(engine).toHaveLength(1)
    expect(code(entry!)).not.toContain('It seems you are trying to reach a Socket.IO server')
    expect(code(entry!)).not.toMatch(/reportError|A handler of/)
    // The socket.io adapter's chunk is hinted too; the WebSocket transport's (the one chunk with its ping answer,
    // '["pong"]') is not.
    expect(preloads.filter((f) => code(f).includes('["pong"]'))).toEqual([])
  })

  it("with transport 'websocket': the engine and the WebSocket transport's chunk are hinted, no socket.io code", async () => {
    const { entry, preloads, code } = await built('websocket')
    expect(entry).toBeDefined()
    expect(preloads.filter((f) => /reportError|A handler of/.test(code(f)))).toHaveLength(1)
    expect(preloads.filter((f) => code(f).includes('["pong"]'))).toHaveLength(1) // the WebSocket transport's chunk (its ping answer)
    expect(preloads.filter((f) => /Socket\.IO server|Manager|engine\.io/.test(code(f)))).toEqual([])
    expect(code(entry!)).not.toContain('["pong"]')
  })
})
