import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { $fetch, createPage, setup, url, useTestContext } from '@nuxt/test-utils/e2e'
import { afterAll, describe, expect, it } from 'vitest'
import { createTestServer, waitFor } from '@ssr-socket/core/testing'
import { chromiumArgs, CHROMIUM, requireChromium } from '../../../test/chromium'
import { filesUnder, SOCKET_IO_CLIENT_MARKERS } from '../../../test/output.mjs'

requireChromium()
// Short ping settings: a connection left behind by a closed page is noticed within 2 s.
const socketServer = await createTestServer({ server: { pingInterval: 1000, pingTimeout: 1000 } })
afterAll(() => socketServer.close())

await setup({
  rootDir: fileURLToPath(new URL('./fixtures/basic', import.meta.url)),
  server: true,
  browser: true,
  browserOptions: { type: 'chromium', launch: { executablePath: CHROMIUM, args: chromiumArgs } },
  // Run-time configuration: the build was made with socket.url = http://127.0.0.1:1.
  env: { NUXT_PUBLIC_SOCKET_URL: socketServer.url },
  setupTimeout: 240_000,
})


describe('server side', () => {
  it('SSR HTML shows the initial status', async () => {
    const html = await $fetch<string>('/')
    expect(html).toContain('<span id="status">idle</span>')
    expect(html).toContain('<span id="connected">false</span>')
    expect(html).toContain('<span id="attempt">0</span>')
    expect(html).toContain('<aside id="panel">idle</aside>')
    expect(socketServer.connectionCount()).toBe(0)
  })

  it('no file of the server output contains socket.io-client or engine.io-client code', () => {
    const outputDir = useTestContext().nuxt!.options.nitro.output!.dir!
    const serverDir = join(outputDir, 'server')
    const offenders: string[] = []
    let scanned = 0
    for (const file of filesUnder(serverDir)) {
      scanned++
      if (/(^|\/)(socket\.io-client|engine\.io-client)(\/|$)/.test(file)) offenders.push(file)
      else if (/\.(m?js|cjs|json)$/.test(file) && SOCKET_IO_CLIENT_MARKERS.some((m) => readFileSync(file, 'utf8').includes(m))) offenders.push(file)
    }
    expect(scanned).toBeGreaterThan(5)
    expect(offenders).toEqual([])
    // ...while the browser build does carry it (so the markers are right).
    const publicDir = join(outputDir, 'public')
    expect(filesUnder(publicDir).some((f) => f.endsWith('.js') && readFileSync(f, 'utf8').includes(SOCKET_IO_CLIENT_MARKERS[1]!))).toBe(true)
  })
})

describe('in Chromium', () => {
  it('20 page loads: 0 hydration mismatches, 0 console errors, connected with exactly 1 server connection, no connect while hydrating, socket.io-client outside the entry chunk', async () => {
    const messages: string[] = []
    for (let load = 0; load < 20; load++) {
      const page = await createPage()
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning' || /hydration/i.test(m.text())) messages.push(`${m.type()}: ${m.text()}`)
      })
      page.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`))
      await page.goto(url('/'), { waitUntil: 'hydration' })
      await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'connected', undefined, { timeout: 10_000 })
      expect(await page.textContent('#panel')).toBe('connected')
      await waitFor(() => socketServer.connectionCount() === 1, `load ${load}: one server connection`)
      const diagnostics = await page.evaluate(() => (window as unknown as { __socketDiagnostics: () => { connectsWhileHydrating: number; connects: number } }).__socketDiagnostics())
      expect(diagnostics).toMatchObject({ connectsWhileHydrating: 0 })
      expect(diagnostics.connects).toBeGreaterThanOrEqual(1)
      if (load === 0) {
        const entry = await page.evaluate(() => (document.querySelector('script[type="module"][src]') as HTMLScriptElement | null)?.src ?? '')
        expect(entry).toMatch(/\/_nuxt\/.+\.js$/)
        const entryCode = await (await fetch(entry)).text()
        expect(entryCode).not.toContain('It seems you are trying to reach a Socket.IO server')
        const loadedChunks = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name).filter((n) => n.endsWith('.js')))
        const socketChunks: string[] = []
        for (const chunk of new Set(loadedChunks)) if ((await (await fetch(chunk)).text()).includes('It seems you are trying to reach a Socket.IO server')) socketChunks.push(chunk)
        expect(socketChunks).toHaveLength(1)
        expect(socketChunks[0]).not.toBe(entry)
        // Out of the entry, yet hinted early: the HTML preloads the socket.io-client chunk and the engine chunk
        // (fetched in parallel with the entry, run only when the plugin imports them), and runs neither as a script.
        const html = await $fetch<string>('/')
        const preloads = [...html.matchAll(/<link rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => new URL(m[1]!, entry).href)
        expect(preloads).toContain(socketChunks[0])
        const engineChunk = loadedChunks.find((c) => c !== entry && preloads.includes(c) && c !== socketChunks[0])
        expect(engineChunk, 'the engine chunk is preloaded too').toBeDefined()
        const scripts = [...html.matchAll(/<script type="module" src="([^"]+)"/g)].map((m) => new URL(m[1]!, entry).href)
        expect(scripts).toEqual([entry])
      }
      await page.close()
      await waitFor(() => socketServer.connectionCount() === 0, `load ${load}: closed`, 15_000)
    }
    expect(messages).toEqual([])
  })

  it('restarting the socket.io server while the page is open: reconnecting, then connected, without a reload', async () => {
    const page = await createPage('/')
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'connected', undefined, { timeout: 10_000 })
    await page.evaluate(() => {
      ;(window as unknown as { __seen: string[] }).__seen = []
      const el = document.querySelector('#status')!
      new MutationObserver(() => (window as unknown as { __seen: string[] }).__seen.push(el.textContent ?? '')).observe(el, { childList: true, characterData: true, subtree: true })
      ;(window as unknown as { __marker: boolean }).__marker = true
    })
    await socketServer.restart(300)
    await page.waitForFunction(() => (window as unknown as { __seen: string[] }).__seen.includes('connected'), undefined, { timeout: 10_000 })
    const seen = await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen)
    expect(seen[0]).toBe('reconnecting')
    expect(seen.at(-1)).toBe('connected')
    expect(await page.evaluate(() => (window as unknown as { __marker?: boolean }).__marker)).toBe(true) // same document: no reload
    await page.close()
  })
})
