import { afterEach, describe, expect, it } from 'vitest'
import { FIX_HINTS, hintFor } from './hints.js'
import { inspectRegistry, markHolder, type InspectorRecord } from './inspect.js'
import { createSocketRegistry, type SocketRegistry } from './registry.js'
import { waitFor } from './testServer.js'
import { useCleanup } from './testFixtures.js'

const fx = useCleanup()
const registries: SocketRegistry[] = []
afterEach(() => {
  for (const r of registries.splice(0)) r.dispose()
})

const TOKEN = 'tok-very-secret-1234567890'

async function setup() {
  const server = await fx.server({
    onConnection: (socket) => {
      // Echoes the handshake's token back, by a secret-looking key and inside plain text: neither may be shown.
      socket.on('whoami', (ack: (value: unknown) => void) => ack({ token: socket.handshake.auth.token, note: `you are ${String(socket.handshake.auth.token)}` }))
      socket.on('slow', (ms: number, ack: (value: unknown) => void) => setTimeout(() => ack('done'), ms))
      socket.on('greet', () => socket.emit('greeting', 'hello', { n: 1 }))
      socket.on('echo', (value: unknown) => socket.emit('echoed', value, `again: ${JSON.stringify(value)}`))
    },
  })
  const registry = createSocketRegistry({ url: server.url, isServer: false, graceMs: 0, auth: { mode: 'token', getToken: () => TOKEN } })
  registries.push(registry)
  return { server, registry }
}

