import { afterEach, describe, expect, it } from 'vitest'
import { createApp, defineComponent, effectScope, h, nextTick, ref } from 'vue'
import { createTestServer, waitFor, type TestServer } from '@ssr-socket/core/testing'
import { Crowd } from './__fixtures__/components'
import { mountApp } from './__fixtures__/mount'
import { createSocketPlugin, getSocketRegistry } from './plugin'
import { useSocket } from './useSocket'
import { useSocketEvent } from './useSocketEvent'

let server: TestServer | null = null
const cleanups: Array<() => void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) c()
  await server?.close()
  server = null
})
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('useSocket in components', () => {
  it('20 components share 1 connection; 100 mount/unmount cycles keep it and return listener counts to baseline; unmounting all disconnects after the grace period', async () => {
    server = await createTestServer()
    const shown = ref(true)
    const seen: number[] = []
    const { registry } = mountApp(() => h(Crowd, { count: 20, shown: shown.value, onEvent: (i: number) => seen.push(i) }), { url: server.url, graceMs: 300 }, cleanups)
    const client = registry.peek()!
    await waitFor(() => client.getState().status === 'connected', 'connected')
    await sleep(50)
    expect(server.connectionCount()).toBe(1)
    expect(server.handshakes()).toBe(1)
    const baseline = client.getDiagnostics()
    expect(baseline.handlers).toEqual({ ping: 20 })
    expect(registry.getDiagnostics().clients).toEqual([expect.objectContaining({ refs: 20 })])

    for (let cycle = 0; cycle < 100; cycle++) {
      shown.value = false
      await nextTick()
      expect(client.getDiagnostics().handlers).toEqual({})
      shown.value = true
      await nextTick()
    }
    const after = client.getDiagnostics()
    expect(after.handlers).toEqual(baseline.handlers)
    expect(after.socketListeners).toEqual(baseline.socketListeners)
    expect(registry.getDiagnostics().clients).toEqual([expect.objectContaining({ refs: 20, status: 'connected' })])
    expect(server.connectionCount()).toBe(1)
    expect(server.handshakes()).toBe(1)
    server.io.emit('ping', 1)
    await waitFor(() => seen.length === 20, 'each member handles the ping')
    await sleep(50)
    expect([...seen].sort((a, b) => a - b)).toEqual([...Array(20).keys()])

    shown.value = false
    await nextTick()
    expect(registry.getDiagnostics().pendingReleases).toBe(1)
    await sleep(150)
    expect(client.getState().status).toBe('connected') // within the grace period
    await waitFor(() => client.getState().status === 'disconnected', 'disconnected after grace', 2000)
    await waitFor(() => server!.connectionCount() === 0, 'server sees it go')
  })

  it('50 cycles of creating, mounting and unmounting a whole app: each event handled exactly once while mounted, 0 connections at the end', async () => {
    server = await createTestServer()
    for (let cycle = 0; cycle < 50; cycle++) {
      const seen: Array<[number, number]> = []
      const { registry, unmount } = mountApp(() => h(Crowd, { count: 3, onEvent: (i: number, n: number) => seen.push([i, n]) }), { url: server.url }, cleanups)
      const client = registry.peek()!
      await waitFor(() => client.getState().status === 'connected', `cycle ${cycle}: connected`)
      await waitFor(() => server!.connectionCount() === 1, `cycle ${cycle}: one server connection`)
      server.io.emit('ping', cycle)
      await waitFor(() => seen.length === 3, `cycle ${cycle}: delivered`)
      await sleep(5)
      expect(seen.sort()).toEqual([[0, cycle], [1, cycle], [2, cycle]])
      unmount()
      expect(client.getState().status).toBe('disconnected')
      expect(registry.getDiagnostics()).toMatchObject({ clients: [], managers: 0, windowListeners: 0 })
    }
    await waitFor(() => server!.connectionCount() === 0, '0 connections at the end')
  })

  it('on() handlers registered in a component are removed on unmount (counted)', async () => {
    server = await createTestServer()
    const Child = defineComponent({
      setup() {
        const { on } = useSocket()
        on('a', () => {})
        on('a', () => {})
        const off = on('b', () => {})
        off()
        on('c', () => {})
        return () => h('i')
      },
    })
    const shown = ref(true)
    const { registry } = mountApp(() => (shown.value ? h(Child) : h('span')), { url: server.url, graceMs: 10_000 }, cleanups)
    const client = registry.peek()!
    await waitFor(() => client.getState().status === 'connected', 'connected')
    expect(client.getDiagnostics().handlers).toEqual({ a: 2, c: 1 })
    expect(client.getDiagnostics().socketListeners).toMatchObject({ a: 1, c: 1 })
    shown.value = false
    await nextTick()
    expect(client.getDiagnostics().handlers).toEqual({})
    expect(client.socket!.listeners('a')).toHaveLength(0)
    expect(client.socket!.listeners('c')).toHaveLength(0)
  })

  it('nothing connects in setup(): the first connect happens after mount', async () => {
    server = await createTestServer()
    const order: string[] = []
    const Comp = defineComponent({
      setup() {
        const { client } = useSocket()
        order.push(`setup:${client.getState().status}`)
        client.subscribe((s) => order.push(`state:${s.status}`))
        return () => h('i')
      },
      beforeMount() {
        order.push(`beforeMount:handshakes=${server!.handshakes()}`)
      },
    })
    const { el } = mountApp(Comp, { url: server.url }, cleanups)
    order.push(`after mount(): in DOM=${el.isConnected}`)
    await waitFor(() => order.includes('state:connected'), 'connected')
    expect(order).toEqual(['setup:idle', 'beforeMount:handshakes=0', 'state:connecting', 'after mount(): in DOM=true', 'state:connected'])
  })

  it('autoConnect: false leaves the connection to the app', async () => {
    server = await createTestServer()
    let api: ReturnType<typeof useSocket> | null = null
    mountApp(defineComponent({ setup: () => ((api = useSocket()), () => h('i')) }), { url: server.url, autoConnect: false }, cleanups)
    await sleep(100)
    expect(api!.status.value).toBe('idle')
    expect(server.handshakes()).toBe(0)
    api!.connect()
    await waitFor(() => api!.isConnected.value, 'connected')
  })
})

