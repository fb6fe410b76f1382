// The testing kit's own tests (@ssr-socket/nuxt/testing): createTestPeer against a real @ssr-socket/server (the same
// hooks a defineSocketHandler route has), and hydratePage against real Vue hydration in Chromium. mockSocketServer()
// needs a Nuxt app: the live board's tests use it (examples/nuxt-live-board/test/nuxt).
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { chromium, type Browser } from 'playwright-core'
import { createSSRApp, h } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { createSocketServer, type SocketServerOptions } from '@ssr-socket/server'
import { createTestPeer, hydratePage, TestPeerError, TestPeerRefused, type TestPeer } from '../src/runtime/testing'
import { CHROMIUM, chromiumArgs, requireChromium } from '../../../test/chromium'

type Listen = {
  said: (room: string, text: string) => void
  question: (n: number, ack: (answer: number) => void) => void
  answered: (answer: number) => void
}
type Emit = {
  join: (room: string, ack: (ok: boolean) => void) => void
  say: (room: string, text: string) => void
  ask: (n: number) => void
  fail: (ack: (never: never) => void) => void
}

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function server(options: SocketServerOptions = {}) {
  const failures: unknown[] = []
  const sockets = createSocketServer<Emit, Listen>({ onError: (error) => failures.push(error), ...options })
  sockets.on('join', (peer, room, ack) => {
    if (typeof room !== 'string' || room.length > 20) return ack(false)
    peer.join(room)
    ack(true)
  })
  sockets.on('say', (peer, room, text) => {
    if (peer.rooms.has(room)) peer.to(room).emit('said', room, text)
  })
  // The server asks the client and waits for its ack, then reports the answer.
  sockets.on('ask', async (peer, n) => {
    peer.emit('answered', (await peer.emitWithAck('question', n)) as number)
  })
  sockets.on('fail', () => {
    throw new Error('a secret the client must not see')
  })
  cleanups.push(() => sockets.close())
  return { sockets, failures }
}

async function peer(target: object, options?: Parameters<typeof createTestPeer>[1]): Promise<TestPeer<Emit, Listen>> {
  const p = await createTestPeer<Emit, Listen>(target, options)
  cleanups.push(() => p.close())
  return p
}

describe('createTestPeer: a client connection without a network', () => {
  it('events and acks both ways, rooms, and what the others in a room receive', async () => {
    const { sockets } = server()
    const ada = await peer(sockets)
    const bob = await peer(sockets)
    const eve = await peer(sockets)
    expect(await ada.emitWithAck('join', 'lobby')).toBe(true)
    expect(await bob.emitWithAck('join', 'lobby')).toBe(true)
    expect(await eve.emitWithAck('join', 'x'.repeat(21))).toBe(false)
    expect(ada.rooms).toEqual(new Set(['lobby']))
    expect(eve.rooms).toEqual(new Set())
    ada.emit('say', 'lobby', 'hi')
    await vi.waitFor(() => expect(bob.received).toEqual([{ event: 'said', args: ['lobby', 'hi'] }]))
    expect(ada.received).toEqual([]) // to(room) skips the sender
    expect(eve.received).toEqual([])

    // The server's own question: the handler's last argument answers it, as in the browser.
    bob.on('question', (n, ack) => ack(n * 2))
    bob.emit('ask', 21)
    await waitForEvent(bob, 'answered')
    expect(bob.received.at(-1)).toEqual({ event: 'answered', args: [42] })
    expect(sockets.stats()).toMatchObject({ connections: 3, pendingAcks: 0 })
  })

  it('error frames: an unknown event, a handler that throws (its message never sent); emits without ack land in errors', async () => {
    const { sockets, failures } = server()
    const ada = await peer(sockets)
    const failed = await ada.emitWithAck('fail').catch((error: unknown) => error)
    expect(failed).toBeInstanceOf(TestPeerError)
    expect(failed).toMatchObject({ code: 'handler-error', message: 'the handler of "fail" failed' })
    expect(failures).toEqual([new Error('a secret the client must not see')])
    const untyped = ada as unknown as TestPeer<Record<string, (...args: unknown[]) => void>>
    untyped.emit('nope')
    await vi.waitFor(() => expect(ada.errors).toEqual([expect.objectContaining({ code: 'unknown-event' })]))
  })

  it("a same-origin page's Origin header is accepted by the default Origin check, as from a browser (the upgrade carries the URL's Host)", async () => {
    const { sockets } = server()
    const page = await peer(sockets, { url: 'http://localhost:3000/_ws', headers: { origin: 'http://localhost:3000' } })
    expect(await page.emitWithAck('join', 'lobby')).toBe(true)
    await expect(createTestPeer(sockets, { url: 'http://localhost:3000/_ws', headers: { origin: 'http://evil.example' } })).rejects.toMatchObject({ code: 4403 })
  })

  it('the auth hook reads the hello payload and the upgrade headers; a refusal rejects with 4401, an Origin not allowed with 4403', async () => {
    const { sockets } = server({
      auth: ({ auth, headers }) => ((auth as { token?: string } | null)?.token === 'letmein' || headers.get('cookie') === 'session=ok' ? { name: 'ada' } : false),
      origins: ['http://app.test'],
    })
    expect((await peer(sockets, { auth: { token: 'letmein' } })).data).toEqual({ name: 'ada' })
    expect((await peer(sockets, { headers: { cookie: 'session=ok', origin: 'http://app.test' } })).data).toEqual({ name: 'ada' })
    const refused = await createTestPeer(sockets, { auth: { token: 'wrong' } }).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(TestPeerRefused)
    expect(refused).toMatchObject({ code: 4401, refusal: 'unauthorized' })
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    cleanups.push(() => warn.mockRestore())
    const foreign = await createTestPeer(sockets, { auth: { token: 'letmein' }, headers: { origin: 'http://evil.test' } }).catch((error: unknown) => error)
    expect(foreign).toMatchObject({ code: 4403, refusal: 'forbidden' })
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('refused a socket from Origin http://evil.test'))
    expect(sockets.stats()).toMatchObject({ connections: 2, handshaking: 0 })
  })

  it('close(): the server forgets the connection (onDisconnect, rooms, timers); a pending ack is rejected; nothing is left', async () => {
    const { sockets } = server()
    const gone: string[] = []
    sockets.onDisconnect((p) => void gone.push(p.id))
    const ada = await peer(sockets)
    await ada.emitWithAck('join', 'lobby')
    // Nobody answers the server's question: its ack stays pending until the connection ends.
    ada.emit('ask', 1)
    await vi.waitFor(() => expect(sockets.stats()).toEqual({ connections: 1, handshaking: 0, rooms: 1, pendingAcks: 1, sessions: 0, packets: 0 }))
    ada.close()
    expect(gone).toEqual([ada.id])
    expect(ada.closed).toEqual({ code: 1000, reason: '' })
    expect(sockets.stats()).toEqual({ connections: 0, handshaking: 0, rooms: 0, pendingAcks: 0, sessions: 0, packets: 0 })
    expect(() => ada.emit('say', 'lobby', 'after the close')).toThrow(/closed/)
  })

  it('hello: false opens the socket only: the test writes the frames (a frame before hello closes with 4400)', async () => {
    const { sockets } = server()
    const raw = await peer(sockets, { hello: false })
    expect(sockets.stats()).toMatchObject({ connections: 0, handshaking: 1 })
    raw.send(JSON.stringify(['e', 'join', ['lobby'], 1]))
    await vi.waitFor(() => expect(raw.closed).toEqual({ code: 4400, reason: 'hello first' }))
    expect(sockets.stats()).toMatchObject({ handshaking: 0 })
  })

  it('takes what defineSocketHandler returns or a socket server, and says so otherwise', async () => {
    await expect(createTestPeer({})).rejects.toThrow(/takes what defineSocketHandler\(\) returns/)
    // A route's default export carries its server under a registered symbol (runtime/server/handler.ts).
    const { sockets } = server()
    const route = Object.assign(() => {}, { [Symbol.for('@ssr-socket/nuxt:socket-server')]: () => sockets })
    const ada = await peer(route)
    expect(await ada.emitWithAck('join', 'lobby')).toBe(true)
  })
})

