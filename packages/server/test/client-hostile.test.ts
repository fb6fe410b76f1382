// The core's WebSocket transport against a hostile or broken server (issue 22, the client's part): a plain `ws` server
// that speaks ssr-socket.v1 badly, scripted per connection. A malformed frame never throws (in Node a throw in
// onmessage is an uncaught exception): the client closes with 4400, reports a `server` error and reconnects with
// backoff. A refusal after `welcome` ends as it does during the handshake. A `welcome`'s timings cannot overflow a timer.
import type { AddressInfo } from 'node:net'
import { WebSocket, WebSocketServer } from 'ws'
import { afterEach, describe, expect, it } from 'vitest'
import { createSocketClient, isSocketError, type SocketState } from '@ssr-socket/core'
import { waitFor } from '@ssr-socket/core/testing'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** One connection to the hostile server: its number (from 0), the frames the client sent, the code the client closed with. */
interface Conn {
  readonly socket: WebSocket
  readonly n: number
  readonly frames: unknown[][]
  closedWith: number | null
}

/** A server that selects ssr-socket.v1 and answers each `hello` with `onHello`, every other frame with `onFrame`. */
async function hostile(onHello: (conn: Conn) => void, onFrame: (conn: Conn, frame: unknown[]) => void = () => {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (offered) => (offered.has('ssr-socket.v1') ? 'ssr-socket.v1' : false) })
  await new Promise<void>((resolve) => wss.once('listening', resolve))
  const conns: Conn[] = []
  wss.on('connection', (socket) => {
    const conn: Conn = { socket, n: conns.length, frames: [], closedWith: null }
    conns.push(conn)
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as unknown[]
      conn.frames.push(frame)
      if (frame[0] === 'hello') onHello(conn)
      else onFrame(conn, frame)
    })
    socket.on('close', (code) => (conn.closedWith = code))
  })
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of wss.clients) socket.terminate()
        wss.close(() => resolve())
      }),
  )
  return { url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}`, conns }
}

const welcome = (conn: Conn): void => conn.socket.send(JSON.stringify(['welcome', { id: `c${conn.n}`, pingInterval: 25_000, pingTimeout: 20_000, v: 1 }]))

/** A client that retries every 50 ms, and every state it went through. */
function client(url: string, extra: Record<string, unknown> = {}) {
  const c = createSocketClient({ url, isServer: false, transport: 'websocket', websocket: { WebSocket }, reconnection: { delayMs: 50, maxDelayMs: 50, jitter: 0 }, ...extra })
  cleanups.push(() => c.dispose())
  const states: SocketState[] = []
  c.subscribe((state) => void states.push(state))
  return { c, states }
}

/** Collects uncaught exceptions and unhandled rejections until the test ends. */
function uncaught(): unknown[] {
  const caught: unknown[] = []
  const collect = (error: unknown): void => void caught.push(error)
  process.on('uncaughtException', collect)
  process.on('unhandledRejection', collect)
  cleanups.push(() => {
    process.off('uncaughtException', collect)
    process.off('unhandledRejection', collect)
  })
  return caught
}

/** Frames a client cannot read: not JSON, not an array, or a type it knows in another shape (each a protocol error). */
const MALFORMED: Array<[what: string, text: string]> = [
  ['not JSON', '{"e"'],
  ['null', 'null'],
  ['a number', '5'],
  ['true', 'true'],
  ['an object', '{}'],
  ['a string', '"e"'],
  ['e: a name with a bad toString', '["e",{"toString":1},[]]'],
  ['e: an empty name', '["e","",[]]'],
  ['e: a number for a name', '["e",5,[]]'],
  ['e: args an object', '["e","news",{"toString":1}]'],
  ['e: no args', '["e","news"]'],
  ['e: ack id 0', '["e","news",[],0]'],
  ['e: ack id 0 and an offset that is not a string', '["e","news",[],0,5]'],
  ['e: ack id 1.5', '["e","news",[],1.5]'],
  ['e: ack id a string', '["e","news",[],"1"]'],
  ['e: ack id an object', '["e","news",[],{"toString":1}]'],
  ['a: id an object', '["a",{"toString":1},true]'],
  ['a: id a string', '["a","1",true]'],
  ['a: id -1', '["a",-1,true]'],
  ['x: a message with a bad toString', '["x",0,{"message":{"toString":1}}]'],
  ['x: details a string', '["x",0,"boom"]'],
  ['x: no details', '["x",0]'],
  ['x: id an object', '["x",{"toString":1},{"code":"c","message":"m"}]'],
  ['welcome: an id with a bad toString', '["welcome",{"id":{"toString":1}}]'],
  ['welcome: null', '["welcome",null]'],
  ['refused: a message with a bad toString', '["refused",{"code":"unauthorized","message":{"toString":1}}]'],
  ['refused: null', '["refused",null]'],
]

describe.each(['before', 'after'] as const)('a malformed frame %s welcome', (when) => {
  it.each(MALFORMED)('%s: nothing thrown, closed 4400, a server error, then a new connection', async (_what, text) => {
    const caught = uncaught()
    const got: unknown[] = []
    const server = await hostile((conn) => {
      if (conn.n > 0) return welcome(conn)
      if (when === 'after') {
        welcome(conn)
        // Types the client does not know are ignored: the event after them arrives.
        conn.socket.send('["future",{"x":1}]')
        conn.socket.send('[7]')
        conn.socket.send('["e","news",["hi"]]')
      }
      conn.socket.send(text)
    })
    const { c, states } = client(server.url)
    c.on('news', (text: unknown) => got.push(text))
    c.connect()
    await waitFor(() => server.conns[0]?.closedWith != null, 'the first connection closed')
    expect(server.conns[0]?.closedWith).toBe(4400)
    await waitFor(() => c.getState().status === 'connected' && c.getState().id === 'c1', 'connected again, through a second connection')
    expect(states.find((state) => state.error)?.error).toMatchObject({ kind: 'server', code: 'protocol-error' })
    expect(got).toEqual(when === 'after' ? ['hi'] : [])
    expect(caught).toEqual([])
  })
})

describe('a refusal after welcome ends as during the handshake', () => {
  const refusals: Array<[what: string, status: string, kind: string, refuse: (conn: Conn) => void]> = [
    ['close 4401', 'unauthorized', 'unauthorized', (conn) => conn.socket.close(4401, 'token revoked')],
    ['refused unauthorized', 'unauthorized', 'unauthorized', (conn) => (conn.socket.send(JSON.stringify(['refused', { code: 'unauthorized', message: 'token revoked' }])), conn.socket.close(4401))],
    ['close 4403', 'failed', 'forbidden-origin', (conn) => conn.socket.close(4403)],
    ['refused forbidden', 'failed', 'forbidden-origin', (conn) => (conn.socket.send(JSON.stringify(['refused', { code: 'forbidden', message: 'this Origin may not open a socket here' }])), conn.socket.close(4403))],
  ]

  it.each(refusals)('%s (no auth retry): %s, a %s error; the pending ack rejects', async (_what, status, kind, refuse) => {
    // The server refuses when the client's event (asking for an ack) arrives: the ack is pending then.
    const server = await hostile(welcome, (conn, frame) => frame[0] === 'e' && refuse(conn))
    const { c } = client(server.url, { auth: { mode: 'token', getToken: () => 't', retries: 0 } })
    c.connect()
    await waitFor(() => c.getState().status === 'connected', 'connected')
    const ack = c.emitWithAck('anything').then(
      () => 'answered',
      (error: unknown) => error,
    )
    await waitFor(() => c.getState().status === status, status)
    expect(c.getState().error?.kind).toBe(kind)
    const error = await ack
    expect(isSocketError(error) && error.code).toBe('ack-lost')
    expect(server.conns.map((conn) => conn.frames[0])).toEqual([['hello', { token: 't' }, null]])
  })

  it('close 4401 with an auth retry left: one fresh hello with a new token, refused too, then unauthorized', async () => {
    const tokens = ['first', 'second', 'third']
    const server = await hostile(
      (conn) => (conn.n === 0 ? welcome(conn) : conn.socket.close(4401)),
      (conn, frame) => frame[0] === 'e' && conn.socket.close(4401),
    )
    const { c } = client(server.url, { auth: { mode: 'token', getToken: () => tokens.shift(), retries: 1 } })
    c.connect()
    await waitFor(() => c.getState().status === 'connected', 'connected')
    const ack = c.emitWithAck('anything').then(
      () => 'answered',
      (error: unknown) => error,
    )
    await waitFor(() => c.getState().status === 'unauthorized', 'unauthorized')
    expect(c.getState().error?.kind).toBe('unauthorized')
    expect(isSocketError(await ack)).toBe(true)
    expect(server.conns.map((conn) => conn.frames[0])).toEqual([
      ['hello', { token: 'first' }, null],
      ['hello', { token: 'second' }, null],
    ])
  })
})

describe('a server that welcomes, then refuses, every time', () => {
  it.each([0, 1, 2])('auth.retries %i: at most retries + 1 connections, through the backoff, then unauthorized', async (retries) => {
    const server = await hostile((conn) => (welcome(conn), setTimeout(() => conn.socket.close(4401, 'revoked'), 5)))
    const { c } = client(server.url, { auth: { mode: 'token', getToken: () => 't', retries } })
    c.connect()
    await waitFor(() => c.getState().status === 'unauthorized', 'unauthorized')
    expect(server.conns.length).toBe(retries + 1)
    expect(server.conns.every((conn) => conn.frames.length === 1 && conn.frames[0]![0] === 'hello')).toBe(true)
  })
})

describe('a second welcome on one connection', () => {
  it('is a protocol error (4400): resync runs once per reconnect, not once per welcome', async () => {
    const server = await hostile((conn) => {
      welcome(conn)
      if (conn.n === 0) setTimeout(() => welcome(conn), 5)
    })
    const { c } = client(server.url)
    let resyncs = 0
    c.onResync(() => void resyncs++)
    c.connect()
    await waitFor(() => server.conns[0]?.closedWith != null, 'the first connection closed')
    expect(server.conns[0]?.closedWith).toBe(4400)
    await waitFor(() => c.getState().status === 'connected' && c.getState().id === 'c1', 'connected again')
    expect(resyncs).toBe(1)
  })
})

describe('a welcome whose timings would overflow a timer', () => {
  it.each([
    ['pingInterval 3e9', '"pingInterval":3e9,"pingTimeout":20000'],
    ['pingInterval 1e308', '"pingInterval":1e308,"pingTimeout":20000'],
    ['pingTimeout 1e999 (Infinity once parsed)', '"pingInterval":25000,"pingTimeout":1e999'],
    ['both negative', '"pingInterval":-5,"pingTimeout":-5'],
    ['a string', '"pingInterval":"x","pingTimeout":20000'],
  ])('%s: no TimeoutOverflowWarning, still connected', async (_what, timings) => {
    const warnings: Error[] = []
    const collect = (warning: Error): void => void (warning.name === 'TimeoutOverflowWarning' && warnings.push(warning))
    process.on('warning', collect)
    cleanups.push(() => process.off('warning', collect))
    const server = await hostile((conn) => conn.socket.send(`["welcome",{"id":"c0",${timings},"v":1}]`))
    const { c } = client(server.url)
    c.connect()
    await waitFor(() => c.getState().status === 'connected', 'connected')
    // Asserting an absence: a timer re-armed every millisecond warns (or closes the connection) within this.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(warnings).toEqual([])
    expect(c.getState().status).toBe('connected')
    expect(server.conns.map((conn) => conn.closedWith)).toEqual([null])
  })
})