describe('useSocketEvent', () => {
  it('holds the initial value, then the last payload; the handler sees every event', async () => {
    server = await createTestServer()
    const all: string[] = []
    let last: ReturnType<typeof useSocketEvent<{ news: (text: string) => void }>> | null = null
    const { el } = mountApp(
      defineComponent({
        setup() {
          last = useSocketEvent<{ news: (text: string) => void }>('news', (text) => all.push(text), { initial: 'none yet' })
          return () => h('p', String(last!.value))
        },
      }),
      { url: server.url },
      cleanups,
    )
    expect(el.textContent).toBe('none yet')
    await waitFor(() => server!.connectionCount() === 1, 'connected')
    server.io.emit('news', 'one')
    server.io.emit('news', 'two')
    await waitFor(() => all.length === 2, 'two events')
    await nextTick()
    expect(last!.value).toBe('two')
    expect(el.textContent).toBe('two')
  })
})

describe('without the plugin', () => {
  it('useSocket() throws an error that names createSocketPlugin and shows the line to add', () => {
    const errors: unknown[] = []
    const app = createApp(
      defineComponent({
        setup() {
          try {
            useSocket()
          } catch (error) {
            errors.push(error)
          }
          return () => h('i')
        },
      }),
    )
    app.mount(document.createElement('div'))
    app.unmount()
    expect(errors).toHaveLength(1)
    const message = (errors[0] as Error).message
    expect(message).toMatch(/createSocketPlugin/)
    expect(message).toContain("app.use(createSocketPlugin({ url: 'https://your-socket-server' }))")
  })

  it('useSocket() outside setup throws the same error', () => {
    expect(() => useSocket()).toThrow(/app\.use\(createSocketPlugin/)
  })
})

describe('outside components', () => {
  it('in an effect scope inside app.runWithContext it connects at once and releases on scope stop', async () => {
    server = await createTestServer()
    const app = createApp({ render: () => null })
    app.use(createSocketPlugin({ url: server.url, graceMs: 0 }))
    const scope = effectScope()
    const api = app.runWithContext(() => scope.run(() => useSocket()))!
    await waitFor(() => api.isConnected.value, 'connected')
    scope.stop()
    expect(getSocketRegistry(app).getDiagnostics().clients).toEqual([])
    await waitFor(() => server!.connectionCount() === 0, 'released')
    getSocketRegistry(app).dispose() // never mounted, so unmount() would not dispose it
  })
})

describe('Vue 3.4 (no app.onUnmount)', () => {
  it('the registry still ends with the app: app.unmount is wrapped when app.onUnmount is missing', async () => {
    server = await createTestServer()
    const app = createApp(defineComponent({ setup: () => (useSocket(), () => h('i')) }))
    // What a Vue 3.4 app lacks (app.onUnmount came with 3.5): before the fallback, install threw "app.onUnmount is not a function".
    ;(app as unknown as { onUnmount?: unknown }).onUnmount = undefined
    app.use(createSocketPlugin({ url: server.url }))
    const registry = getSocketRegistry(app)
    const el = document.createElement('div')
    app.mount(el)
    await waitFor(() => server!.connectionCount() === 1, 'connected')
    app.unmount()
    expect(() => registry.acquire()).toThrow(/disposed registry/)
    await waitFor(() => server!.connectionCount() === 0, 'the connection closed with the app')
  })
})
