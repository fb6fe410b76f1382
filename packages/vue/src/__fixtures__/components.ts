// Components for the package's own tests, written as render functions (no SFC compiler needed).
import { defineComponent, h, type PropType } from 'vue'
import { useSocket } from '../useSocket'
import { useSocketEvent } from '../useSocketEvent'

/** Renders status, isConnected, error and attempt: what must not mismatch at hydration. */
export const StatusBadge = defineComponent({
  name: 'StatusBadge',
  setup() {
    const { status, isConnected, error, attempt } = useSocket()
    return () =>
      h('div', { class: 'badge', 'data-status': status.value }, [
        h('span', { class: 'status' }, status.value),
        h('span', { class: 'connected' }, String(isConnected.value)),
        h('span', { class: 'error' }, error.value?.kind ?? 'none'),
        h('span', { class: 'attempt' }, String(attempt.value)),
      ])
  },
})

/** Renders something the server cannot know: a deliberate hydration mismatch. */
export const Mismatching = defineComponent({
  name: 'Mismatching',
  setup() {
    return () => h('p', typeof window === 'undefined' ? 'server' : 'browser')
  },
})

/** Shows the last `news` payload and the user it was rendered for. */
export const NewsTicker = defineComponent({
  name: 'NewsTicker',
  props: { user: { type: String, required: true } },
  async setup(props) {
    const news = useSocketEvent('news', undefined, { initial: `no news for ${props.user}` })
    const { status, state } = useSocket()
    // Yield so that concurrent SSR renders interleave.
    await new Promise((r) => setTimeout(r, 0))
    return () => h('section', [h('h1', props.user), h('p', { class: 'news' }, String(news.value)), h('pre', status.value), h('code', JSON.stringify(state.value))])
  },
})

/** One member of a crowd: calls useSocket() and registers a handler. */
export const Member = defineComponent({
  name: 'Member',
  props: {
    index: { type: Number, required: true },
    onEvent: { type: Function as PropType<(index: number, payload: number) => void>, required: true },
  },
  setup(props) {
    const { on, status } = useSocket()
    on('ping', (n: number) => props.onEvent(props.index, n))
    return () => h('li', status.value)
  },
})

/** `count` members while `shown`. */
export const Crowd = defineComponent({
  name: 'Crowd',
  props: {
    count: { type: Number, required: true },
    shown: { type: Boolean, default: true },
    onEvent: { type: Function as PropType<(index: number, payload: number) => void>, required: true },
  },
  setup(props) {
    return () => h('ul', props.shown ? Array.from({ length: props.count }, (_, i) => h(Member, { index: i, key: i, onEvent: props.onEvent })) : [])
  },
})
