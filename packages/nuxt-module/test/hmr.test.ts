// Hot updates under nuxi dev keep one connection: a component and a composable that use useSocket are edited
// (5 hot updates in all) while the page is open in Chromium, and the socket.io server counts its connections.
// The two edited files are put back as they were after the test.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestServer, waitFor, type TestServer } from '@ssr-socket/core/testing'
import { CHROMIUM, chromiumArgs, requireChromium } from '../../../test/chromium'
import { fiveHotUpdates, settleDevReloads } from '../../../test/hotUpdates'
import { fixture, startDev } from './nuxi'

const dir = fixture('hmr')
const COMPONENT = join(dir, 'app/components/LivePanel.vue')
const COMPOSABLE = join(dir, 'app/composables/useLive.ts')
const originals = new Map([COMPONENT, COMPOSABLE].map((file) => [file, readFileSync(file, 'utf8')]))

let server: TestServer
let dev: Awaited<ReturnType<typeof startDev>>
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
  dev = await startDev(dir, { NUXT_PUBLIC_SOCKET_URL: server.url })
  url = dev.url
  browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs })
}, 180_000)

afterAll(async () => {
  for (const [file, text] of originals) writeFileSync(file, text)
  await browser?.close()
  await dev?.stop()
  await server?.close()
})

describe('hot updates under nuxi dev', () => {
  it('5 hot updates of a component and a composable that use useSocket: one connection all along, no reload', async () => {
    const page = await (await browser.newContext()).newPage()
    await page.goto(url)
    const { sameDocument } = await settleDevReloads(page, 4000, 'nuxi dev')
    await waitFor(() => server.connectionCount() === 1, 'one connection')
    const before = opened
    await fiveHotUpdates(page, COMPONENT, COMPOSABLE)
    // Past the registry's grace period (2 s): a connection let go by an old instance would be closed by now.
    await new Promise((r) => setTimeout(r, 2500))
    const reloaded = !(await sameDocument())
    console.info(`[measure] nuxi dev: 5 hot updates, ${opened - before} connection(s) opened during them (${opened} with the warm-up), at most ${most} at once, now ${server.connectionCount()}; page not reloaded: ${!reloaded}`)
    expect(reloaded).toBe(false)
    expect(server.connectionCount()).toBe(1)
    expect(most).toBe(1)
    expect(opened - before).toBe(0)
  }, 120_000)
})
