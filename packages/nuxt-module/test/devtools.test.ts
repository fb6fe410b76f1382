// The DevTools tab under nuxi dev, in Chromium: the app's page opens Nuxt DevTools on the module's tab (through
// DevTools' own host API, as its tab bar does), and the tab's frame is read and clicked like a user would. The
// socket.io server is real (127.0.0.1) and checks the token; the tab must never show that token.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Frame, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestServer, waitFor, type TestServer } from '@ssr-socket/core/testing'
import { CHROMIUM, chromiumArgs, requireChromium } from '../../../test/chromium'
import { filesUnder } from '../../../test/output.mjs'
import { fixture, runNuxi, startDev } from './nuxi'

const TOKEN = 'devtools-secret-token-4f1c9a7e'
const dir = fixture('devtools')

let server: TestServer
let dev: Awaited<ReturnType<typeof startDev>>
let browser: Browser
let url: string

beforeAll(async () => {
  requireChromium()
  server = await createTestServer({
    middleware: (socket, next) => (socket.handshake.auth.token === TOKEN ? next() : next(new Error('unauthorized'))),
    onConnection: (socket) => {
      // Echoes the token, by a secret-looking key and inside plain text: what the app gets, the tab must not show.
      socket.on('whoami', (ack: (value: unknown) => void) => ack({ token: TOKEN, note: `signed in with ${TOKEN}` }))
    },
  })
  dev = await startDev(dir, { NUXT_PUBLIC_SOCKET_URL: server.url })
  url = dev.url
  browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs })
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await dev?.stop()
  await server?.close()
})

/** Polls `check` in the page or frame until it is true (or throws after `timeoutMs`). */
async function until(target: Page | Frame, check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  await target.waitForFunction(check, undefined, { timeout: timeoutMs, polling: 50 }).catch((error: Error) => {
    throw new Error(`${what}: ${error.message}`)
  })
}

/** The module's tab, opened through Nuxt DevTools' host API (what clicking its icon in DevTools does). */
async function openTab(page: Page): Promise<Frame> {
  await until(page, () => !!(window as unknown as { __NUXT_DEVTOOLS_HOST__?: unknown }).__NUXT_DEVTOOLS_HOST__, 'DevTools host client', 60_000)
  await page.evaluate(() => (window as unknown as { __NUXT_DEVTOOLS_HOST__: { devtools: { open(): void } } }).__NUXT_DEVTOOLS_HOST__.devtools.open())
  let panel: Frame | undefined
  await waitFor(() => !!(panel = page.frames().find((f) => f.url().includes('/__nuxt_devtools__/client'))), 'the DevTools panel', 60_000)
  // DevTools' own router is up once its side bar links are rendered.
  await until(panel!, () => !!document.querySelector('a[href*="/modules/overview"]'), 'the DevTools side bar', 60_000)
  await page.evaluate(() =>
    (window as unknown as { __NUXT_DEVTOOLS_HOST__: { devtools: { navigate(path: string): Promise<void> } } }).__NUXT_DEVTOOLS_HOST__.devtools.navigate('/modules/custom-ssr-socket'),
  )
  let tab: Frame | undefined
  await waitFor(() => !!(tab = page.frames().find((f) => f.url().includes('/__ssr-socket__/devtools/'))), 'the tab frame inside DevTools', 60_000)
  return tab!
}

const activeInspectors = (page: Page): Promise<number> =>
  page.evaluate(() => (window as unknown as { __NUXT_DEVTOOLS_HOST__: { nuxt: { $socketDevtools: { active(): number } } } }).__NUXT_DEVTOOLS_HOST__.nuxt.$socketDevtools.active())

/** Catch-all listeners on the app's socket.io Socket: the inspector's watcher while the tab listens, else none. */
const watchers = (page: Page): Promise<number> =>
  page.evaluate(
    () =>
      (window as unknown as { __NUXT_DEVTOOLS_HOST__: { nuxt: { $socketRegistry: { peek(): { socket: { listenersAny(): unknown[] } } } } } }).__NUXT_DEVTOOLS_HOST__.nuxt.$socketRegistry
        .peek()
        .socket.listenersAny().length,
  )

