// @ssr-socket/server's own rules, on crossws's Node adapter on 127.0.0.1, driven by a raw `ws` client (what a hostile
// or broken client sends) and by the core's WebSocket transport (how the client classifies what it gets).
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocket } from 'ws'
import { afterEach, describe, expect, it } from 'vitest'
import { createSocketClient, isSocketError, type SocketClient } from '@ssr-socket/core'
import { waitFor } from '@ssr-socket/core/testing'
import { createSocketServer, type SocketServerOptions } from '../src/index'
import { serve } from './node-server'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function listen(options: SocketServerOptions = {}) {
  const app = createSocketServer(options)
  const { url, ws } = await serve(app, cleanups)
  return { app, url, ws }
}

/** A raw client: its frames, its close code. */
async function raw(url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(url, 'ssr-socket.v1', { headers })
  const frames: unknown[][] = []
  let code: number | null = null
  socket.on('message', (data) => frames.push(JSON.parse(String(data)) as unknown[]))
  socket.on('close', (c) => (code = c))
  socket.on('error', () => {})
  cleanups.push(() => socket.terminate())
  await new Promise<void>((resolve, reject) => (socket.once('open', () => resolve()), socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))))
  return { socket, frames, closed: () => code }
}

const client = (url: string, extra: Record<string, unknown> = {}): SocketClient => {
  const c = createSocketClient({ url, isServer: false, transport: 'websocket', websocket: { WebSocket }, reconnection: false, ...extra })
  cleanups.push(() => c.dispose())
  return c
}

