// The Redis adapter (src/redis.ts) with a real redis-server (Debian's) on 127.0.0.1: two socket servers, each on its
// own HTTP server as two processes of an app would be, sharing one Redis. Rooms and broadcasts cross them, fetchPeers
// sees both, and a session dropped on one is recovered on the other, with what was sent meanwhile, even when the first
// never closed it (a process killed: its live copy in Redis, and a takeover that closes the old connection).
import { spawn, type ChildProcess } from 'node:child_process'
import { connect } from 'node:net'
import { Redis } from 'ioredis'
import { WebSocket } from 'ws'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createSocketClient, type SocketClient } from '@ssr-socket/core'
import { freePort, waitFor } from '@ssr-socket/core/testing'
import { createSocketServer, type SocketServer, type SocketServerOptions } from '../src/index'
import { createRedisAdapter, type RedisAdapterOptions, type RedisClient } from '../src/redis'
import { hello, serve, type Frame } from './node-server'

const REDIS_SERVER = '/usr/bin/redis-server'
let redisProcess: ChildProcess
let redisUrl = ''
/** A connection of the test's own, to look into Redis. */
let probe: Redis

beforeAll(async () => {
  const port = await freePort()
  redisProcess = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' })
  redisUrl = `redis://127.0.0.1:${port}`
  // Listening: a TCP connection is accepted (the process exiting first fails the wait).
  for (const started = Date.now(); ; ) {
    if (redisProcess.exitCode !== null) throw new Error(`redis-server exited (${redisProcess.exitCode})`)
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)))
      s.once('error', () => resolve(false))
    })
    if (up) break
    if (Date.now() - started > 10_000) throw new Error('redis-server did not listen within 10 s')
    await new Promise((r) => setTimeout(r, 20))
  }
  probe = new Redis(redisUrl)
})

afterAll(async () => {
  probe?.disconnect()
  redisProcess?.kill('SIGKILL')
})

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await probe.flushall()
})

/**
 * A client whose stream reader gets each XREAD answer `ms` late: a process whose reader lags behind the others (a
 * busy event loop), made so on purpose.
 */
function lagging(redis: Redis, ms: number): RedisClient {
  const wrap = (r: Redis, lag: number): RedisClient => ({
    call: async (command, ...args) => {
      const result = await r.call(command, ...args)
      if (command === 'XREAD' && lag) await new Promise((resolve) => setTimeout(resolve, lag))
      return result
    },
    duplicate: () => wrap(r.duplicate(), ms),
    subscribe: (...channels) => r.subscribe(...channels),
    on: (event: string, listener: (...a: never[]) => void) => r.on(event, listener),
    disconnect: () => r.disconnect(),
  })
  return wrap(redis, 0)
}

/** One "process": a socket server on the Redis adapter, its HTTP server, its Redis client. */
async function node(options: SocketServerOptions = {}, adapterOptions: RedisAdapterOptions = {}, lagMs = 0, url = redisUrl) {
  const redis = new Redis(url)
  redis.on('error', () => {})
  const errors: unknown[] = []
  const app: SocketServer = createSocketServer({ recovery: true, ...options, adapter: createRedisAdapter(lagMs ? lagging(redis, lagMs) : redis, adapterOptions), onError: (e) => errors.push(e) })
  app.on('join', (peer, room: string, ack: (v: unknown) => void) => (peer.join(room), ack(true)))
  app.on('relay', (peer, room: string, value: unknown) => peer.to(room).emit('n' as never, value as never))
  const served = await serve(app, cleanups, true)
  const stop = async () => {
    await served.close()
    redis.disconnect()
  }
  cleanups.push(stop)
  return { app, errors, stop, url: served.url, ws: served.ws }
}

/** waitFor for a condition that has to ask Redis. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
const clients = async () => String(await probe.client('LIST')).trim().split('\n').length

const client = (url: string): SocketClient & { seen: unknown[] } => {
  const c = createSocketClient({ url, isServer: false, transport: 'websocket', websocket: { WebSocket }, reconnection: false })
  const seen: unknown[] = []
  c.on('n', (v) => seen.push(v))
  cleanups.push(() => c.dispose())
  return Object.assign(c, { seen })
}
const connected = (c: SocketClient) => waitFor(() => c.getState().status === 'connected', 'connected', 10_000)

/** A raw client that takes part in recovery: hello with `resume` (null: none yet), its frames. */
const raw = (url: string, resume: unknown = null) => hello(url, cleanups, resume)

