// 6. Leaks: 10,000 mount/unmount cycles of a component using useSocket: listener-count and heap deltas.
import { GlobalRegistrator } from '@happy-dom/global-registrator'
import { heap, startServer, until } from './util.mjs'

export async function measureLeaks(cycles = 10_000) {
  const server = await startServer()
  GlobalRegistrator.register({ url: 'http://localhost:3000/' })
  try {
    const { createApp, defineComponent, h, nextTick, ref } = await import('vue')
    const { createSocketPlugin, getSocketRegistry, useSocket } = await import('../packages/vue/dist/index.js')
    const Child = defineComponent({
      setup() {
        const { status, on } = useSocket()
        on('tick', () => {})
        return () => h('i', status.value)
      },
    })
    const shown = ref(true)
    const app = createApp({ render: () => (shown.value ? h(Child) : null) })
    app.use(createSocketPlugin({ url: server.url, socketOptions: { transports: ['websocket'] } }))
    const el = document.createElement('div')
    document.body.appendChild(el)
    app.mount(el)
    const registry = getSocketRegistry(app)
    const client = registry.peek()
    await until(() => client.getState().status === 'connected', 'connected')
    const snapshot = () => {
      const d = client.getDiagnostics()
      return {
        handlers: Object.values(d.handlers).reduce((a, b) => a + b, 0),
        socketListeners: Object.values(d.socketListeners).reduce((a, b) => a + b, 0),
        windowListeners: registry.getDiagnostics().windowListeners,
        refs: registry.getDiagnostics().clients[0]?.refs ?? 0,
      }
    }
    // Warm-up, then the baseline.
    for (let i = 0; i < 200; i++) {
      shown.value = false
      await nextTick()
      shown.value = true
      await nextTick()
    }
    const before = { ...snapshot(), heap: heap() }
    for (let i = 0; i < cycles; i++) {
      shown.value = false
      await nextTick()
      shown.value = true
      await nextTick()
    }
    const after = { ...snapshot(), heap: heap() }
    app.unmount()
    return {
      name: `${cycles.toLocaleString('en')} mount/unmount cycles of a component using useSocket`,
      unit: 'delta',
      value: { handlers: after.handlers - before.handlers, socketListeners: after.socketListeners - before.socketListeners, windowListeners: after.windowListeners - before.windowListeners, refs: after.refs - before.refs, heapBytes: after.heap - before.heap },
      baseline: before,
      note: 'listener counts must not move; heap delta after forced GC (noise of a few hundred kB is normal)',
    }
  } finally {
    await GlobalRegistrator.unregister()
    await server.stop()
  }
}
