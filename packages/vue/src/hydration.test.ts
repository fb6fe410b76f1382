// @vitest-environment node
// The server part runs with no window at all; the browser part gets happy-dom's globals and a second,
// freshly loaded copy of Vue and of this package (vi.resetModules): two module graphs, as in production.
import { GlobalRegistrator } from '@happy-dom/global-registrator'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { createTestServer, waitFor, type TestServer } from '@ssr-socket/core/testing'

let server: TestServer | null = null
afterAll(async () => {
  await server?.close()
  if (GlobalRegistrator.isRegistered) await GlobalRegistrator.unregister()
})

async function loadGraph() {
  const [testing, components, vue] = await Promise.all([import('./testing'), import('./__fixtures__/components'), import('vue')])
  return { ...testing, ...components, vue }
}

describe('hydration contract', () => {
  it('50 server renders (node, no window) hydrate in happy-dom with 0 mismatches, then connect once and show connected', async () => {
    server = await createTestServer()
    expect(typeof window).toBe('undefined')
    const serverSide = await loadGraph()
    const htmls: string[] = []
    for (let i = 0; i < 50; i++) {
      const { html, warnings } = await serverSide.renderOnServer(serverSide.StatusBadge, { plugin: { url: server.url } })
      expect(warnings).toEqual([])
      htmls.push(html)
    }
    expect(new Set(htmls).size).toBe(1)
    expect(htmls[0]).toContain('data-status="idle"')
    expect(server.handshakes()).toBe(0)

    GlobalRegistrator.register({ url: 'http://localhost:3000/' })
    vi.resetModules()
    const browser = await loadGraph()
    expect(browser.vue).not.toBe(serverSide.vue) // really a second copy of Vue
    expect(browser.renderOnServer).not.toBe(serverSide.renderOnServer)

    for (let i = 0; i < 50; i++) {
      const hydrated = await browser.hydrateOnClient(htmls[i]!, browser.StatusBadge, { plugin: { url: server.url } })
      expect(hydrated.mismatches).toEqual([])
      expect(hydrated.warnings).toEqual([])
      await waitFor(() => hydrated.container.querySelector('.status')?.textContent === 'connected', `hydration ${i}: DOM shows connected`)
      expect(server.connectionCount()).toBe(1)
      expect(hydrated.container.querySelector('.connected')?.textContent).toBe('true')
      expect(hydrated.client?.getState().status).toBe('connected')
      hydrated.unmount()
      await waitFor(() => server!.connectionCount() === 0, `hydration ${i}: disconnected on unmount`)
    }
  })

  it('hydrateOnClient itself can fail: a mismatching component yields mismatches', async () => {
    vi.resetModules()
    const { hydrateOnClient, Mismatching } = await loadGraph()
    // The server markup, as renderOnServer produced it where window was undefined.
    const hydrated = await hydrateOnClient('<p>server</p>', Mismatching, { plugin: { url: 'http://127.0.0.1:9', autoConnect: false } })
    expect(hydrated.mismatches.length).toBeGreaterThan(0)
    expect(hydrated.mismatches.join('\n')).toMatch(/mismatch/i)
    hydrated.unmount()
  })
})
