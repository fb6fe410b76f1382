// @ssr-socket/server against hostile clients. The server runs in a child process set up as the README's plain-Node
// example (crossws's Node adapter on 127.0.0.1, the transport's maxPayload from the server's limits), so that a crash
// is seen as the process exiting and memory is the server's own. After every attack: a well-behaved client is still
// served, the attackers' connections leave nothing behind, and memory stays within the bound the case states.
import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '@ssr-socket/core/testing'
import { createSocketServer } from '../src/index'
import { closeAll, eventually, holdsNothing, MiB, rawClient, startChild, stillServes, type Child, type ChildConfig, type RawClient } from './hostile'

const children: Child[] = []
const clients: RawClient[] = []
afterEach(async () => {
  await closeAll(clients.splice(0))
  for (const child of children.splice(0)) await child.stop()
})

async function server(config: ChildConfig = {}): Promise<Child> {
  const child = await startChild(config)
  children.push(child)
  return child
}

async function attacker(child: Child, options?: Parameters<typeof rawClient>[1]): Promise<RawClient> {
  const c = await rawClient(child.ws, options)
  clients.push(c)
  return c
}

/** Served, and nothing of the attackers left once they are gone. */
async function survived(child: Child): Promise<void> {
  await closeAll(clients.splice(0))
  await stillServes(child)
  await holdsNothing(child)
}

