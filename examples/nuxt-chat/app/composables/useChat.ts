import type { ChatMessage, ClientEvents, ServerEvents } from '../types'

/** One room: history on join (again after every reconnect that lost it), live messages, presence, typing. */
export function useChat(room: Ref<string>, signedIn: () => boolean) {
  // Connects (after hydration) once signed in, and only then: an anonymous visitor opens no socket.
  const { status, on, emitWithAck, emit } = useSocket<ServerEvents, ClientEvents>({ enabled: signedIn, autoConnect: true })
  const messages = ref<ChatMessage[]>([])
  const names = ref<string[]>([])
  const typing = ref<Record<string, number>>({})
  const joinError = ref<string | null>(null)
  let namesAt = 0
  // Another room: its messages and names come with its join; nothing of the old one is shown meanwhile.
  watch(room, () => {
    messages.value = []
    names.value = []
    namesAt = 0
  })

  // The room, as a subscription: joined when the connection opens, again after every reconnect the server did not
  // recover (a backend restart, a node of the cluster gone: socket.io forgot the room), left and joined again when
  // the route changes, left when the page goes. Each join's answer brings the history.
  useSocketSubscription<ClientEvents, 'join'>('join', () => [room.value], {
    unsubscribe: 'leave',
    // A refused join (the store unreachable, too many room changes) is tried again: 1 s, 2 s, 4 s …
    failed: (result) => result.error !== undefined,
    onAck(result) {
      if (result.error !== undefined) {
        joinError.value = result.error
        return
      }
      joinError.value = null
      if (result.room !== room.value) return // an answer for the room just left
      // The history, plus what arrived live that it does not hold yet (stored just after it was read, which can
      // happen through another node): a message of this room newer than the oldest of the history and not in it.
      const known = new Set(result.history.map((m) => m.id))
      const since = result.history[0]?.at ?? 0
      const extra = messages.value.filter((m) => m.room === result.room && !known.has(m.id) && m.at >= since)
      messages.value = [...result.history, ...extra]
      if (result.at >= namesAt) [names.value, namesAt] = [result.names, result.at]
    },
    onError: (error) => (joinError.value = error.message),
  })

  on('message', (message) => {
    // A message can come both in a refetched history and live (stored before the refetch, broadcast after the
    // join): shown once, by id.
    if (message.room !== room.value) return
    if (!messages.value.some((m) => m.id === message.id)) messages.value = [...messages.value, message]
    delete typing.value[message.name]
  })
  on('presence', (presence) => {
    if (presence.room === room.value && presence.at >= namesAt) [names.value, namesAt] = [presence.names, presence.at]
  })
  on('typing', ({ room: where, name }) => {
    if (where === room.value) typing.value = { ...typing.value, [name]: Date.now() }
  })

  const now = ref(Date.now())
  let clock: ReturnType<typeof setInterval> | undefined
  onMounted(() => (clock = setInterval(() => (now.value = Date.now()), 1000)))
  onBeforeUnmount(() => clearInterval(clock))
  const typingNames = computed(() => Object.entries(typing.value).filter(([, at]) => now.value - at < 3000).map(([name]) => name))

  let lastTyping = 0
  function startTyping(): void {
    if (Date.now() - lastTyping < 1500) return
    lastTyping = Date.now()
    emit('typing', room.value)
  }
  async function send(text: string): Promise<string | null> {
    const result = await emitWithAck('message', room.value, text).catch((error: Error) => ({ error: error.message }))
    return result.error ?? null
  }
  return { status, messages, names, typingNames, joinError, send, startTyping }
}
