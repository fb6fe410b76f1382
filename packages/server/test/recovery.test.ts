// Connection state recovery's server rules (PROTOCOL.md, "Recovery"), driven by raw `ws` clients on crossws's Node
// adapter on 127.0.0.1: what a client that takes part gets, what one that does not gets, bounds, takeover, expiry,
// hostile resume frames, and that everything kept goes back to 0. The client side across both transports is in
// contract.test.ts.
import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '@ssr-socket/core/testing'
import { createSocketServer, type SocketPeer, type SocketServerOptions } from '../src/index'
import { hello as rawHello, serve } from './node-server'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function listen(options: SocketServerOptions = {}) {
  const app = createSocketServer({ recovery: true, ...options })
  const peers: SocketPeer[] = []
  const events: string[] = []
  app.onConnection((peer) => void (peers.push(peer), events.push(`connect ${peer.id} ${peer.recovered}`)))
  app.onDisconnect((peer) => void events.push(`disconnect ${peer.id}`))
  app.on('join', (peer, room: string) => peer.join(room))
  const { ws } = await serve(app, cleanups)
  return { app, peers, events, url: ws }
}

const hello = (url: string, resume?: unknown) => rawHello(url, cleanups, resume)

describe('recovery (@ssr-socket/server)', () => {
  it('a client that takes part gets a session and offsets; one that does not gets neither, and the same events', async () => {
    const { app, url } = await listen()
    const a = await hello(url, null)
    const legacy = await hello(url)
    expect(a.welcome).toMatchObject({ v: 1, recovered: false })
    expect(a.welcome.session).toMatch(/^[0-9a-f-]{36}$/)
    expect(typeof a.welcome.offset).toBe('string')
    expect(legacy.welcome).not.toHaveProperty('session')
    app.emit('all' as never, 1 as never)
    await waitFor(() => a.events().length === 1 && legacy.events().length === 1, 'both got the event')
    expect(a.events()[0]).toEqual(['e', 'all', [1], 0, expect.any(String)])
    expect(legacy.events()[0]).toEqual(['e', 'all', [1]])
  })

  it('a comeback within the time: the same id, rooms and data, the missed events in order, onConnection with recovered', async () => {
    const { app, peers, events, url } = await listen()
    const a = await hello(url, null)
    a.socket.send(JSON.stringify(['e', 'join', ['r']]))
    await waitFor(() => peers[0]?.rooms.has('r') === true, 'joined')
    peers[0]!.data = { user: 'ada' }
    app.to('r').emit('n' as never, 1 as never)
    await waitFor(() => a.events().length === 1, 'first event')
    const offset = a.offset()
    a.socket.terminate()
    await waitFor(() => app.stats().sessions === 1, 'the session kept')
    expect(app.stats()).toMatchObject({ connections: 0, rooms: 0 })
    app.to('r').emit('n' as never, 2 as never)
    peers[0]!.emit('n' as never, 3 as never) // through the dropped peer: kept for its return
    app.to('other').emit('n' as never, 99 as never) // not its room
    app.emit('n' as never, 4 as never)
    const b = await hello(url, { session: a.welcome.session, offset })
    expect(b.welcome).toMatchObject({ id: a.welcome.id, session: a.welcome.session, recovered: true })
    await waitFor(() => b.events().length === 3, 'the 3 missed events')
    expect(b.events().map((f) => (f[2] as number[])[0])).toEqual([2, 3, 4])
    expect(peers[1]).toMatchObject({ id: a.welcome.id, recovered: true, data: { user: 'ada' } })
    expect([...peers[1]!.rooms]).toEqual(['r'])
    expect(events).toEqual([`connect ${a.welcome.id} false`, `disconnect ${a.welcome.id}`, `connect ${a.welcome.id} true`])
    expect(app.stats().sessions).toBe(0) // taken back: one use
  })

  it("the client's own close (1000) ends its session; a resume of it gets a fresh one", async () => {
    const { app, url } = await listen()
    const a = await hello(url, null)
    a.socket.close(1000)
    await waitFor(() => app.stats().connections === 0, 'closed')
    expect(app.stats().sessions).toBe(0)
    const b = await hello(url, { session: a.welcome.session, offset: a.offset() })
    expect(b.welcome.recovered).toBe(false)
    expect(b.welcome.session).not.toBe(a.welcome.session)
  })

  it('a comeback before the old connection is known to be gone takes the session over (the old one is closed)', async () => {
    const { app, url } = await listen()
    const a = await hello(url, null)
    app.emit('n' as never, 1 as never)
    await waitFor(() => a.events().length === 1, 'first event')
    const b = await hello(url, { session: a.welcome.session, offset: a.offset() })
    expect(b.welcome).toMatchObject({ id: a.welcome.id, recovered: true })
    await waitFor(() => a.closed() === 1001, 'the old connection closed')
    expect(app.stats()).toMatchObject({ connections: 1, sessions: 0 })
  })

  it('an offset the log no longer reaches (maxPackets) or an unknown session: a fresh session, not a gap', async () => {
    const { app, url } = await listen({ recovery: { maxPackets: 5 } })
    const a = await hello(url, null)
    const offset = a.offset()
    a.socket.terminate()
    await waitFor(() => app.stats().sessions === 1, 'the session kept')
    for (let i = 0; i < 6; i++) app.emit('n' as never, i as never) // the first is pushed out
    expect(app.stats().packets).toBe(5)
    const b = await hello(url, { session: a.welcome.session, offset })
    expect(b.welcome.recovered).toBe(false)
    expect(b.events()).toEqual([])
    const c = await hello(url, { session: 'not-a-session', offset: '0' })
    expect(c.welcome.recovered).toBe(false)
  })

  it('hostile resumes get a fresh session, never a crash: wrong types, long strings, offsets out of range', async () => {
    const { app, url } = await listen()
    const a = await hello(url, null)
    a.socket.terminate()
    await waitFor(() => app.stats().sessions === 1, 'the session kept')
    const s = a.welcome.session!
    for (const resume of [5, 'x', [], { session: 5, offset: '0' }, { session: s }, { session: 'x'.repeat(65), offset: '0' }, { session: 'zz', offset: 'x'.repeat(65) }, { session: 'zz', offset: '-1' }, { session: 'zz', offset: 'zzzzzzzzzzzz' }, { session: '__proto__', offset: '0' }]) {
      const b = await hello(url, resume)
      expect(b.welcome, JSON.stringify(resume)).toMatchObject({ recovered: false })
      b.socket.close(1000)
    }
    expect(app.stats().sessions).toBe(1) // none of them was its session
    // Its session with an offset out of range (newer than the newest, not base 36), each on a session of its own.
    for (const offset of ['zzzzzz', 'Ab', '1.5', '5']) {
      const c = await hello(url, null)
      c.socket.terminate()
      await waitFor(() => app.stats().sessions === 2, 'its session kept')
      const b = await hello(url, { session: c.welcome.session, offset })
      expect(b.welcome, offset).toMatchObject({ recovered: false })
      b.socket.close(1000)
      await waitFor(() => app.stats().sessions === 1, 'the bad resume used it up')
    }
    const b = await hello(url, { session: s, offset: a.offset() })
    expect(b.welcome.recovered).toBe(true) // the first session was there all along
  })

  it('sessions and packets go back to 0 after maxDisconnectionDurationMs; expired sessions are not restored', async () => {
    const { app, url } = await listen({ recovery: { maxDisconnectionDurationMs: 200 } })
    const a = await hello(url, null)
    const offset = a.offset()
    a.socket.terminate()
    await waitFor(() => app.stats().sessions === 1, 'the session kept')
    app.emit('n' as never, 1 as never)
    expect(app.stats().packets).toBe(1)
    await waitFor(() => app.stats().sessions === 0 && app.stats().packets === 0, 'all let go', 5000)
    const b = await hello(url, { session: a.welcome.session, offset })
    expect(b.welcome.recovered).toBe(false)
  })

  it('a session is taken back only by the user the auth hook said it was; never from before it started', async () => {
    let user = 'alice'
    const { app, peers, url } = await listen({ auth: () => ({ user }) })
    const a = await hello(url, null)
    peers[0]!.data = { user: 'alice', cart: 3 }
    a.socket.terminate()
    await waitFor(() => app.stats().sessions === 1, 'the session kept')
    user = 'mallory' // logged out and in as someone else, same page
    const b = await hello(url, { session: a.welcome.session, offset: a.offset() })
    expect(b.welcome.recovered).toBe(false)
    expect(peers.at(-1)!.data).toEqual({ user: 'mallory' })
    // An offset older than the session's start would replay what was sent before it existed: refused.
    user = 'alice'
    app.emit('n' as never, 'before' as never)
    const c = await hello(url, null)
    c.socket.terminate()
    await waitFor(() => app.stats().sessions === 1, 'its session kept')
    const d = await hello(url, { session: c.welcome.session, offset: '0' })
    expect(d.welcome.recovered).toBe(false)
    expect(d.events()).toEqual([])
  })

  it("a room's packets from before the join are not replayed (the join's answer had them)", async () => {
    const { app, url } = await listen()
    const a = await hello(url, null)
    app.to('r').emit('n' as never, 'before the join' as never)
    a.socket.send(JSON.stringify(['e', 'join', ['r']]))
    await waitFor(() => app.peers()[0]?.rooms.has('r') === true, 'joined')
    const offset = a.offset() // the welcome's: nothing with an offset arrived since
    a.socket.terminate()
    await waitFor(() => app.stats().sessions === 1, 'the session kept')
    app.to('r').emit('n' as never, 'after' as never)
    const b = await hello(url, { session: a.welcome.session, offset })
    expect(b.welcome.recovered).toBe(true)
    await waitFor(() => b.events().length === 1, 'the one after the join')
    expect(b.events().map((f) => (f[2] as string[])[0])).toEqual(['after'])
  })

  it('a replay larger than maxBufferedBytes is not attempted: a fresh session (the client resyncs) rather than a cut', async () => {
    const { app, url } = await listen({ maxBufferedBytes: 4096 })
    const a = await hello(url, null)
    const offset = a.offset()
    a.socket.terminate()
    await waitFor(() => app.stats().sessions === 1, 'the session kept')
    for (let i = 0; i < 10; i++) app.emit('n' as never, 'x'.repeat(1000) as never)
    const b = await hello(url, { session: a.welcome.session, offset })
    expect(b.welcome.recovered).toBe(false)
    expect(b.closed()).toBe(null)
    expect(b.events()).toEqual([])
  })

  it('the recovery option is checked at creation', () => {
    expect(() => createSocketServer({ recovery: 'yes' as never })).toThrow(/options.recovery must be true, false or/)
    expect(() => createSocketServer({ recovery: { maxDisconnectionDurationMs: 0 } })).toThrow(/recovery.maxDisconnectionDurationMs must be an integer from 1/)
    expect(() => createSocketServer({ recovery: { maxPackets: 1.5 } })).toThrow(/recovery.maxPackets/)
    expect(createSocketServer({ recovery: true }).limits.recovery).toEqual({ maxDisconnectionDurationMs: 120_000, maxPackets: 10_000, maxBytes: 16_777_216 })
    expect(createSocketServer().limits.recovery).toBe(false)
  })
})
