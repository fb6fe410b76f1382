// The Vue API for real apps: reactive options, `enabled`, subscriptions that survive reconnects, once/off,
// diagnostics. Real socket.io servers on 127.0.0.1, components mounted in happy-dom.
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, defineComponent, effectScope, h, isReadonly, nextTick, ref, type Ref } from 'vue'
import { inspectRegistry } from '@ssr-socket/core'
import { createTestServer, waitFor, type TestServer } from '@ssr-socket/core/testing'
import { mountApp } from './__fixtures__/mount'
import { createSocketPlugin, getSocketRegistry, type SocketPluginOptions } from './plugin'
import { useSocket, type UseSocketReturn } from './useSocket'
import { useSocketEvent } from './useSocketEvent'
import { useSocketSubscription } from './useSocketSubscription'
import { useSocketDiagnostics } from './useSocketDiagnostics'

let server: TestServer | null = null
const cleanups: Array<() => void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) c()
  await server?.close()
  server = null
})
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Mounts a child component running `setup`, shown while `shown` is true. */
function mount(setup: () => void, plugin: SocketPluginOptions) {
  const shown = ref(true)
  const Child = defineComponent({ setup: () => (setup(), () => h('i')) })
  return { ...mountApp({ render: () => (shown.value ? h(Child) : null) }, plugin, cleanups), shown }
}

/** Sockets connected now, over every namespace of the server. */
const sockets = (s: TestServer) => [...s.io._nsps.values()].reduce((n, nsp) => n + nsp.sockets.size, 0)