describe('@ssr-socket/server under attack (each case: a server process of its own)', () => {
  it('1. a 64 MiB frame is refused while it arrives (1009 from the transport), peak RSS growth < 16 MiB', async () => {
    const child = await server()
    await child.call('gc')
    const before = await child.stats()
    const c = await attacker(child)
    await c.welcome()
    c.socket.send(JSON.stringify(['e', 'echo', ['x'.repeat(64 * MiB)]]))
    await c.gone()
    // 1009 when the transport's close frame gets out before the socket is cut, else a reset.
    expect([1009, 1006]).toContain(c.closed())
    const after = await child.stats()
    console.info(`64 MiB frame: server peak RSS ${(before.maxRss / MiB).toFixed(1)} -> ${(after.maxRss / MiB).toFixed(1)} MiB`)
    expect(after.maxRss - before.maxRss).toBeLessThan(16 * MiB)
    await survived(child)
  })

  it('1b. without the transport cap (an adapter that has none), an oversized frame is measured without decoding it: 4413', async () => {
    const child = await server({ transportMaxPayload: false, options: { maxPayloadBytes: 64 * 1024 } })
    const c = await attacker(child)
    await c.welcome()
    c.send('e', 'echo', ['é'.repeat(40 * 1024)]) // 80 KiB of UTF-8 in 40 K characters
    await c.gone()
    expect(c.closed()).toBe(4413)
    expect(c.frames.at(-1)).toEqual(['x', 0, { code: 'too-large', message: 'a frame of more than 65536 bytes' }])
    await survived(child)
  })

  it('2. a client that stops reading (and sends pongs unasked) is cut once 1 MiB waits for it; the others get everything; RSS growth < 16 MiB', async () => {
    const child = await server({ options: { pingIntervalMs: 200, pingTimeoutMs: 5000 } })
    await child.call('gc')
    const before = await child.stats()
    const fast = await attacker(child, { keep: false }) // frames only counted: welcome is the first
    fast.socket.send('["hello",null]')
    await waitFor(() => fast.frames.length >= 1, 'fast welcomed')
    const slow = await attacker(child)
    await slow.welcome()
    // It stops reading, but keeps the heartbeat happy by sending pongs blindly.
    ;(slow.socket as unknown as { _socket: { pause(): void } })._socket.pause()
    const pongs = setInterval(() => slow.socket.readyState === 1 && slow.socket.send('["pong"]'), 50)
    try {
      await child.call('broadcast', { count: 2000, size: 10_000, batch: 20 }, 60_000) // 20 MB to each
      await waitFor(() => fast.frames.length >= 2001, 'the fast reader got all 2,000', 30_000)
      await child.call('gc') // what is held, not the garbage of 40 MB sent
      const stats = await child.stats()
      expect(stats.server.connections).toBe(1) // the slow one is gone, the fast one served
      console.info(`slow reader: server RSS ${(before.rss / MiB).toFixed(1)} -> ${(stats.rss / MiB).toFixed(1)} MiB (peak ${(before.maxRss / MiB).toFixed(1)} -> ${(stats.maxRss / MiB).toFixed(1)})`)
      expect(stats.rss - before.rss).toBeLessThan(16 * MiB)
    } finally {
      clearInterval(pongs)
    }
    await survived(child)
  })

  it('3. an async onConnection whose emitWithAck rejects (the client leaves first) is reported, not a crash', async () => {
    const child = await server({ askOnConnect: true })
    for (let i = 0; i < 3; i++) {
      const c = await attacker(child)
      c.socket.send('["hello",null]')
      await waitFor(() => c.frames.some((f) => f[0] === 'e' && f[1] === 'whoami'), 'asked whoami')
      c.socket.terminate()
      await c.gone()
    }
    const stats = await eventually(child, (s) => s.errors >= 3, 'three failures reported')
    expect(child.exited()).toBeNull()
    expect(stats.lastErrors).toEqual(Array(3).fill('connection: the connection closed before the ack'))
    await survived(child)
  })

  it("4. answers to the server's own emitWithAck are not client events: 150 asked, 150 answered, not rate-limited", async () => {
    const child = await server()
    const c = await attacker(child)
    c.socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as unknown[]
      if (frame[0] === 'e' && frame[1] === 'question') c.send('a', frame[3], (frame[2] as number[])[0])
    })
    await c.welcome()
    expect(await child.call('ask', { count: 150 })).toMatchObject({ resolved: 150, rejected: 0 })
    expect(c.closed()).toBeNull()
    // An answer nobody asked for is counted like an event.
    for (let i = 0; i < 101; i++) c.send('a', 10_000 + i, null)
    await c.gone()
    expect(c.closed()).toBe(4429)
    await survived(child)
  })

  it('5. bytes per second: ~1 MB frames at 100/s are cut within the budget (4429); 200,000 arguments get an error frame, no handler failure', async () => {
    const child = await server()
    const flood = await attacker(child)
    await flood.welcome()
    const chunk = JSON.stringify(['e', 'noop', ['y'.repeat(1_000_000)]])
    const timer = setInterval(() => flood.socket.readyState === 1 && flood.socket.send(chunk), 10)
    await flood.gone().finally(() => clearInterval(timer))
    expect(flood.closed()).toBe(4429)
    // 2 MiB per second: two frames a window are handled, the next is over (two windows at most on a slow machine).
    expect((await child.stats()).handled).toBeLessThanOrEqual(4)
    const many = await attacker(child)
    await many.welcome()
    many.socket.send(`["e","echo",[${new Array(200_000).fill(0).join(',')}],1]`)
    await waitFor(() => many.frames.some((f) => f[0] === 'x'), 'an error frame')
    expect(many.frames.find((f) => f[0] === 'x')).toEqual(['x', 1, { code: 'too-many-arguments', message: 'more than 32 arguments for "echo"' }])
    expect((await child.stats()).errors).toBe(0)
    await survived(child)
  })

  it('6. an ack answer that cannot be encoded (a cycle, a BigInt, 200,000 levels deep): the client gets an error frame at once', async () => {
    const child = await server()
    const c = await attacker(child)
    await c.welcome()
    let id = 0
    for (const kind of ['cycle', 'bigint', 'deep']) {
      c.send('e', 'unencodable', [kind], ++id)
      await waitFor(() => c.frames.some((f) => f[0] === 'x' && f[1] === id), `an error frame for ${kind}`)
      expect(c.frames.find((f) => f[1] === id)).toEqual(['x', id, { code: 'bad-ack', message: 'the answer of "unencodable" could not be encoded' }])
    }
    expect((await child.stats()).errors).toBe(3) // each reported through onError
    await survived(child)
  })

  it('7. rooms: a handler that joins what the client sent (not a string, empty, too long) fails cleanly; closing still closes', async () => {
    const child = await server()
    const c = await attacker(child)
    await c.welcome()
    let id = 0
    for (const room of [{ toString: 1 }, 5, null, '', 'r'.repeat(201), ['a']]) {
      c.send('e', 'joinRaw', [room], ++id)
      await waitFor(() => c.frames.some((f) => f[1] === id), `an answer to join ${JSON.stringify(room)}`)
      expect(c.frames.find((f) => f[1] === id)).toEqual(['x', id, { code: 'handler-error', message: 'the handler of "joinRaw" failed' }])
    }
    c.send('e', 'joinRaw', ['fine'], ++id)
    await waitFor(() => c.frames.some((f) => f[0] === 'a' && f[1] === id), 'a good room joined')
    expect((await child.stats()).server.rooms).toBe(1)
    // The server closing everything reaches this connection (a failing room cleanup once skipped the close).
    await child.call('closeAll')
    await c.gone()
    expect(c.closed()).toBe(1001)
    await survived(child)
  })

  it('7b. a room send costs O(members): 10 members among 5,000 connections <= 3x among 100 (and 5,000 idle connections are served)', async () => {
    const child = await server({ options: { pingIntervalMs: 600_000 } })
    const open = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i += 250) {
        const batch = await Promise.all(Array.from({ length: Math.min(250, n - i) }, () => attacker(child, { keep: false })))
        for (const c of batch) c.socket.send('["hello",null]')
        await waitFor(() => batch.every((c) => c.frames.length >= 1), 'welcomed')
      }
    }
    await open(100)
    const small = await child.call<{ microseconds: number }>('roomCost', { members: 10, sends: 2000, rounds: 7 })
    await open(4900)
    expect((await child.stats()).server.connections).toBe(5000)
    await stillServes(child)
    const large = await child.call<{ microseconds: number }>('roomCost', { members: 10, sends: 2000, rounds: 7 })
    const ratio = large.microseconds / small.microseconds
    console.info(`room send, 10 members: ${small.microseconds.toFixed(2)} µs among 100 connections, ${large.microseconds.toFixed(2)} µs among 5,000 (ratio ${ratio.toFixed(2)})`)
    expect(ratio).toBeLessThanOrEqual(3)
    await survived(child)
  }, 120_000)

  it('lifecycle: onDisconnect sees the rooms; a peer closed by onConnection gets no more onConnection and one onDisconnect, after them; an onError that throws is no crash', async () => {
    const child = await server({ lifecycle: true, onErrorThrows: true })
    const c = await attacker(child)
    await c.welcome()
    c.send('e', 'join', ['lobby'], 1)
    await waitFor(() => c.frames.some((f) => f[0] === 'a' && f[1] === 1), 'joined')
    c.send('e', 'boom', [], 2) // its handler throws, and so does onError
    await waitFor(() => c.frames.some((f) => f[0] === 'x' && f[1] === 2), 'the handler error frame')
    c.socket.close()
    await c.gone()
    const stats = await eventually(child, (s) => s.log.length === 3, 'in, in, out')
    const id = stats.log[0]!.slice(1)
    expect(stats.log).toEqual([`+${id}`, `++${id}`, `-${id}:lobby`])
    expect(stats.lastErrors).toEqual(['boom: boom'])
    await survived(child)

    const closing = await server({ lifecycle: true, closeOnConnect: true })
    const d = await attacker(closing)
    d.socket.send('["hello",null]')
    await d.gone()
    expect(d.closed()).toBe(4000)
    const after = await eventually(closing, (s) => s.log.length === 2, 'in, out')
    expect(after.log).toEqual([after.log[0], `-${after.log[0]!.slice(1)}:`])
  })

  it('origins that are not an array of strings or a function are refused at creation (a string would match substrings)', () => {
    expect(() => createSocketServer({ origins: 'https://app.example.com' as never })).toThrow('options.origins must be an array of origins')
    expect(() => createSocketServer({ origins: [5] as never })).toThrow('options.origins must be an array of origins')
  })

  it('8. numeric options out of range are refused at creation with what to write', () => {
    expect(() => createSocketServer({ pingIntervalMs: 2 ** 31 })).toThrow('options.pingIntervalMs must be an integer from 1 to 2,147,483,647, got 2147483648.')
    for (const [name, value] of [
      ['pingTimeoutMs', -1],
      ['ackTimeoutMs', Number.NaN],
      ['handshakeTimeoutMs', Infinity],
      ['maxPayloadBytes', '1000'],
      ['maxBufferedBytes', 10],
      ['maxArguments', 0],
      ['bytesPerSecond', 100],
    ] as const) {
      expect(() => createSocketServer({ [name]: value } as never), name).toThrow(`options.${name} must be an integer`)
    }
    expect(() => createSocketServer({ rateLimit: { events: 0, perMs: 1000 } })).toThrow('options.rateLimit.events')
    expect(() => createSocketServer({ rateLimit: 'fast' as never })).toThrow('options.rateLimit must be { events, perMs } or false')
    expect(() => createSocketServer({ onError: 'log' as never })).toThrow('options.onError must be a function')
    expect(createSocketServer({ rateLimit: false, bytesPerSecond: false }).limits).toMatchObject({ rateLimit: false, bytesPerSecond: false, maxPayloadBytes: MiB })
  })

  it('what already held: bad frames, frames before hello, hostile names and arguments, a flood, Origin variants, half-open', async () => {
    const child = await server({ options: { origins: ['http://good.example'], pingIntervalMs: 100, pingTimeoutMs: 100, handshakeTimeoutMs: 300 } })
    const closedWith = async (code: number, act: (c: RawClient) => void | Promise<void>, headers?: Record<string, string>) => {
      const c = await attacker(child, { headers })
      await act(c)
      await c.gone()
      expect(c.closed()).toBe(code)
      return c
    }
    // Not a frame, or not before hello.
    for (const text of ['{not json', 'null', '5', '{}', '"hello"', '[]', '[1]', '["nonsense"]', '["e","echo",[]]']) await closedWith(4400, (c) => c.socket.send(text))
    // After hello: bad event frames and hello twice.
    for (const frame of [['e', '', []], ['e', 'x'.repeat(201), []], ['e', { toString: 1 }, []], ['e', 'echo', 'notarray'], ['e', 'echo', [], -1], ['e', 'echo', [], 1.5], ['a', 'id', 1], ['hello', null]]) {
      await closedWith(4400, async (c) => (await c.welcome(), c.send(...frame)))
    }
    // Hostile auth payloads are only data: the default server takes them.
    for (const auth of [{ token: 'x'.repeat(100_000) }, { toString: 1 }, [1, 2, 3]]) {
      const c = await attacker(child)
      c.send('hello', auth)
      await waitFor(() => c.frames.some((f) => f[0] === 'welcome'), 'welcome')
    }
    // An unknown event is refused by frame, not by closing.
    const asker = await attacker(child)
    await asker.welcome()
    asker.send('e', 'constructor', [], 7)
    await waitFor(() => asker.frames.some((f) => f[0] === 'x'), 'unknown-event')
    expect(asker.frames.find((f) => f[0] === 'x')).toEqual(['x', 7, { code: 'unknown-event', message: 'no handler for "constructor" on this server' }])
    // A flood of events.
    await closedWith(4429, async (c) => {
      await c.welcome()
      for (let i = 0; i < 150; i++) c.send('e', 'noop', [])
    })
    // Origins: evil, malformed and the literal "null" are refused with 4403; no Origin (not a browser) and the listed one pass.
    for (const origin of ['http://evil.example', 'not a url', 'null', 'http://good.example.evil.example']) await closedWith(4403, () => {}, { origin })
    for (const headers of [{}, { origin: 'http://good.example' }]) {
      const c = await attacker(child, { headers })
      await c.welcome()
    }
    // No hello in time; a client that stops answering pings (half-open on the server's side).
    await closedWith(4408, () => {})
    const deaf = await rawClient(child.ws, {})
    clients.push(deaf)
    deaf.socket.removeAllListeners('message') // reads, never answers
    deaf.socket.send('["hello",null]')
    await deaf.gone()
    expect(deaf.closed()).toBe(4408)
    await survived(child)
  }, 60_000)

  it('churn: 1,000 connect / hello / leave cycles leave nothing, and heap growth stays under 8 MiB', async () => {
    const child = await server()
    await child.call('gc')
    const before = await child.stats()
    for (let round = 0; round < 20; round++) {
      const batch = await Promise.all(Array.from({ length: 50 }, () => rawClient(child.ws, { keep: false })))
      for (const c of batch) c.socket.send('["hello",null]')
      await waitFor(() => batch.every((c) => c.frames.length >= 1), 'welcomed')
      for (const [i, c] of batch.entries()) {
        if (i % 2) c.socket.terminate()
        else c.socket.close()
      }
      await Promise.all(batch.map((c) => c.gone()))
    }
    await holdsNothing(child)
    await child.call('gc')
    const after = await child.stats()
    console.info(`churn: heap ${(before.heapUsed / MiB).toFixed(1)} -> ${(after.heapUsed / MiB).toFixed(1)} MiB after 1,000 cycles`)
    expect(after.heapUsed - before.heapUsed).toBeLessThan(8 * MiB)
    await survived(child)
  }, 60_000)
})
