import { afterEach, describe, expect, it } from 'vitest'
import { FIX_HINTS, hintFor } from './hints.js'
import { inspectRegistry, inspectorCount, markHolder, type InspectorRecord } from './inspect.js'
import { CountingTarget } from './testFixtures.js'
import { createSocketRegistry, type SocketRegistry } from './registry.js'
import { waitFor } from './testServer.js'
import { useCleanup } from './testFixtures.js'

const fx = useCleanup()
const registries: SocketRegistry[] = []
afterEach(() => {
  for (const r of registries.splice(0)) r.dispose()
  delete (globalThis as Record<string, unknown>).window
  delete (globalThis as Record<string, unknown>).document
})

const TOKEN = 'tok-very-secret-1234567890'

async function setup(auth: Parameters<typeof createSocketRegistry>[0] = { auth: { mode: 'token', getToken: () => TOKEN } }) {
  const server = await fx.server({
    onConnection: (socket) => {
      // Echoes the handshake's token back, by a secret-looking key and inside plain text: neither may be shown.
      socket.on('whoami', (ack: (value: unknown) => void) => ack({ token: socket.handshake.auth.token, note: `you are ${String(socket.handshake.auth.token)}` }))
      socket.on('bytes', (_data: unknown, ack: (value: unknown) => void) => ack('ok'))
      socket.on('slow', (ms: number, ack: (value: unknown) => void) => setTimeout(() => ack('done'), ms))
      socket.on('greet', () => socket.emit('greeting', 'hello', { n: 1 }))
      socket.on('echo', (value: unknown) => socket.emit('echoed', value, `again: ${JSON.stringify(value)}`))
    },
  })
  // WebSocket from the start: no polling-to-WebSocket upgrade landing in the middle of a test's transitions.
  const registry = createSocketRegistry({ url: server.url, isServer: false, graceMs: 0, socketOptions: { transports: ['websocket'] }, ...auth })
  registries.push(registry)
  return { server, registry }
}

/** The registry's default client, connected. */
async function connected(registry: SocketRegistry) {
  const client = registry.acquire()
  client.connect()
  await waitFor(() => client.getState().status === 'connected', 'connected')
  return client
}