describe('reactive options', () => {
  it('a namespace ref switched 10 times: one connection at a time, the handlers follow, nothing left behind', async () => {
    server = await createTestServer()
    const rooms = server.io.of(/^\/room-\d+$/)
    rooms.on('connection', (socket) => socket.emit('hello', socket.nsp.name))
    const room = ref(0)
    const seen: string[] = []
    let api!: UseSocketReturn
    const { registry, shown } = mount(() => {
      api = useSocket({ namespace: () => `/room-${room.value}` })
      api.on('hello', (name: string) => seen.push(name))
    }, { url: server.url, graceMs: 100 })
    await waitFor(() => seen.length === 1, 'hello from /room-0')
    let engineConnections = 1
    server.io.engine.on('connection', () => engineConnections++)
    for (let i = 1; i <= 10; i++) {
      room.value = i
      await waitFor(() => seen.at(-1) === `/room-${i}`, `hello from /room-${i}`)
      // The server sees the old namespace go (its DISCONNECT and the new CONNECT cross on the way).
      await waitFor(() => sockets(server!) === 1, 'one socket on the server')
      expect(server.io.engine.clientsCount).toBe(1) // one Engine.IO connection under all the namespaces
      expect(api.client.key).toMatch(new RegExp(`#/room-${i}$`))
      expect(api.client.getDiagnostics().handlers).toEqual({ hello: 1 })
      expect(api.status.value).toBe('connected')
    }
    expect(seen).toEqual(Array.from({ length: 11 }, (_, i) => `/room-${i}`))
    // Namespaces of one server share its Engine.IO connection: the switches opened no other.
    expect(engineConnections).toBe(1)
    // The old clients were released: only the current one is held.
    await waitFor(() => registry.getDiagnostics().clients.length === 1, 'released the old clients')
    shown.value = false
    await nextTick()
    await waitFor(() => registry.getDiagnostics().clients.length === 0 && sockets(server!) === 0, 'nothing held after unmount')
  })

  it('a scope that ends inside another state listener while its old namespace waits to leave: the old one is left once', async () => {
    server = await createTestServer()
    server.io.of(/^\/room-\d+$/)
    const app = createApp({ render: () => null })
    // A grace period, so that /room-0's client is still the registry's when it is wanted again below.
    app.use(createSocketPlugin({ url: server.url, graceMs: 5000 }))
    cleanups.push(() => getSocketRegistry(app).dispose()) // never mounted: unmount() would not dispose it
    const registry = getSocketRegistry(app)
    const room = ref(0)
    const switching = effectScope()
    const api = app.runWithContext(() => switching.run(() => useSocket({ namespace: () => `/room-${room.value}` })))!
    await waitFor(() => api.isConnected.value, 'connected to /room-0')
    const old = api.client
    // A listener of the new client that comes before the scope's own: it ends the scope when the new one connects.
    const next = registry.acquire({ namespace: '/room-1' })
    const off = next.subscribe((s) => s.status !== 'connecting' && switching.stop())
    room.value = 1
    await waitFor(() => next.getState().status === 'connected', 'connected to /room-1')
    off()
    registry.release(next)
    // Another caller of /room-0, enabled then disabled: the last caller that wanted it, so it disconnects. (Had the
    // ended scope left /room-0 twice, its demand would be below zero and this would not disconnect it.)
    const enabled = ref(true)
    const other = effectScope()
    const again = app.runWithContext(() => other.run(() => useSocket({ namespace: '/room-0', enabled })))!
    cleanups.push(() => other.stop())
    expect(again.client).toBe(old)
    await waitFor(() => again.isConnected.value, 'connected to /room-0 again')
    enabled.value = false
    await waitFor(() => again.status.value === 'disconnected', 'disconnected when the last caller no longer wants it')
  })

  it('enabled: false holds no connection; true connects; false again disconnects, unless another caller wants it', async () => {
    server = await createTestServer()
    const signedIn = ref(false)
    const other = ref(false)
    let api!: UseSocketReturn
    const { registry } = mount(() => {
      api = useSocket({ enabled: signedIn })
      useSocket({ enabled: other })
    }, { url: server.url })
    await sleep(100)
    expect(api.status.value).toBe('idle')
    expect(server.connectionCount()).toBe(0)
    expect(server.handshakes()).toBe(0)

    signedIn.value = true
    await waitFor(() => api.status.value === 'connected', 'connected once enabled')
    expect(server.connectionCount()).toBe(1)

    signedIn.value = false
    await waitFor(() => api.status.value === 'disconnected', 'disconnected once disabled')
    await waitFor(() => server!.connectionCount() === 0, 'the server sees it go')

    // Two callers want it: one turning false leaves it connected for the other.
    signedIn.value = true
    other.value = true
    await waitFor(() => api.status.value === 'connected', 'connected again')
    signedIn.value = false
    await sleep(100)
    expect(api.status.value).toBe('connected')
    other.value = false
    await waitFor(() => api.status.value === 'disconnected', 'disconnected when nobody wants it')
    expect(registry.getDiagnostics().clients).toEqual([expect.objectContaining({ refs: 2 })])
  })

  it('once, off (this caller\'s handlers only) and volatile.emit', async () => {
    server = await createTestServer()
    const got: string[] = []
    server.io.on('connection', (socket) => socket.on('v', (x: string) => got.push(x)))
    const seenA: number[] = []
    const seenB: number[] = []
    const seenOnce: number[] = []
    let a!: UseSocketReturn
    let b!: UseSocketReturn
    mount(() => {
      a = useSocket()
      b = useSocket()
      a.on('n', (n: number) => seenA.push(n))
      b.on('n', (n: number) => seenB.push(n))
      a.once('n', (n: number) => seenOnce.push(n))
    }, { url: server.url })
    await waitFor(() => a.isConnected.value, 'connected')
    server.io.emit('n', 1)
    await waitFor(() => seenA.length === 1 && seenB.length === 1, 'first event')
    a.off('n') // a's handlers only
    server.io.emit('n', 2)
    await waitFor(() => seenB.length === 2, 'second event')
    // The same function from two callers: one's off leaves the other's.
    const shared: number[] = []
    const handler = (n: number) => shared.push(n)
    const offA = a.on('s', handler)
    b.on('s', handler)
    offA()
    server.io.emit('s', 1)
    await waitFor(() => shared.length === 1, 'b still has it')
    expect(seenA).toEqual([1])
    expect(seenOnce).toEqual([1])
    a.volatile.emit('v', 'now')
    await waitFor(() => got.includes('now'), 'volatile emit delivered while connected')
  })
})

