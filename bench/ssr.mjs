// 2. SSR: renderToString throughput of a page with 50 components using useSocket vs the same page with plain refs.
import { createSSRApp, defineComponent, h, shallowRef, computed } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { createSocketPlugin, useSocket } from '../packages/vue/dist/index.js'
import { median, quantile } from './util.mjs'

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

/** CPU time (user + system, µs) of `count` renders of fresh apps from `make`. */
async function cpuOf(make, count) {
  const before = process.cpuUsage()
  for (let i = 0; i < count; i++) await renderToString(make())
  const used = process.cpuUsage(before)
  return used.user + used.system
}

/**
 * Many short samples, interleaved (plain, ours, ours, plain, ...) so that both pages see the same machine state;
 * CPU time, not wall time, so that a neighbour process does not count. The ratio is plain CPU / ours CPU per page
 * (>= 1.0: a useSocket page costs no more than the same page with plain refs), with the p25-p75 interval of the
 * per-pair ratios.
 */
export async function measureSsr(samples = 40, pagesPerSample = 50) {
  const withSocket = () => {
    const app = createSSRApp(page(WithSocket))
    app.use(createSocketPlugin({ url: 'http://127.0.0.1:1', isServer: true }))
    return app
  }
  const plain = () => createSSRApp(page(Plain))
  await cpuOf(plain, 100) // warm-up: JIT both paths
  await cpuOf(withSocket, 100)
  const ours = []
  const base = []
  const pairs = []
  for (let i = 0; i < samples; i++) {
    const first = i % 2 === 0
    const b1 = first ? await cpuOf(plain, pagesPerSample) : 0
    const a = await cpuOf(withSocket, pagesPerSample)
    const b = first ? b1 : await cpuOf(plain, pagesPerSample)
    ours.push(a)
    base.push(b)
    pairs.push(b / a)
  }
  const perSecond = (us) => (pagesPerSample * 1e6) / us
  const value = perSecond(median(ours))
  const baseline = perSecond(median(base))
  return {
    name: 'SSR renderToString, page of 50 components',
    unit: 'pages/s (CPU)',
    value,
    baseline,
    ratio: value / baseline,
    interval: [quantile(pairs, 0.25), quantile(pairs, 0.75)],
    note: `ratio = useSocket page / plain-refs page in CPU time per page (1.0 = no cost); ${samples} interleaved samples of ${pagesPerSample} pages, interval p25-p75 of the pairs`,
  }
}
