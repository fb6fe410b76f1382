// `socket.transport: 'websocket'` with the socket server inside Nitro (fixture websocket: server/routes/_ws.ts with
// defineSocketHandler), in Chromium, built (node-server preset, `node .output/server/index.mjs`) and under `nuxi dev`:
// SSR HTML idle, no hydration warning over 20 loads, one WebSocket per page, events and acks both ways, a room
// broadcast seen by a second page, and a restart of the server process -> reconnecting -> connected without reload.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, waitFor } from '@ssr-socket/core/testing'
import { CHROMIUM, chromiumArgs, requireChromium } from '../../../test/chromium'
import { settleDevReloads } from '../../../test/hotUpdates'
import { filesUnder, socketIoClientFiles } from '../../../test/output.mjs'
import { fixture, runNuxi, startDev, untilAnswers } from './nuxi'

const dir = fixture('websocket')
// A raw client, as a hostile one would connect (the server package's `ws`).
const { WebSocket: RawWebSocket } = createRequire(new URL('../../server/package.json', import.meta.url))('ws') as typeof import('ws')

let browser: Browser

beforeAll(async () => {
  requireChromium()
  browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs })
}, 60_000)
afterAll(async () => {
  await browser?.close()
})


/** A page that counts its WebSockets to /_ws and its hydration warnings. */
async function open(url: string): Promise<{ page: Page; sockets: () => number; warnings: string[] }> {
  const page = await browser.newPage()
  let sockets = 0
  const warnings: string[] = []
  page.on('websocket', (ws) => ws.url().includes('/_ws') && sockets++)
  page.on('console', (m) => /hydration|mismatch/i.test(m.text()) && warnings.push(m.text()))
  await page.goto(url)
  await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'connected', undefined, { timeout: 15_000 })
  return { page, sockets: () => sockets, warnings }
}

/**
 * Leaves the page the way a user does (navigating away: pagehide, on which the transport closes its WebSocket with a
 * close frame), then closes it. A connection dropped without one resets the TCP connection, which nuxi dev (Nitro
 * 2.13's dev proxy for WebSockets) does not survive: an unhandled ECONNRESET restarts it (nitrojs/nitro#4493).
 */
async function leave(page: Page): Promise<void> {
  await page.goto('about:blank')
  return page.close()
}

type Api = { joinRoom(room: string): Promise<boolean>; echo(v: string): Promise<string>; say(room: string, text: string): void; ask(n: number): void }
const call = <T>(page: Page, f: (api: Api) => T | Promise<T>): Promise<T> =>
  page.evaluate(`(${f.toString()})(window.__socket)`) as Promise<T>

/** The cases, for one way of serving the app; `restart` restarts the Nitro server (the process, or in dev its worker). */
function contract(name: string, server: () => { url: string; restart(): Promise<void> }) {
  it(`${name}: SSR HTML idle; 20 loads, 0 hydration warnings, exactly 1 WebSocket each`, async () => {
    const { url } = server()
    const html = await fetch(url).then((r) => r.text())
    expect(html).toContain('<span id="status">idle</span>')
    for (let i = 0; i < 20; i++) {
      const { page, sockets, warnings } = await open(url)
      expect(warnings).toEqual([])
      expect(sockets()).toBe(1)
      await leave(page)
    }
  })

  it(`${name}: events and acks both ways; a room broadcast reaches a second page`, async () => {
    const { url } = server()
    const a = await open(url)
    const b = await open(url)
    expect(await call(a.page, (api) => api.echo('ping'))).toBe('ping')
    // The server asks the browser (its ack answers), then tells it what came back.
    await call(a.page, (api) => api.ask(21))
    await a.page.waitForFunction(() => document.querySelector('#answered')?.textContent === '42')
    expect(await call(a.page, (api) => api.joinRoom('lobby'))).toBe(true)
    expect(await call(b.page, (api) => api.joinRoom('lobby'))).toBe(true)
    expect(await call(b.page, (api) => api.joinRoom('Not A Room!'))).toBe(false)
    await call(a.page, (api) => api.say('lobby', 'hello from a'))
    await b.page.waitForFunction(() => document.querySelector('#said')?.textContent?.includes('lobby: hello from a'))
    expect(a.sockets() + b.sockets()).toBe(2)
    await leave(a.page)
    await leave(b.page)
  })

  it(`${name}: Nitro restarts (the process; in dev, its worker) -> reconnecting -> connected, without a reload`, async () => {
    const s = server()
    const { page, sockets } = await open(s.url)
    await page.evaluate(() => Object.assign(window, { __sameDocument: true }))
    const seen: string[] = []
    await page.exposeFunction('__status', (status: string) => seen.push(status))
    await page.evaluate(() => {
      const el = document.querySelector('#status')!
      new MutationObserver(() => (window as unknown as { __status(s: string): void }).__status(el.textContent ?? '')).observe(el, { childList: true, characterData: true, subtree: true })
    })
    await s.restart()
    await waitFor(() => seen.includes('reconnecting'), 'reconnecting', 60_000)
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'connected', undefined, { timeout: 60_000 })
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true)
    expect(await call(page, (api) => api.echo('after the restart'))).toBe('after the restart')
    expect(sockets()).toBeGreaterThanOrEqual(2)
    await leave(page)
  }, 180_000)
}

