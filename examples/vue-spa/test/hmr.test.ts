// Hot updates under Vite keep one connection: a component and a composable that use useSocket are edited (5 hot
// updates in all) while the page is open in Chromium, and the socket.io server counts its connections. The app is
// written to a temporary folder inside this example (so vue, @vitejs/plugin-vue and @ssr-socket/vue resolve from
// it), removed afterwards.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { chromium, type Browser } from 'playwright-core'
import { createServer, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestServer, freePort, waitFor, type TestServer } from '@ssr-socket/core/testing'
import { CHROMIUM, chromiumArgs, requireChromium } from '../../../test/chromium'
import { fiveHotUpdates, settleDevReloads } from '../../../test/hotUpdates'

const here = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(here, 'hmr-test-'))
const COMPONENT = join(dir, 'LivePanel.vue')
const COMPOSABLE = join(dir, 'useLive.ts')

let server: TestServer
let vite: ViteDevServer
let browser: Browser
let url: string
let opened = 0
let most = 0

beforeAll(async () => {
  requireChromium()
  server = await createTestServer({
    onConnection: () => {
      opened++
      most = Math.max(most, server.connectionCount())
    },
  })
  writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="app"></div><script type="module" src="./main.ts"></script>')
  writeFileSync(
    join(dir, 'main.ts'),
    `import { createApp } from 'vue'\nimport { createSocketPlugin } from '@ssr-socket/vue'\nimport LivePanel from './LivePanel.vue'\n` +
      `createApp(LivePanel).use(createSocketPlugin({ url: ${JSON.stringify(server.url)} })).mount('#app')\n`,
  )
  writeFileSync(COMPOSABLE, `import { useSocket } from '@ssr-socket/vue'\nexport function useLive() {\n  const { status, on } = useSocket()\n  on('ping', () => {})\n  return { status, label: 'v0' }\n}\n`)
  writeFileSync(
    COMPONENT,
    `<script setup lang="ts">\nimport { useLive } from './useLive'\nconst { status, label } = useLive()\n</script>\n\n<template>\n  <p>status: <span id="status">{{ status }}</span></p>\n  <p>component: <span id="component">v0</span></p>\n  <p>composable: <span id="composable">{{ label }}</span></p>\n</template>\n`,
  )
  const port = await freePort()
  vite = await createServer({ root: dir, configFile: false, logLevel: 'silent', plugins: [vue()], server: { port, host: '127.0.0.1', strictPort: true } })
  await vite.listen()
  url = `http://127.0.0.1:${port}/`
  browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await vite?.close()
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('hot updates under vite', () => {
  it('5 hot updates of a component and a composable that use useSocket: one connection all along, no reload', async () => {
    const page = await (await browser.newContext()).newPage()
    await page.goto(url)
    const { sameDocument } = await settleDevReloads(page, 3000, 'vite')
    await waitFor(() => server.connectionCount() === 1, 'one connection')
    const before = opened

    await fiveHotUpdates(page, COMPONENT, COMPOSABLE)
    await new Promise((r) => setTimeout(r, 2500)) // past the registry's grace period
    const reloaded = !(await sameDocument())
    console.info(`[measure] vite: 5 hot updates, ${opened - before} connection(s) opened during them, at most ${most} at once, now ${server.connectionCount()}; page not reloaded: ${!reloaded}`)
    expect(reloaded).toBe(false)
    expect(server.connectionCount()).toBe(1)
    expect(most).toBe(1)
    expect(opened - before).toBe(0)
  }, 90_000)
})