/** The next `event` from the server (frames arrive on later microtasks). */
function waitForEvent(p: TestPeer<Emit, Listen>, event: keyof Listen & string): Promise<void> {
  return new Promise((resolve) => {
    const off = p.on(event, (() => {
      off()
      resolve()
    }) as never)
  })
}

describe('hydratePage: server HTML, then hydration in Chromium, with every mismatch the browser reports', () => {
  // A Vue app rendered here with vue/server-renderer and hydrated by Vue's production browser build (Nuxt's is
  // production too), which marks the end of hydration the way Nuxt does (useNuxtApp().isHydrating).
  const vue = readFileSync(createRequire(import.meta.url).resolve('vue/dist/vue.global.prod.js'), 'utf8')
  let http: Server
  let browser: Browser
  let base = ''
  afterAll(async () => {
    await browser?.close()
    await new Promise((r) => http?.close(r))
  })

  async function start(): Promise<void> {
    requireChromium()
    http = createServer((req, res) => {
      if (req.url === '/vue.js') return res.end(vue)
      const client = req.url === '/differs' ? 'client' : 'server'
      void renderToString(createSSRApp({ render: () => h('p', { id: 'text' }, 'server') })).then((html) => {
        res.setHeader('content-type', 'text/html')
        res.end(
          `<!doctype html><html><body><div id="app">${html}</div><script src="/vue.js"></script><script>` +
            `window.useNuxtApp = () => ({ isHydrating: true });` +
            `Vue.createSSRApp({ render: () => Vue.h('p', { id: 'text' }, ${JSON.stringify(client)}) }).mount('#app');` +
            `window.useNuxtApp = () => ({ isHydrating: false });</script></body></html>`,
        )
      })
    })
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
    browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs })
  }

  it('no mismatch when the client renders what the server did; the mismatch when it does not', async () => {
    await start()
    const page = await browser.newPage()
    try {
      const same = await hydratePage(page, `${base}/same`)
      expect(same.html).toContain('<p id="text">server</p>')
      expect(same).toMatchObject({ mismatches: [], errors: [] })
      const differs = await hydratePage(page, `${base}/differs`)
      expect(differs.mismatches).toEqual([expect.stringMatching(/Hydration completed but contains mismatches/)])
      expect(await page.textContent('#text')).toBe('client')
    } finally {
      await page.close()
    }
  })
})