describe('inspectRegistry', () => {
  it('sees state transitions with causes, events both ways with sizes (handled or not), ack round trips; never the token', async () => {
    const { registry } = await setup()
    const records: InspectorRecord[] = []
    const inspector = inspectRegistry(registry, (r) => records.push(r))
    const client = await connected(registry)
    client.emit('greet')
    await waitFor(() => records.some((r) => r.type === 'event' && r.direction === 'in' && r.event === 'greeting'), 'greeting in the log')
    const whoami = await client.emitWithAck('whoami')
    expect(whoami).toMatchObject({ token: TOKEN }) // the app gets the real value; the inspector does not
    const echoed = new Promise((resolve) => client.once('echoed', resolve))
    client.emit('echo', { token: TOKEN, text: `my token is ${TOKEN}` })
    expect(await echoed).toMatchObject({ token: TOKEN })
    await waitFor(() => records.some((r) => r.type === 'event' && r.event === 'echoed'), 'echoed in the log')
    expect(records.find((r) => r.type === 'event' && r.event === 'echo')).toMatchObject({ args: [{ token: '[redacted]', text: 'my token is [redacted]' }] })
    expect(records.find((r) => r.type === 'ack' && r.event === 'whoami')).toMatchObject({ value: { token: '[redacted]', note: 'you are [redacted]' } })
    await client.emitWithAck('slow', 50)

    const states = records.filter((r) => r.type === 'state').map((r) => r.type === 'state' && `${r.from}->${r.to} (${r.cause})`)
    expect(states).toEqual(['idle->connecting (connect)', 'connecting->connected (opened)'])
    const greeting = records.find((r) => r.type === 'event' && r.event === 'greeting')
    // 'greeting' has no handler: the inspector sees it anyway (a typo in an event name shows here).
    expect(greeting).toMatchObject({ direction: 'in', size: JSON.stringify(['hello', { n: 1 }]).length - 2, args: ['hello', { n: 1 }] })
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
    const client = await connected(registry)
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

  it('a listener that throws (a closed DevTools frame) is dropped, and its watcher with it', async () => {
    const { registry } = await setup()
    const client = await connected(registry)
    let calls = 0
    inspectRegistry(registry, () => {
      calls++
      throw new Error('frame is gone')
    })
    expect(client.socket!.listenersAny()).toHaveLength(1)
    client.emit('greet') // an out record: the listener throws and is dropped
    expect(calls).toBe(1)
    expect(inspectorCount(registry)).toBe(0)
    expect(client.socket!.listenersAny()).toHaveLength(0)
    client.emit('greet')
    await client.emitWithAck('slow', 1)
    expect(calls).toBe(1)
  })

  it('sizes count binary at any depth by its length; payloads are shown bounded, binary as its size', async () => {
    const { registry } = await setup()
    const records: InspectorRecord[] = []
    const inspector = inspectRegistry(registry, (r) => records.push(r))
    const client = await connected(registry)
    await client.emitWithAck('bytes', { name: 'file', data: new Uint8Array(1000), list: Array.from({ length: 50 }, (_, i) => i) })
    const out = records.find((r) => r.type === 'event' && r.event === 'bytes')
    const json = JSON.stringify([{ name: 'file', list: Array.from({ length: 50 }, (_, i) => i) }]).length - 2
    expect(out).toMatchObject({ size: 1000 + json }) // the binary by its length, the rest as JSON
    expect((out as { args: unknown }).args).toEqual([{ name: 'file', data: '[binary 1000 B]', list: [...Array.from({ length: 20 }, (_, i) => i), '… 30 more'] }])
    inspector.stop()
  })

  it('raw auth: the string values it sends are redacted too', async () => {
    const RAW = 'raw-secret-value-98765'
    const { registry } = await setup({ auth: { token: RAW } })
    const records: InspectorRecord[] = []
    const inspector = inspectRegistry(registry, (r) => records.push(r))
    const client = await connected(registry)
    expect(await client.emitWithAck('whoami')).toMatchObject({ token: RAW })
    expect(records.find((r) => r.type === 'ack' && r.event === 'whoami')).toMatchObject({ value: { token: '[redacted]', note: 'you are [redacted]' } })
    expect(JSON.stringify(records)).not.toContain(RAW)
    inspector.stop()
  })

  it('actions: simulate offline -> offline with no retry, online -> connected; reconnect and disconnect by key', async () => {
    Object.assign(globalThis, { window: new CountingTarget(), document: Object.assign(new CountingTarget(), { visibilityState: 'visible' }) })
    const { server, registry } = await setup()
    const records: InspectorRecord[] = []
    const inspector = inspectRegistry(registry, (r) => records.push(r))
    const client = await connected(registry)
    expect(inspector.simulateOnline(client.key)).toBe(false) // not offline: nothing to do
    expect(inspector.simulateOffline(client.key)).toBe(true)
    expect(client.getState().status).toBe('offline')
    await waitFor(() => server.connectionCount() === 0, 'the server saw it leave')
    client.emit('greet') // queued while offline
    // A page signal (the tab shown again) does not end a simulated offline: only simulateOnline does.
    ;(globalThis as unknown as { document: EventTarget }).document.dispatchEvent(new Event('visibilitychange'))
    ;(globalThis as unknown as { window: EventTarget }).window.dispatchEvent(new Event('pageshow'))
    await new Promise((r) => setTimeout(r, 100))
    expect(client.getState().status).toBe('offline')
    expect(inspector.simulateOnline(client.key)).toBe(true)
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
    // By the specific cause where there is one: a lost connection is not "nothing answered".
    expect(hintFor('network', 'lost')).toBe(FIX_HINTS.lost)
    expect(hintFor('network', 'unreachable')).toBe(FIX_HINTS.reach)
    expect(hintFor('unauthorized', 'get-token')).toBe(FIX_HINTS.token)
    expect(hintFor('timeout', 'ping-timeout')).not.toContain('--proxy')
  })
})