describe('built (node-server preset)', () => {
  let child: ChildProcess | null = null
  let url = ''
  let port = 0
  const start = async (): Promise<void> => {
    child = spawn(process.execPath, [join(dir, '.output/server/index.mjs')], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' }, stdio: 'ignore' })
    await untilAnswers(url)
  }
  const stop = async (): Promise<void> => {
    const c = child
    child = null
    if (!c || c.exitCode !== null) return
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve())
      c.kill('SIGTERM')
    })
  }
  beforeAll(async () => {
    const { code, output } = await runNuxi(['build'], dir, {}, 240_000)
    if (code !== 0) throw new Error(`nuxi build failed:\n${output}`)
    port = await freePort()
    url = `http://127.0.0.1:${port}`
    await start()
  }, 300_000)
  afterAll(stop)

  it('no socket.io-client or engine.io-client code in the browser or server output', () => {
    const files = filesUnder(join(dir, '.output'), /\.m?js$/)
    expect(files.length).toBeGreaterThan(10)
    expect(socketIoClientFiles(join(dir, '.output'))).toEqual([])
    // The WebSocket transport is there (so the search reads the right files).
    expect(files.some((f) => readFileSync(f, 'utf8').includes('ssr-socket.v1'))).toBe(true)
  })

  it('the page preloads the engine and the WebSocket transport, and none of the socket.io adapter', async () => {
    const html = await (await fetch(url)).text()
    const hinted = [...html.matchAll(/<link rel="(?:modulepreload|preload)"[^>]*href="([^"]+\.js)"/g)].map((m) => readFileSync(join(dir, '.output/public', m[1]!), 'utf8'))
    expect(hinted.filter((code) => code.includes('["pong"]'))).toHaveLength(1) // the WebSocket transport (its ping answer)
    expect(hinted.filter((code) => code.includes('io server disconnect'))).toEqual([]) // the socket.io adapter's classification
  })

  it("a frame over the payload limit is refused by Nitro's WebSocket server while it arrives (1009, not 4413 after buffering it); the server goes on", async () => {
    const raw = new RawWebSocket(`${url.replace('http', 'ws')}/_ws`, 'ssr-socket.v1')
    const frames: string[] = []
    let code: number | null = null
    raw.on('message', (data) => frames.push(String(data)))
    raw.on('error', () => {})
    raw.on('close', (c) => (code = c))
    await new Promise((resolve) => raw.once('open', resolve))
    raw.send('["hello",null]')
    await waitFor(() => frames.some((f) => f.startsWith('["welcome"')), 'welcome')
    raw.send(JSON.stringify(['e', 'echo', ['x'.repeat(2 * 1_048_576)]]))
    await waitFor(() => code !== null, 'closed')
    expect([1009, 1006]).toContain(code) // 1006 when the socket is cut before the close frame is out
    const page = await open(url)
    expect(await call(page.page, (api) => api.echo('after the big frame'))).toBe('after the big frame')
    await leave(page.page)
  })

  contract('built', () => ({
    url,
    restart: async () => {
      await stop()
      await start()
    },
  }))
})

describe('nuxi dev', () => {
  let dev: Awaited<ReturnType<typeof startDev>> | null = null
  beforeAll(async () => {
    dev = await startDev(dir)
    // The first page of a fresh dev server may reload once (dependency optimisation): load one until it stays.
    const page = await browser.newPage()
    await page.goto(dev.url)
    await settleDevReloads(page, 2000, 'nuxi dev')
    await leave(page)
  }, 240_000)
  afterAll(async () => {
    if (process.env.SHOW_DEV_OUTPUT) console.log(dev?.output())
    await dev?.stop()
  })

  // In dev, Nitro restarts its worker when a server file changes: every WebSocket to the old one ends. (Restarting
  // nuxi itself would also restart Vite, whose client then reloads the page: not what this checks.)
  const route = join(dir, 'server/routes/_ws.ts')
  const original = readFileSync(route, 'utf8')
  afterAll(() => writeFileSync(route, original))
  contract('nuxi dev', () => ({
    url: dev!.url,
    restart: async () => {
      writeFileSync(route, `${original}\n// edited by websocket.e2e.test.ts at ${Date.now()}\n`)
    },
  }))
})