describe('the Redis adapter (two servers, one redis-server)', () => {
  it('rooms and broadcasts cross processes; peer.to(room) leaves the sender out; fetchPeers sees both', async () => {
    const one = await node()
    const two = await node()
    const a = client(one.url)
    const b = client(two.url)
    a.connect()
    b.connect()
    await Promise.all([connected(a), connected(b)])
    await a.emitWithAck('join', 'r')
    await b.emitWithAck('join', 'r')
    one.app.to('r').emit('n' as never, 1 as never)
    two.app.emit('n' as never, 2 as never)
    // (Two processes publishing at once have no order between them but the stream's: the relay waits for both.)
    await waitFor(() => a.seen.length === 2 && b.seen.length === 2, 'both broadcasts')
    a.emit('relay', 'r', 3) // to the others in r: b only
    await waitFor(() => a.seen.length === 2 && b.seen.length === 3, 'every event where it goes')
    expect([...a.seen].sort()).toEqual([1, 2])
    expect(b.seen).toEqual([...a.seen, 3]) // one order for every process: the stream's
    const peers = await one.app.fetchPeers('r')
    expect(peers.map((p) => p.id).sort()).toEqual([a.getState().id, b.getState().id].sort())
    expect(await two.app.fetchPeers('nobody')).toEqual([])
    expect([...one.errors, ...two.errors]).toEqual([])
  })

  it('a session dropped on one process is recovered on the other, with what its room and its id got meanwhile', async () => {
    const one = await node()
    const two = await node()
    const a = await raw(one.ws)
    a.socket.send(JSON.stringify(['e', 'join', ['r'], 1]))
    await waitFor(() => a.frames.some((f) => f[0] === 'a'), 'joined')
    one.app.to('r').emit('n' as never, 1 as never)
    await waitFor(() => a.events().length === 1, 'first event')
    const offset = a.offset()
    a.socket.terminate()
    await waitFor(() => one.app.stats().connections === 0, 'dropped on one')
    two.app.to('r').emit('n' as never, 2 as never)
    one.app.to('other').emit('n' as never, 99 as never)
    two.app.emit('n' as never, 3 as never)
    const b = await raw(two.ws, { session: a.welcome.session, offset })
    expect(b.welcome).toMatchObject({ id: a.welcome.id, session: a.welcome.session, recovered: true })
    await waitFor(() => b.events().length === 2, 'the 2 missed events')
    one.app.to('r').emit('n' as never, 4 as never) // its room, from the other process, after the restore
    await waitFor(() => b.events().length === 3, 'a room event after it')
    expect(b.events().map((f) => (f[2] as number[])[0])).toEqual([2, 3, 4])
    expect(await probe.keys('ssr-socket:session:*')).toHaveLength(1) // its live copy, on two now
  })

  it('a process that never closed the connection (killed): the live copy in Redis is taken over, the old connection closed', async () => {
    const one = await node()
    const two = await node()
    const a = await raw(one.ws)
    a.socket.send(JSON.stringify(['e', 'join', ['r'], 1]))
    await waitFor(() => a.frames.some((f) => f[0] === 'a'), 'joined')
    // Its live copy, written at the join: what a process that dies leaves behind.
    await until(async () => (await probe.get(`ssr-socket:session:${a.welcome.session}`))?.includes('"r"') === true, 'the live copy with its room')
    const offset = a.offset()
    two.app.to('r').emit('n' as never, 1 as never)
    const b = await raw(two.ws, { session: a.welcome.session, offset })
    expect(b.welcome).toMatchObject({ id: a.welcome.id, recovered: true })
    await waitFor(() => b.events().length === 1, 'the event sent meanwhile')
    await waitFor(() => a.closed() === 1001, 'the old connection closed by its process')
    expect(one.app.stats().connections).toBe(0)
  })

  it('a process whose reader lags behind: what it delivers late, the recovered client got already, and gets once', async () => {
    const one = await node()
    const two = await node({}, {}, 400)
    const a = await raw(one.ws)
    a.socket.send(JSON.stringify(['e', 'join', ['r'], 1]))
    await waitFor(() => a.frames.some((f) => f[0] === 'a'), 'joined')
    for (let i = 1; i <= 5; i++) one.app.to('r').emit('n' as never, i as never)
    await waitFor(() => a.events().length === 5, '5 events on one')
    const offset = a.offset()
    a.socket.terminate()
    const b = await raw(two.ws, { session: a.welcome.session, offset }) // two's reader has not delivered them yet
    expect(b.welcome.recovered).toBe(true)
    two.app.to('r').emit('n' as never, 6 as never)
    await waitFor(() => b.events().length >= 1, 'the next event')
    one.app.to('r').emit('n' as never, 7 as never)
    await waitFor(() => b.events().length >= 2, 'and the one after')
    expect(b.events().map((f) => (f[2] as number[])[0])).toEqual([6, 7])
  })

  it('an entry written twice (ioredis sends an XADD again when its answer was lost) is delivered and replayed once', async () => {
    const one = await node()
    const a = await raw(one.ws)
    const offset = a.offset()
    one.app.emit('n' as never, 1 as never)
    await waitFor(() => a.events().length === 1, 'the event')
    const [[, fields]] = (await probe.xrevrange('ssr-socket:stream', '+', '-', 'COUNT', 1)) as [[string, string[]]]
    await probe.xadd('ssr-socket:stream', '*', ...fields) // the same packet (same i), a second entry
    one.app.emit('n' as never, 2 as never)
    await waitFor(() => a.events().length >= 2, 'the next one')
    expect(a.events().map((f) => (f[2] as number[])[0])).toEqual([1, 2])
    a.socket.terminate()
    await waitFor(() => one.app.stats().connections === 0, 'dropped')
    const b = await raw(one.ws, { session: a.welcome.session, offset })
    expect(b.welcome.recovered).toBe(true)
    await waitFor(() => b.events().length >= 2, 'the replay')
    expect(b.events().map((f) => (f[2] as number[])[0])).toEqual([1, 2])
  })

  it('Redis away when the process starts: handshakes wait, and once it is up, events flow (one report, not one per retry)', async () => {
    const port = await freePort()
    const late = await node({}, {}, 0, `redis://127.0.0.1:${port}`)
    const socket = new WebSocket(late.ws, 'ssr-socket.v1')
    const frames: Frame[] = []
    socket.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame))
    socket.on('error', () => {})
    cleanups.push(() => socket.terminate())
    await new Promise<void>((resolve) => socket.once('open', () => resolve()))
    socket.send(JSON.stringify(['hello', null, null]))
    await waitFor(() => late.errors.length > 0, 'the outage reported')
    expect(frames).toEqual([]) // no welcome without Redis
    const second = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' })
    cleanups.push(() => second.kill('SIGKILL'))
    await waitFor(() => frames.some((f) => f[0] === 'welcome'), 'welcome once Redis is up', 15_000)
    late.app.emit('n' as never, 1 as never)
    await waitFor(() => frames.some((f) => f[0] === 'e'), 'an event through the stream', 10_000)
    expect(late.errors.length).toBeLessThanOrEqual(3)
  })

  it('an offset older than the stream keeps (MAXLEN): a fresh session, never a gap', async () => {
    const one = await node({}, { maxLen: 10 })
    const witness = await raw(one.ws)
    const a = await raw(one.ws)
    const offset = a.offset()
    a.socket.terminate()
    await waitFor(() => one.app.stats().connections === 1, 'dropped (the witness stays)')
    for (let i = 0; i < 300; i++) one.app.emit('n' as never, i as never)
    // (With MAXLEN 10, a burst can be trimmed before a process reads it: the witness may miss some, not the last.)
    await waitFor(() => witness.events().some((f) => (f[2] as number[])[0] === 299), 'the last of 300 through the stream')
    expect(Number(await probe.xlen('ssr-socket:stream'))).toBeLessThan(300) // trimmed
    const b = await raw(one.ws, { session: a.welcome.session, offset })
    expect(b.welcome.recovered).toBe(false)
  })

  it('dispose closes what the adapter opened: Redis is back to the test connection alone', async () => {
    const before = await clients()
    const one = await node()
    const two = await node()
    expect(await one.app.fetchPeers()).toEqual([])
    await until(async () => (await clients()) === before + 6, '3 connections each: client, reader, subscriber')
    await one.stop()
    await two.stop()
    await until(async () => (await clients()) === before, 'all of them closed')
  })
})
