import type { ChatMessage, ClientEvents, ServerEvents } from '../types'

/** One room: history on join (again after every reconnect), live messages, presence, typing. */
export function useChat(room: Ref<string>) {
  const { status, on, emitWithAck, emit } = useSocket<ServerEvents, ClientEvents>()
  const messages = ref<ChatMessage[]>([])
  const names = ref<string[]>([])
  const typing = ref<Record<string, number>>({})
  const joinError = ref<string | null>(null)

  async function join(): Promise<void> {
    const result = await emitWithAck('join', room.value).catch((error: Error) => ({ error: error.message }))
    if (result.error !== undefined) {
      joinError.value = result.error
      return
    }
    joinError.value = null
    messages.value = result.history
    names.value = result.names
  }
  // Joined rooms do not survive a reconnect on the server: join whenever the connection (re)opens.
  watch([status, room], ([now], [before, previousRoom]) => {
    if (now === 'connected' && (before !== 'connected' || room.value !== previousRoom)) void join()
  })

  on('message', (message) => {
    if (message.room === room.value) messages.value = [...messages.value, message]
    delete typing.value[message.name]
  })
  on('presence', (presence) => {
    if (presence.room === room.value) names.value = presence.names
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