describe('Nuxt DevTools tab', () => {
  it('shows the live connection, server events within 1 s, reconnect and a backend restart in the timeline; never the token', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: process.env.DEVTOOLS_SCREENSHOT ? 1500 : 900 } })
    // DevTools greets a first visit with a welcome screen; this browser has seen it.
    await context.addInitScript(() => localStorage.setItem('nuxt-devtools-first-visit', 'false'))
    // The README's screenshot (DEVTOOLS_SCREENSHOT=path): a taller panel.
    if (process.env.DEVTOOLS_SCREENSHOT) await context.addInitScript(() => localStorage.setItem('nuxt-devtools-frame-state', JSON.stringify({ height: 88, width: 94 })))
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url })
    const page = await context.newPage()
    const errors: string[] = []
    // DevTools fetches its icon sets from esm.sh; this machine has no network beyond 127.0.0.1.
    page.on('pageerror', (error) => !/esm\.sh\/@iconify/.test(error.message) && errors.push(error.message))
    await page.goto(url)
    await until(page, () => document.querySelector('#status')?.textContent === 'connected', 'the app connected')

    const tab = await openTab(page)
    await until(tab, () => !!document.querySelector('[data-status="connected"]'), 'the tab shows the connection as connected')
    const header = await tab.locator('section.connection h2').innerText()
    expect(header).toBe(`${server.url}/socket.io#/`)
    const meta = await tab.locator('section.connection').innerText()
    expect(meta).toContain('socket.io')
    // app.vue calls useSocket and useSocketEvent: two holds, each named with its component and line.
    expect(meta).toMatch(/held by 2: <app> at [^;]*app\.vue[^;]*:\d+:\d+\)?; <app> at [^;]*app\.vue/)
    expect(await activeInspectors(page)).toBe(1)
    expect(await watchers(page)).toBe(1)

    // An event emitted by the server appears in the log within 1 s (it carries the token: shown redacted).
    const sentAt = Date.now()
    server.io.emit('news', { headline: 'Tab works', token: TOKEN, text: `the token is ${TOKEN}` })
    await until(tab, () => !!document.querySelector('tr[data-event="news"][data-direction="in"]'), 'the news event in the log', 1000)
    console.log(`[devtools] a server event reached the tab's log ${Date.now() - sentAt} ms after the emit`)
    await until(page, () => document.querySelector('#headline')?.textContent === 'Tab works', 'the app got it too')
    const newsRow = await tab.locator('tr[data-event="news"]').first().innerText()
    expect(newsRow).toContain('[redacted]')
    expect(newsRow).toMatch(/\d+ B/)

    // An ack round trip from the app, with the token in the answer.
    const answer = await page.evaluate(() =>
      (window as unknown as { __NUXT_DEVTOOLS_HOST__: { nuxt: { $socketRegistry: { acquire(): { emitWithAck(e: string): Promise<unknown> } } } } }).__NUXT_DEVTOOLS_HOST__.nuxt.$socketRegistry
        .acquire()
        .emitWithAck('whoami'),
    )
    expect(answer).toMatchObject({ token: TOKEN })
    await until(tab, () => /\d+ ms/.test(document.querySelector('tr[data-event="whoami"]')?.textContent ?? ''), 'the ack round trip in the log')
    expect(await tab.locator('tr[data-event="whoami"]').innerText()).toContain('→ {"token":"[redacted]","note":"signed in with [redacted]"}')

    // The reconnect action: reconnecting -> connected.
    await tab.locator('button[data-action="reconnect"]').click()
    await until(tab, () => !!document.querySelector('tr[data-transition="connected->reconnecting"]'), 'reconnecting in the timeline')
    await until(tab, () => !!document.querySelector('tr[data-transition="reconnecting->connected"]') && !!document.querySelector('[data-status="connected"]'), 'connected again')

    // A backend restart shows in the timeline: a second drop with its cause, then connected.
    const drops = () => tab.locator('tr[data-transition="connected->reconnecting"]').count()
    const before = await drops()
    await server.restart(300)
    await until(tab, () => document.querySelectorAll('tr[data-transition="connected->reconnecting"]').length >= 2, 'the restart in the timeline')
    await until(tab, () => document.querySelector('[data-status]')?.getAttribute('data-status') === 'connected', 'connected after the restart')
    expect(await drops()).toBe(before + 1)
    const timeline = await tab.locator('table.timeline').innerText()
    expect(timeline).toMatch(/connected → reconnecting\s+lost\s+network: /)

    // Simulate offline and online.
    await tab.locator('button[data-action="simulateOffline"]').click()
    await until(tab, () => document.querySelector('[data-status]')?.getAttribute('data-status') === 'offline', 'offline')
    await tab.locator('button[data-action="simulateOnline"]').click()
    await until(tab, () => document.querySelector('[data-status]')?.getAttribute('data-status') === 'connected', 'online again')

    // Copy diagnostics as JSON.
    await tab.locator('button[data-action="copy"]').click()
    await until(tab, () => /Copied the diagnostics/.test(document.querySelector('[data-notice]')?.textContent ?? ''), 'copied')
    const copied = JSON.parse(await tab.evaluate(() => navigator.clipboard.readText())) as { clients: Array<{ key: string }> }
    expect(copied.clients.map((c) => c.key)).toEqual([`${server.url}/socket.io#/`])

    if (process.env.DEVTOOLS_SCREENSHOT) await page.locator('#nuxt-devtools-iframe').screenshot({ path: process.env.DEVTOOLS_SCREENSHOT })

    // The token reached the app (handshake, events, acks) and never the tab: not in its DOM, not in what it copied.
    const dom = await tab.evaluate(() => document.documentElement.outerHTML)
    expect(dom).toContain('news')
    expect(dom).not.toContain(TOKEN)
    expect(JSON.stringify(copied)).not.toContain(TOKEN)

    // DevTools closed: the tab stops listening (the app records nothing); opened again, it listens again.
    await page.evaluate(() => (window as unknown as { __NUXT_DEVTOOLS_HOST__: { devtools: { close(): void } } }).__NUXT_DEVTOOLS_HOST__.devtools.close())
    await until(page, () => (window as unknown as { __NUXT_DEVTOOLS_HOST__: { nuxt: { $socketDevtools: { active(): number } } } }).__NUXT_DEVTOOLS_HOST__.nuxt.$socketDevtools.active() === 0, 'no inspector while DevTools is closed')
    await page.evaluate(() => (window as unknown as { __NUXT_DEVTOOLS_HOST__: { devtools: { open(): void } } }).__NUXT_DEVTOOLS_HOST__.devtools.open())
    await until(page, () => (window as unknown as { __NUXT_DEVTOOLS_HOST__: { nuxt: { $socketDevtools: { active(): number } } } }).__NUXT_DEVTOOLS_HOST__.nuxt.$socketDevtools.active() === 1, 'listening again once opened')

    // Another DevTools tab: DevTools hides this frame (it keeps it for later) and the tab stops listening; back on it,
    // it listens again.
    const navigate = (path: string) =>
      page.evaluate((p) => (window as unknown as { __NUXT_DEVTOOLS_HOST__: { devtools: { navigate(path: string): Promise<void> } } }).__NUXT_DEVTOOLS_HOST__.devtools.navigate(p), path)
    await navigate('/modules/components')
    await until(page, () => (window as unknown as { __NUXT_DEVTOOLS_HOST__: { nuxt: { $socketDevtools: { active(): number } } } }).__NUXT_DEVTOOLS_HOST__.nuxt.$socketDevtools.active() === 0, 'no inspector while another tab is shown')
    // Nothing left on the socket either: socket.io's catch-all listener (the tab's view of every event) is gone.
    expect(await watchers(page)).toBe(0)
    await navigate('/modules/custom-ssr-socket')
    await until(page, () => (window as unknown as { __NUXT_DEVTOOLS_HOST__: { nuxt: { $socketDevtools: { active(): number } } } }).__NUXT_DEVTOOLS_HOST__.nuxt.$socketDevtools.active() === 1, 'listening again on its tab')
    expect(errors).toEqual([])
    await context.close()
  }, 240_000)

  it('a production build contains none of it: no tab, no plugin, no inspector, no holder marks', async () => {
    await dev.stop() // the build writes the .nuxt the dev server reads
    const { code, output } = await runNuxi(['build'], dir, {}, 240_000)
    expect(code, output).toBe(0)
    const files = filesUnder(join(dir, '.output'), /\.(m?js|html|json)$/)
    const text = files.map((f) => readFileSync(f, 'utf8')).join('\n')
    // What the build does contain: the library (its plugin's name), so that the search below looks in the right place.
    expect(text).toContain('ssr-socket Nuxt plugin')
    // The tab's route and page, its plugin, the core's inspector (its one message) and useSocket's holder marks.
    for (const marker of ['__ssr-socket__', 'ssr-socket:devtools', 'socketDevtools', 'Copy diagnostics', 'simulated offline', 'an effect scope', 'devtools-secret-token']) {
      expect(files.filter((f) => readFileSync(f, 'utf8').includes(marker)).map((f) => f.slice(dir.length)), marker).toEqual(marker === 'devtools-secret-token' ? [expect.stringContaining('/_nuxt/')] : [])
    }
  }, 300_000)
})
