// Hot updates under nuxi dev keep one connection: a component and a composable that use useSocket are edited
// (5 hot updates in all) while the page is open in Chromium, and the socket.io server counts its connections.
// The two edited files are put back as they were after the test.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestServer, freePort, waitFor, type TestServer } from '@ssr-socket/core/testing'
import { CHROMIUM, chromiumArgs, requireChromium } from '../../../test/chromium'
import { fixture, startNuxi } from './nuxi'

const dir = fixture('hmr')
const COMPONENT = join(dir, 'app/components/LivePanel.vue')
const COMPOSABLE = join(dir, 'app/composables/useLive.ts')
const originals = new Map([COMPONENT, COMPOSABLE].map((file) => [file, readFileSync(file, 'utf8')]))

let server: TestServer
let dev: ReturnType<typeof startNuxi>
let browser: Browser
let url: string
/** Connections opened on the server in all, and the most open at once. */
let opened = 0
let most = 0

beforeAll(async () => {
  requireChromium()
  server = await createTestServer({
    onConnection: (socket) => {
      opened++
      most = Math.max(most, server.connectionCount())
      socket.on('disconnect', () => {})
    },
  })
  const port = await freePort()
  url = `http://127.0.0.1:${port}`
  dev = startNuxi(['dev', '--port', String(port), '--host', '127.0.0.1'], dir, { NUXT_PUBLIC_SOCKET_URL: server.url })
  browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs })
  // nuxi dev answers once Vite and Nitro are up (about 15-30 s here the first time).
  const started = Date.now()
  for (;;) {
    const ok = await fetch(url).then((r) => r.status === 200, () => false)
    if (ok) break
    if (Date.now() - started > 120_000) throw new Error(`nuxi dev did not answer within 120 s:\n${dev.output()}`)
    await new Promise((r) => setTimeout(r, 500))
  }
}, 180_000)

afterAll(async () => {
  for (const [file, text] of originals) writeFileSync(file, text)
  await browser?.close()
  await dev?.stop()
  await server?.close()
})

/** Edits a file and waits for the page to show the result of the hot update, without a reload. */
async function hotUpdate(page: Page, file: string, from: string, to: string, selector: string, expected: string): Promise<void> {
  // A change right after the previous one can be folded into it by the file watcher: let it settle first.
  await new Promise((r) => setTimeout(r, 500))
  const text = readFileSync(file, 'utf8')
  if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`)
  writeFileSync(file, text.replace(from, to))
  await page.waitForFunction(([s, e]) => document.querySelector(s!)?.textContent === e, [selector, expected] as const, { timeout: 30_000 })
}

describe('hot updates under nuxi dev', () => {
  it('5 hot updates of a component and a composable that use useSocket: one connection all along, no reload', async () => {
    const page = await (await browser.newContext()).newPage()
    await page.goto(url)
    await page.waitForSelector('#status:text("connected")', { timeout: 60_000 })
    // Warm-up: on its first visit Vite may optimise the dependencies it discovers and reload the page once (a
    // dev-server step, not a hot update). Wait until the page stays the same document for 4 s.
    const marked = () => page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true)
    for (let tries = 0; ; tries++) {
      await page.waitForSelector('#status:text("connected")', { timeout: 60_000 })
      await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true))
      await new Promise((r) => setTimeout(r, 4000))
      if (await marked().catch(() => false)) break
      if (tries === 3) throw new Error('the page kept reloading under nuxi dev')
    }
    await waitFor(() => server.connectionCount() === 1, 'one connection')
    const before = opened
    await hotUpdate(page, COMPONENT, '>v0<', '>v1<', '#component', 'v1')
    await hotUpdate(page, COMPONENT, '>v1<', '>v2<', '#component', 'v2')
    await hotUpdate(page, COMPONENT, '>v2<', '>v3<', '#component', 'v3')
    await hotUpdate(page, COMPOSABLE, "label: 'v0'", "label: 'v1'", '#composable', 'v1')
    await hotUpdate(page, COMPOSABLE, "label: 'v1'", "label: 'v2'", '#composable', 'v2')

    await page.waitForSelector('#status:text("connected")')
    // Past the registry's grace period (2 s): a connection let go by an old instance would be closed by now.
    await new Promise((r) => setTimeout(r, 2500))
    const sameDocument = await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true)
    console.info(`[measure] nuxi dev: 5 hot updates, ${opened - before} connection(s) opened during them (${opened} with the warm-up), at most ${most} at once, now ${server.connectionCount()}; page not reloaded: ${sameDocument}`)
    expect(sameDocument).toBe(true)
    expect(server.connectionCount()).toBe(1)
    expect(most).toBe(1)
    expect(opened - before).toBe(0)
  }, 120_000)
})
