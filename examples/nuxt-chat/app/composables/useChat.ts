import type { ChatMessage, ClientEvents, ServerEvents } from '../types'

/** One room: history on join (again after every reconnect), live messages, presence, typing. */
export function useChat(room: Ref<string>) {
  const { status, on, onResync, emitWithAck, emit } = useSocket<ServerEvents, ClientEvents>()
  const messages = ref<ChatMessage[]>([])
  const names = ref<string[]>([])
  const typing = ref<Record<string, number>>({})
  const joinError = ref<string | null>(null)
  let namesAt = 0

  /** Live messages that arrive while a join waits for its answer: the history it brings may not hold them yet. */
  let arriving: ChatMessage[] | null = null

  async function join(): Promise<void> {
    const joining = room.value
    arriving = []
    const result = await emitWithAck('join', joining).catch((error: Error) => ({ error: error.message }))
    const arrived = arriving
    arriving = null
    if (result.error !== undefined) {
      joinError.value = result.error
      return
    }
    joinError.value = null
    if (room.value !== joining) return // the room changed meanwhile: that join brings its own history
    const known = new Set(result.history.map((m) => m.id))
    messages.value = [...result.history, ...arrived.filter((m) => !known.has(m.id))]
    if (result.at >= namesAt) [names.value, namesAt] = [result.names, result.at]
  }
  // Join on the first connection and when the room changes. A reconnect that the server recovered (connection
  // state recovery: same session, rooms kept, missed messages delivered) needs nothing; one it did not recover
  // (a backend restart, a node of the cluster gone) lost the room on the server: join again, which also brings
  // the history that was missed.
  let joinedOnce = false
  watch([status, room], ([now], [, previousRoom]) => {
    if (now === 'connected' && (!joinedOnce || room.value !== previousRoom)) {
      joinedOnce = true
      void join()
    }
  })
  onResync(() => void join())

  on('message', (message) => {
    // A message can come both in a refetched history and live (stored before the refetch, broadcast after the
    // join): shown once, by id.
    if (message.room !== room.value) return
    arriving?.push(message)
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