describe('useSocketSubscription', () => {
  it('sent on connect and exactly once after each of 5 non-recovered reconnects, 0 times after a recovered one; args switch = 1 leave + 1 join; unmount leaves', async () => {
    const log: string[] = []
    // onConnection: on every start of the server (it is restarted below).
    server = await createTestServer({ server: { connectionStateRecovery: { maxDisconnectionDuration: 10_000, skipMiddlewares: true } }, onConnection: (socket) => {
      socket.on('join', (room: string, ack: (r: unknown) => void) => {
        log.push(`join ${room}`)
        void socket.join(room)
        ack({ room, history: [`welcome to ${room}`] })
      })
      socket.on('leave', (room: string) => {
        log.push(`leave ${room}`)
        void socket.leave(room)
      })
      socket.on('say', (room: string) => log.push(`say ${room} (in room: ${socket.rooms.has(room)})`))
    } })
    const room = ref('a')
    let data!: Ref<unknown>
    let api!: UseSocketReturn
    const { shown } = mount(() => {
      api = useSocket()
      data = useSocketSubscription('join', () => [room.value], { unsubscribe: 'leave' }).data
    }, { url: server.url, reconnection: { delayMs: 20, maxDelayMs: 50, jitter: 0 } })
    await waitFor(() => log.length === 1, 'joined on connect')
    expect(log).toEqual(['join a'])
    await waitFor(() => data.value !== undefined, 'ack as data')
    expect(data.value).toEqual({ room: 'a', history: ['welcome to a'] })

    for (let i = 1; i <= 5; i++) {
      // A restart loses the sessions: not recovered, so the room is joined again, once, before buffered emits.
      const restarted = server.restart(100)
      await waitFor(() => api.status.value === 'reconnecting', `restart ${i} noticed`)
      api.emit('say', 'a') // buffered while reconnecting
      await restarted
      await waitFor(() => log.filter((l) => l === 'join a').length === i + 1 && log.some((l) => l.startsWith('say')), `rejoined after restart ${i}`)
      await sleep(30)
      expect(log.filter((l) => l === 'join a')).toHaveLength(i + 1)
      expect(log.at(-1)).toBe('say a (in room: true)')
      expect(api.state.value.recovered).toBe(false)
      log.splice(log.indexOf('say a (in room: true)'), 1)
    }
    // A drop that socket.io recovers: the server kept the room, nothing is sent again.
    const before = log.length
    let ticks = 0
    api.on('tick', () => ticks++)
    server.io.emit('tick') // gives the session an offset: socket.io recovers only sessions that have one
    await waitFor(() => ticks === 1, 'tick')
    server.dropAll()
    await waitFor(() => api.status.value === 'reconnecting', 'drop noticed')
    await waitFor(() => api.status.value === 'connected', 'recovered')
    await sleep(50)
    expect(api.state.value.recovered).toBe(true)
    expect(log.length).toBe(before)

    room.value = 'b'
    await waitFor(() => log.at(-1) === 'join b', 'switched')
    expect(log.slice(before)).toEqual(['leave a', 'join b'])
    await waitFor(() => (data.value as { room: string }).room === 'b', 'data follows')

    shown.value = false
    await nextTick()
    await waitFor(() => log.at(-1) === 'leave b', 'left on unmount')
    expect(log.slice(before)).toEqual(['leave a', 'join b', 'leave b'])
  })
})