describe('@ssr-socket/server', () => {
  it('protocol errors close with 4400: not JSON, a frame before hello, an unknown frame type', async () => {
    const { ws } = await listen()
    const a = await raw(ws)
    a.socket.send('{not json')
    await waitFor(() => a.closed() === 4400, 'closed 4400 (not JSON)')
    const b = await raw(ws)
    b.socket.send(JSON.stringify(['e', 'x', []]))
    await waitFor(() => b.closed() === 4400, 'closed 4400 (no hello)')
    const c = await raw(ws)
    c.socket.send('["hello",null]')
    await waitFor(() => c.frames.some((f) => f[0] === 'welcome'), 'welcome')
    c.socket.send('["nonsense"]')
    await waitFor(() => c.closed() === 4400, 'closed 4400 (unknown frame)')
  })

  it('no hello in time: 4408; a client that stops answering pings: 4408', async () => {
    const { ws } = await listen({ handshakeTimeoutMs: 100, pingIntervalMs: 100, pingTimeoutMs: 100 })
    const silent = await raw(ws)
    await waitFor(() => silent.closed() === 4408, 'closed 4408 (no hello)')
    const deaf = await raw(ws)
    deaf.socket.send('["hello",null]')
    await waitFor(() => deaf.frames.some((f) => f[0] === 'ping'), 'pinged')
    await waitFor(() => deaf.closed() === 4408, 'closed 4408 (no pong)')
  })

  it('limits: a frame over maxPayloadBytes (4413), more events than the rate limit (4429)', async () => {
    const { app, ws } = await listen({ maxPayloadBytes: 1000, rateLimit: { events: 5, perMs: 60_000 } })
    app.on('noop' as never, () => {})
    const big = await raw(ws)
    big.socket.send('["hello",null]')
    await waitFor(() => big.frames.some((f) => f[0] === 'welcome'), 'welcome')
    big.socket.send(JSON.stringify(['e', 'noop', ['x'.repeat(2000)]]))
    await waitFor(() => big.closed() === 4413, 'closed 4413')
    expect(big.frames.find((f) => f[0] === 'x')).toEqual(['x', 0, { code: 'too-large', message: 'a frame of more than 1000 bytes' }])
    const chatty = await raw(ws)
    chatty.socket.send('["hello",null]')
    await waitFor(() => chatty.frames.some((f) => f[0] === 'welcome'), 'welcome')
    for (let i = 0; i < 6; i++) chatty.socket.send(JSON.stringify(['e', 'noop', []]))
    await waitFor(() => chatty.closed() === 4429, 'closed 4429')
  })

  it('an Origin not on the allowlist is refused before anything runs (4403, which the client reports as forbidden-origin); an allowed one connects', async () => {
    const { app, ws, url } = await listen({ origins: ['http://good.example'] })
    let handled = 0
    app.on('noop' as never, () => void handled++)
    const evil = await raw(ws, { origin: 'http://evil.example' })
    evil.socket.send('["hello",null]')
    evil.socket.send(JSON.stringify(['e', 'noop', []]))
    await waitFor(() => evil.closed() === 4403, 'closed 4403')
    expect(evil.frames).toEqual([['refused', { code: 'forbidden', message: 'this Origin may not open a socket here' }]])
    expect(handled).toBe(0)
    const browserLike = client(url, { websocket: { WebSocket: class extends WebSocket { constructor(u: string, p?: string | string[]) { super(u, p, { headers: { origin: 'http://evil.example' } }) } } } })
    browserLike.connect()
    await waitFor(() => browserLike.getState().status === 'failed', 'failed, no retry')
    expect(browserLike.getState().error?.kind).toBe('forbidden-origin')
    const ok = await raw(ws, { origin: 'http://good.example' })
    ok.socket.send('["hello",null]')
    await waitFor(() => ok.frames.some((f) => f[0] === 'welcome'), 'welcome')
  })

  it('a handler that throws: the client gets a generic server error (never the message), the error goes to onError', async () => {
    const reported: unknown[] = []
    const { app, url } = await listen({ onError: (error) => reported.push(error) })
    app.on('boom' as never, () => {
      throw new Error('secret internals')
    })
    app.on('later' as never, async () => {
      throw new Error('async internals')
    })
    const c = client(url)
    c.connect()
    await waitFor(() => c.getState().status === 'connected', 'connected')
    const error = await c.emitWithAck('boom').catch((e: unknown) => e)
    expect(isSocketError(error) && error.kind).toBe('server')
    expect(String((error as Error).message)).toContain('the handler of "boom" failed')
    expect(String((error as Error).message)).not.toContain('secret')
    expect(await c.emitWithAck('later').catch((e: unknown) => isSocketError(e) && e.kind)).toBe('server')
    expect(reported.map((e) => (e as Error).message)).toEqual(['secret internals', 'async internals'])
  })

  it('the client classifies: refused auth -> unauthorized; an HTTP server that does not upgrade -> upgrade-refused; nothing listening -> network', async () => {
    const { url } = await listen({ auth: () => false })
    const refused = client(url)
    refused.connect()
    await waitFor(() => refused.getState().status === 'unauthorized', 'unauthorized')

    const plain = createServer((_req, res) => res.end('a web page'))
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r))
    cleanups.push(() => new Promise<void>((r) => plain.close(() => r())))
    const page = client(`http://127.0.0.1:${(plain.address() as AddressInfo).port}`)
    page.connect()
    await waitFor(() => page.getState().status === 'failed', 'failed')
    expect(page.getState().error).toMatchObject({ kind: 'upgrade-refused', code: 'ws-refused' })

    const closedPort = (plain.address() as AddressInfo).port
    await new Promise<void>((r) => plain.close(() => r()))
    const nothing = client(`http://127.0.0.1:${closedPort}`)
    nothing.connect()
    await waitFor(() => nothing.getState().status === 'failed', 'failed')
    expect(nothing.getState().error).toMatchObject({ kind: 'network', code: 'unreachable' })
  })

  it('an auth hook that throws: reported through onError, never sent; the client gets a server error (retryable), not unauthorized', async () => {
    const reported: unknown[] = []
    const { url } = await listen({ auth: () => { throw new Error('database down: secret dsn') }, onError: (e) => reported.push(e) })
    const c = client(url)
    c.connect()
    await waitFor(() => c.getState().status === 'failed', 'failed (reconnection off)')
    expect(c.getState().error?.kind).toBe('server')
    expect(c.getState().error?.message).not.toContain('secret')
    expect((reported[0] as Error).message).toBe('database down: secret dsn')
  })

  it('the server closing a connection (1000) ends it without retries, unless reconnectOnServerDisconnect', async () => {
    const { app, url } = await listen()
    const c = client(url, { reconnection: { delayMs: 50, maxDelayMs: 50, jitter: 0 } })
    c.connect()
    await waitFor(() => c.getState().status === 'connected', 'connected')
    for (const peer of app.peers()) peer.close()
    await waitFor(() => c.getState().status === 'disconnected', 'disconnected')
    expect(c.getState().error?.kind).toBe('server')
    await new Promise((r) => setTimeout(r, 300)) // six retry delays: none may come
    expect(app.peers()).toEqual([])
    const again = client(url, { reconnection: { delayMs: 50, maxDelayMs: 50, jitter: 0 }, reconnectOnServerDisconnect: true })
    again.connect()
    await waitFor(() => again.getState().status === 'connected', 'connected')
    const first = again.getState().id
    for (const peer of app.peers()) peer.close()
    await waitFor(() => again.getState().status === 'connected' && again.getState().id !== first, 'back through the backoff')
  })

  it('onConnection and onDisconnect run once per connection, whatever ends it; rooms: to(room) reaches members only', async () => {
    const { app, url } = await listen()
    const log: string[] = []
    app.onConnection((peer) => log.push(`+${peer.id.slice(0, 4)}`))
    app.onDisconnect((peer) => log.push(`-${peer.id.slice(0, 4)}`))
    app.on('join' as never, ((peer: { join(r: string): void }, room: string, ack: (ok: boolean) => void) => (peer.join(room), ack(true))) as never)
    const a = client(url)
    const b = client(url)
    const got: string[] = []
    b.on('news', (text) => got.push(`b:${String(text)}`))
    a.on('news', (text) => got.push(`a:${String(text)}`))
    a.connect()
    b.connect()
    await waitFor(() => a.getState().status === 'connected' && b.getState().status === 'connected', 'both connected')
    await b.emitWithAck('join', 'lobby')
    app.to('lobby').emit('news' as never, 'for the lobby' as never)
    // Then a message for everyone: once both have it, anything the room message did is in too.
    app.emit('news' as never, 'for all' as never)
    await waitFor(() => got.filter((g) => g.endsWith('for all')).length === 2, 'both got the message for all')
    expect(got.filter((g) => !g.endsWith('for all'))).toEqual(['b:for the lobby'])
    a.disconnect()
    b.dispose()
    await waitFor(() => log.length === 4, 'two in, two out')
    const ids = (sign: string) => log.filter((l) => l.startsWith(sign)).map((l) => l.slice(1)).sort()
    expect(ids('-')).toEqual(ids('+'))
    expect(new Set(ids('+')).size).toBe(2)
    expect(app.peers()).toEqual([])
  })
})
