// 2. SSR: renderToString throughput of a page with 50 components using useSocket vs the same page with plain refs.
import { createSSRApp, defineComponent, h, shallowRef, computed } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { createSocketPlugin, useSocket } from '../packages/vue/dist/index.js'

const WithSocket = defineComponent({
  setup() {
    const { status, isConnected, attempt } = useSocket()
    return () => h('li', [status.value, ' ', String(isConnected.value), ' ', String(attempt.value)])
  },
})
const Plain = defineComponent({
  setup() {
    const state = shallowRef({ status: 'idle', attempt: 0 })
    const status = computed(() => state.value.status)
    const isConnected = computed(() => state.value.status === 'connected')
    const attempt = computed(() => state.value.attempt)
    return () => h('li', [status.value, ' ', String(isConnected.value), ' ', String(attempt.value)])
  },
})
const page = (Child) => defineComponent({ setup: () => () => h('ul', Array.from({ length: 50 }, (_, i) => h(Child, { key: i }))) })

async function throughput(make, rounds) {
  for (let i = 0; i < 50; i++) await renderToString(make()) // warm-up
  const started = performance.now()
  for (let i = 0; i < rounds; i++) await renderToString(make())
  return rounds / ((performance.now() - started) / 1000)
}

export async function measureSsr(rounds = 1500) {
  const withSocket = () => {
    const app = createSSRApp(page(WithSocket))
    app.use(createSocketPlugin({ url: 'http://127.0.0.1:1', isServer: true }))
    return app
  }
  const plain = () => createSSRApp(page(Plain))
  // Interleave to share the machine's state fairly; best of 3 each.
  const a = []
  const b = []
  for (let i = 0; i < 3; i++) {
    b.push(await throughput(plain, rounds))
    a.push(await throughput(withSocket, rounds))
  }
  const ours = Math.max(...a)
  const baseline = Math.max(...b)
  return { name: 'SSR renderToString, page of 50 components', unit: 'pages/s', value: ours, baseline, ratio: ours / baseline, note: 'ratio = useSocket page / plain-refs page (1.0 = no cost)' }
}
