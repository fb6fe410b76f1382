// The board's socket handler (server/routes/_ws.ts, a defineSocketHandler) driven by test peers of
// @ssr-socket/nuxt/testing: hello, events with acks, the room, what the others receive, hostile input. No Nitro and no
// network: the peers talk to the handler's hooks directly.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createTestPeer, TestPeerError, type TestPeer } from '@ssr-socket/nuxt/testing'
import board from '../../server/routes/_ws'

const open: TestPeer[] = []
async function peer(): Promise<TestPeer> {
  const p = await createTestPeer(board)
  open.push(p)
  return p
}
afterEach(() => {
  for (const p of open.splice(0)) p.close()
})

describe('the board handler, driven by test peers', () => {
  it('two visitors enter: both in the room, presence to both, a note to both, the ack to the poster', async () => {
    const ada = await peer()
    const bob = await peer()
    expect(await ada.emitWithAck('enter', 'ada')).toEqual({ notes: expect.any(Array) })
    expect(ada.rooms).toEqual(new Set(['board']))
    expect(ada.data).toEqual({ name: 'ada' })
    await bob.emitWithAck('enter', ' bob ')
    expect(bob.data).toEqual({ name: 'bob' }) // trimmed
    expect(ada.received.filter((e) => e.event === 'presence').map((e) => e.args[0])).toEqual([['ada'], ['ada', 'bob']])
    expect(bob.received.filter((e) => e.event === 'presence').map((e) => e.args[0])).toEqual([['ada', 'bob']])

    expect(await bob.emitWithAck('post', 'hello ada')).toEqual({ ok: true })
    for (const p of [ada, bob]) {
      expect(p.received.filter((e) => e.event === 'note').map((e) => e.args[0])).toEqual([expect.objectContaining({ author: 'bob', text: 'hello ada' })])
    }
    // Whoever enters later gets the notes so far in the ack.
    const eve = await peer()
    expect(await eve.emitWithAck('enter', 'eve')).toEqual({ notes: [expect.objectContaining({ author: 'bob', text: 'hello ada' })] })
  })

  it('a visitor who leaves is gone from the presence the others see; nothing is left on the server', async () => {
    const ada = await peer()
    const bob = await peer()
    await ada.emitWithAck('enter', 'ada')
    await bob.emitWithAck('enter', 'bob')
    bob.close()
    await vi.waitFor(() => expect(ada.received.at(-1)).toEqual({ event: 'presence', args: [['ada']] })) // the server's frames arrive on a later microtask
    ada.close()
    // (packets: what recovery keeps of the events sent, for 2 minutes, bounded; no connection's state is left.)
    expect(ada.server.stats()).toEqual({ connections: 0, handshaking: 0, rooms: 0, pendingAcks: 0, sessions: 0, packets: expect.any(Number) })
  })

  it('what a client must not do gets an answer, never a crash: bad names, posting before entering, unknown events, garbage', async () => {
    const mallory = await peer()
    expect(await mallory.emitWithAck('enter', 'x'.repeat(500))).toEqual({ error: expect.stringContaining('1 to 24') })
    expect(await mallory.emitWithAck('enter', { toString: null } as never)).toEqual({ error: expect.any(String) })
    expect(await mallory.emitWithAck('post', 'before entering')).toEqual({ error: 'Enter the board first.' })
    expect(mallory.rooms.size).toBe(0)
    const unknown = await (mallory as unknown as TestPeer<Record<string, (...args: unknown[]) => void>>).emitWithAck('drop-tables').catch((error: unknown) => error)
    expect(unknown).toBeInstanceOf(TestPeerError)
    expect(unknown).toMatchObject({ code: 'unknown-event' })
    mallory.send('{not json')
    await vi.waitFor(() => expect(mallory.closed).toEqual({ code: 4400, reason: 'bad frame' }))
    // The handler still serves the others.
    const ada = await peer()
    expect(await ada.emitWithAck('enter', 'ada')).toEqual({ notes: expect.any(Array) })
  })
})