describe('inspectRegistry', () => {
  it('sees state transitions with causes, events both ways with sizes (handled or not), ack round trips; never the token', async () => {
    const { registry } = await setup()
    const records: InspectorRecord[] = []
    const inspector = inspectRegistry(registry, (r) => records.push(r))
    const client = registry.acquire()
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected')
    client.emit('greet')
    await waitFor(() => records.some((r) => r.type === 'event' && r.direction === 'in' && r.event === 'greeting'), 'greeting in the log')
    const whoami = await client.emitWithAck('whoami')
    expect(whoami).toMatchObject({ token: TOKEN }) // the app gets the real value; the inspector does not
    const echoed = new Promise((resolve) => client.once('echoed', resolve))
    client.emit('echo', { token: TOKEN, text: `my token is ${TOKEN}` })
    expect(await echoed).toMatchObject({ token: TOKEN })
    await waitFor(() => records.some((r) => r.type === 'event' && r.event === 'echoed'), 'echoed in the log')
    expect(records.find((r) => r.type === 'event' && r.event === 'echo')).toMatchObject({ args: [{ token: '[redacted]', text: 'my token is [redacted]' }] })
    expect(records.find((r) => r.type === 'ack' && r.event === 'whoami')).toMatchObject({ value: [{ token: '[redacted]', note: 'you are [redacted]' }] })
    await client.emitWithAck('slow', 50)

    const states = records.filter((r) => r.type === 'state').map((r) => r.type === 'state' && `${r.from}->${r.to} (${r.cause})`)
    expect(states).toEqual(['idle->connecting (connect)', 'connecting->connected (opened)'])
    const greeting = records.find((r) => r.type === 'event' && r.event === 'greeting')
    // 'greeting' has no handler: the inspector sees it anyway (a typo in an event name shows here).
    expect(greeting).toMatchObject({ direction: 'in', size: JSON.stringify('hello').length + JSON.stringify({ n: 1 }).length, args: ['hello', { n: 1 }] })
    expect(records.find((r) => r.type === 'event' && r.event === 'greet')).toMatchObject({ direction: 'out', size: 0 })
    const slowOut = records.find((r) => r.type === 'event' && r.event === 'slow')
    const slowAck = records.find((r) => r.type === 'ack' && r.event === 'slow')
    expect(slowOut).toMatchObject({ direction: 'out', ack: expect.any(Number), size: 2 })
    expect(slowAck).toMatchObject({ error: null, ack: (slowOut as { ack: number }).ack })
    expect((slowAck as { rttMs: number }).rttMs).toBeGreaterThanOrEqual(45)
    // The token is fetched (and remembered as a secret) on the handshake; nothing shown contains it.
    expect(JSON.stringify(records)).not.toContain(TOKEN)
    expect(JSON.stringify(inspector.clients())).not.toContain(TOKEN)

    const [shown] = inspector.clients()
    expect(shown).toMatchObject({ key: client.key, transport: 'socket.io', path: '/socket.io', namespace: '/', refs: 1, releasing: false, state: { status: 'connected' } })
    inspector.stop()
  })

  it('stop() leaves nothing behind: no listener, no onAny watcher, no records; two inspectors are independent', async () => {
    const { registry } = await setup()
    const a: InspectorRecord[] = []
    const b: InspectorRecord[] = []
    const client = registry.acquire()
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected')
    const first = inspectRegistry(registry, (r) => a.push(r))
    const second = inspectRegistry(registry, (r) => b.push(r))
    expect(client.socket!.listenersAny()).toHaveLength(1) // one watcher, however many inspectors
    client.emit('greet')
    await waitFor(() => a.some((r) => r.type === 'event' && r.event === 'greeting') && b.some((r) => r.type === 'event' && r.event === 'greeting'), 'both see it')
    first.stop()
    const seen = a.length
    client.emit('greet')
    await waitFor(() => b.filter((r) => r.type === 'event' && r.event === 'greeting').length === 2, 'second still sees')
    expect(a.length).toBe(seen)
    second.stop()
    expect(client.socket!.listenersAny()).toHaveLength(0)
    const before = b.length
    client.emit('greet')
    await client.emitWithAck('slow', 1)
    expect(b.length).toBe(before)
  })

  it('a listener that throws (a closed DevTools frame) is dropped, not called again', async () => {
    const { registry } = await setup()
    let calls = 0
    inspectRegistry(registry, () => {
      calls++
      throw new Error('frame is gone')
    })
    const client = registry.acquire()
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected')
    expect(calls).toBe(1)
  })

  it('actions: simulate offline -> offline with no retry, online -> connected; reconnect and disconnect by key', async () => {
    const { server, registry } = await setup()
    const records: InspectorRecord[] = []
    const inspector = inspectRegistry(registry, (r) => records.push(r))
    const client = registry.acquire()
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected')
    inspector.simulateOffline(client.key)
    expect(client.getState().status).toBe('offline')
    await waitFor(() => server.connectionCount() === 0, 'the server saw it leave')
    client.emit('greet') // queued while offline
    inspector.simulateOnline(client.key)
    await waitFor(() => client.getState().status === 'connected', 'connected again')
    await waitFor(() => records.some((r) => r.type === 'event' && r.event === 'greet' && r.direction === 'out' && r.queued === true), 'the queued emit went out')
    inspector.disconnect(client.key)
    expect(client.getState().status).toBe('disconnected')
    inspector.connect(client.key)
    await waitFor(() => client.getState().status === 'connected', 'connected by the inspector')
    const id = client.getState().id
    server.dropAll()
    await waitFor(() => client.getState().status === 'reconnecting', 'reconnecting')
    inspector.reconnect(client.key)
    await waitFor(() => client.getState().status === 'connected' && client.getState().id !== id, 'reconnected')
    // reconnect() on a connected client: dropped, then connected again at once (a new socket id).
    const before = records.length
    const id2 = client.getState().id
    inspector.reconnect(client.key)
    await waitFor(() => client.getState().status === 'connected' && client.getState().id !== id2, 'reconnected from connected')
    const after = records.slice(before).filter((r) => r.type === 'state').map((r) => r.type === 'state' && `${r.from}->${r.to} (${r.cause})`)
    expect(after).toEqual(['connected->reconnecting (lost)', 'reconnecting->reconnecting (retryNow)', 'reconnecting->connected (opened)'])
    const causes = records.filter((r) => r.type === 'state').map((r) => r.type === 'state' && `${r.to} (${r.cause})`)
    expect(causes).toContain('offline (paused)')
    expect(causes).toContain('reconnecting (lost)')
    const lost = records.find((r) => r.type === 'state' && r.to === 'reconnecting' && r.error)
    expect(lost).toMatchObject({ error: { kind: 'network' } })
    inspector.stop()
  })

  it('holders: markHolder names who holds a client until unmarked', async () => {
    const { registry } = await setup()
    const inspector = inspectRegistry(registry, () => {})
    const client = registry.acquire()
    const unmark = markHolder(client, 'ChatRoom (components/ChatRoom.vue)')
    expect(inspector.clients()[0]!.holders).toEqual([expect.stringMatching(/^ChatRoom \(components\/ChatRoom.vue\) at .*inspect.test.ts:\d+/)])
    unmark()
    expect(inspector.clients()[0]!.holders).toEqual([])
    inspector.stop()
  })

  it('hints: each error kind has the doctor fix for it', () => {
    expect(hintFor('upgrade-refused')).toBe(FIX_HINTS.upgrade)
    expect(hintFor('session-unknown')).toBe(FIX_HINTS.sticky)
    expect(hintFor('forbidden-origin')).toBe(FIX_HINTS.origin)
  })
})