describe('useSocketSubscription follows the connection', () => {
  it('it does not open a connection that useSocket keeps closed (enabled: false); two of the same room: leave only when the last goes', async () => {
    const log: string[] = []
    server = await createTestServer({ onConnection: (socket) => {
      socket.on('join', (room: string, ack: (r: unknown) => void) => (log.push(`join ${room}`), ack({ room })))
      socket.on('leave', (room: string) => log.push(`leave ${room}`))
    } })
    const signedIn = ref(false)
    const second = ref(true)
    const Second = defineComponent({ setup: () => (useSocketSubscription('join', ['lobby'], { unsubscribe: 'leave' }), () => h('i')) })
    mountApp({
      setup() {
        useSocket({ enabled: signedIn })
        useSocketSubscription('join', ['lobby'], { unsubscribe: 'leave' })
        return () => (second.value ? h(Second) : null)
      },
    }, { url: server.url }, cleanups)
    await sleep(200)
    expect(server.handshakes()).toBe(0)
    signedIn.value = true
    await waitFor(() => log.length === 2, 'both joined once connected')
    second.value = false // the other one still holds the room
    await nextTick()
    await sleep(100)
    expect(log).toEqual(['join lobby', 'join lobby'])
  })
})

describe('useSocketSubscription retries a refused subscription', () => {
  it('an ack that says it failed is sent again (backoff) until the server takes it; then nothing more', async () => {
    let refusals = 2
    const log: string[] = []
    server = await createTestServer({ onConnection: (socket) => {
      socket.on('join', (room: string, ack: (r: unknown) => void) => {
        log.push(`join ${room}`)
        ack(refusals-- > 0 ? { error: 'store unavailable' } : { room })
      })
    } })
    let data!: Ref<unknown>
    mount(() => {
      useSocket()
      data = useSocketSubscription('join', ['lobby'], { failed: (r) => (r as { error?: string }).error !== undefined, retryDelayMs: 30 }).data
    }, { url: server.url })
    await waitFor(() => (data.value as { room?: string } | undefined)?.room === 'lobby', 'joined after two refusals')
    await sleep(300) // longer than the next backoff step: no more joins once it held
    expect(log).toEqual(['join lobby', 'join lobby', 'join lobby'])
  })
})

describe('useSocketEvent and useSocketDiagnostics', () => {
  it('useSocketEvent with options: readonly ref with its initial value, onEvent called; diagnostics follow the state', async () => {
    server = await createTestServer()
    const calls: number[] = []
    let score!: Readonly<Ref<number>>
    let diag!: ReturnType<typeof useSocketDiagnostics>
    mount(() => {
      score = useSocketEvent<{ score: (n: number) => void }, 'score'>('score', { initial: 0, onEvent: (n) => calls.push(n) })
      diag = useSocketDiagnostics()
    }, { url: server.url })
    expect(score.value).toBe(0)
    await waitFor(() => diag.value.status === 'connected', 'diagnostics show connected')
    expect(diag.value.handlers).toEqual({ score: 1 })
    server.io.emit('score', 7)
    await waitFor(() => score.value === 7, 'event')
    expect(calls).toEqual([7])
    expect(isReadonly(score)).toBe(true)
  })
})

describe('holders, for inspectors', () => {
  it('useSocket marks its component as a holder (with the call site) while it holds the connection', async () => {
    server = await createTestServer()
    const shown = ref(true)
    const ChatPanel = defineComponent({ name: 'ChatPanel', setup: () => (useSocket(), () => h('i')) })
    const { registry } = mountApp({ render: () => (shown.value ? h(ChatPanel) : null) }, { url: server.url, graceMs: 60_000 }, cleanups)
    const inspector = inspectRegistry(registry, () => {})
    cleanups.push(() => inspector.stop())
    expect(inspector.clients().map((c) => c.holders)).toEqual([[expect.stringMatching(/^<ChatPanel> at .*reactive\.test\.ts:\d+/)]])
    shown.value = false
    await nextTick()
    // Kept through its grace period, held by nobody.
    expect(inspector.clients().map((c) => [c.refs, c.releasing, c.holders])).toEqual([[0, true, []]])
  })
})
