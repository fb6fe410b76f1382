import { describe, expect, it } from 'vitest'
import { waitFor, type TestServer } from './testServer.js'
import type { SocketClientOptions } from './types.js'
import { sleep, useCleanup } from './testFixtures.js'

const fx = useCleanup()
const open = fx.open
let server: TestServer | null = null

describe('token auth', () => {
  it('calls getToken on every handshake: 10 rotations, the server sees the newest token 10/10, never in a URL', async () => {
    const seen: string[] = []
    server = await fx.server({
      middleware: (socket, next) => {
        seen.push(String(socket.handshake.auth.token))
        next()
      },
    })
    let n = 0
    const issued: string[] = []
    const client = open({
      url: server.url,
      reconnection: { delayMs: 10, maxDelayMs: 20, jitter: 0 },
      auth: {
        mode: 'token',
        getToken: async () => {
          const token = `tok-${++n}-${'x'.repeat(8)}`
          issued.push(token)
          return token
        },
      },
    })
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected')
    let newest = 0
    for (let i = 0; i < 10; i++) {
      const id = client.getState().id!
      server.io.of('/').sockets.get(id)?.conn.close()
      await waitFor(() => client.getState().status === 'connected' && client.getState().id !== id, `rotation ${i + 1}`)
      if (seen.at(-1) === issued.at(-1)) newest++
    }
    expect(newest).toBe(10)
    expect(seen).toEqual(issued)
    expect(new Set(seen).size).toBe(11)
    const urls = server.requests.map((r) => r.url ?? '')
    expect(urls.length).toBeGreaterThan(22) // every polling request and upgrade of 11 handshakes
    expect(urls.filter((u) => u.includes('tok-'))).toEqual([])
  })

  it('a middleware rejection -> unauthorized after at most auth.retries fresh tokens, then no attempt for 5 s', async () => {
    let middlewareCalls = 0
    server = await fx.server({
      middleware: (_socket, next) => {
        middlewareCalls++
        next(new Error('invalid token'))
      },
    })
    let calls = 0
    const client = open({
      url: server.url,
      reconnection: { delayMs: 10, maxDelayMs: 20, jitter: 0 },
      auth: { mode: 'token', getToken: () => `token-${++calls}`, retries: 2 },
    })
    const statuses: string[] = []
    client.subscribe((s) => statuses.push(s.status))
    client.connect()
    await waitFor(() => client.getState().status === 'unauthorized', 'unauthorized')
    expect(client.getState().error).toMatchObject({ kind: 'unauthorized' })
    expect(client.getState().error?.message).toMatch(/invalid token/)
    expect(calls).toBe(3) // the first handshake + 2 retries, each with a fresh token
    expect(middlewareCalls).toBe(3)
    // No flicker through 'unauthorized' while retries are left.
    expect(statuses).toEqual(['connecting', 'unauthorized'])
    const handshakes = server.handshakes()
    await sleep(5000)
    expect(middlewareCalls).toBe(3)
    expect(server.handshakes()).toBe(handshakes)
    expect(calls).toBe(3)
    expect(client.getState().status).toBe('unauthorized')
  }, 15_000)

  it('a getToken that throws -> unauthorized with the cause, no retry loop', async () => {
    server = await fx.server()
    let calls = 0
    const client = open({
      url: server.url,
      auth: {
        mode: 'token',
        getToken: () => {
          calls++
          throw new Error('session expired')
        },
      },
    })
    client.connect()
    await waitFor(() => client.getState().status === 'unauthorized', 'unauthorized')
    expect(client.getState().error?.message).toMatch(/getToken\(\) failed: session expired/)
    await sleep(300)
    expect(calls).toBe(1)
    expect(server.connectionCount()).toBe(0)
  })
})

describe('cookie auth', () => {
  async function cookieSeen(auth: SocketClientOptions['auth']): Promise<boolean> {
    server = await fx.server()
    server.io.engine.on('initial_headers', (headers: Record<string, string>) => {
      headers['set-cookie'] = 'sid=session-cookie-value; Path=/; HttpOnly'
    })
    const client = open({ url: server.url, auth })
    client.connect()
    await waitFor(() => server!.connectionCount() === 1, 'connected')
    await sleep(100) // a few polling round trips after the handshake
    const seen = server.requests.some((r) => r.headers.cookie?.includes('sid=session-cookie-value'))
    client.dispose()
    await server.close()
    server = null
    return seen
  }

  it("sends credentials (withCredentials) in cookie mode, and not in 'none' mode", async () => {
    expect(await cookieSeen({ mode: 'cookie' })).toBe(true)
    expect(await cookieSeen({ mode: 'none' })).toBe(false)
  })
})

describe('debug logging', () => {
  it('never prints the token, in handshakes, errors or state lines', async () => {
    const token = 'super-secret-token-4711'
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVl'
    server = await fx.server({
      middleware: (socket, next) => {
        // A careless server echoing the credential back in its error.
        next(new Error(`token ${String(socket.handshake.auth.token)} is not valid`))
      },
    })
    const lines: string[] = []
    let first = true
    const client = open({
      url: server.url,
      debug: (message, details) => lines.push(message + ' ' + JSON.stringify(details ?? {})),
      auth: {
        mode: 'token',
        getToken: () => {
          const t = first ? token : jwt
          first = false
          return t
        },
      },
    })
    client.connect()
    // The debug logger is a chunk of its own: its lines (buffered until it is there) may arrive after the state.
    await waitFor(() => client.getState().status === 'unauthorized' && lines.length > 3, 'unauthorized, and its lines')
    const output = lines.join('\n')
    expect(lines.length).toBeGreaterThan(3)
    expect(output).toMatch(/\[redacted\]/)
    expect(output).not.toContain(token)
    expect(output).not.toContain(jwt)
    expect(output).not.toContain('eyJ')
  })

  it('debug: true writes to console.debug, redacted', async () => {
    server = await fx.server()
    const original = console.debug
    const captured: unknown[][] = []
    console.debug = (...args: unknown[]) => void captured.push(args)
    try {
      const client = open({ url: server.url, debug: true, auth: { mode: 'token', getToken: () => 'abc-secret-123' } })
      client.connect()
      await waitFor(() => client.getState().status === 'connected' && captured.length > 0, 'connected, and the logger chunk there')
      client.dispose()
    } finally {
      console.debug = original
    }
    expect(captured.length).toBeGreaterThan(0)
    expect(JSON.stringify(captured)).not.toContain('abc-secret-123')
  })
})
