// The board's socket server, inside Nitro. The board is the app's shared state (every visitor sees the same one),
// bounded; who is on it comes from the live connections. Everything a client sends is checked (type, length,
// allowlisted characters); a bad event gets an error answer, never a crash.
// One process keeps the notes in memory. With REDIS_URL (`npm run demo:nitro -- --cluster`: several processes behind
// HAProxy), the notes live in Redis and the socket server uses the Redis adapter: rooms, presence and recovery span
// every process, and a client whose process dies recovers on another one.
import { Redis } from 'ioredis'
import { createRedisAdapter } from '@ssr-socket/server/redis'
import type { Note } from '../../shared/events'

const NAME = /^[\p{L}\p{N} _.-]{1,24}$/u
const MAX_NOTES = 50

/** Where the notes are: this process, or Redis (a list, newest first, and a counter for ids). */
interface Notes {
  list(): Promise<Note[]>
  add(author: string, text: string): Promise<Note>
}

function memoryNotes(): Notes {
  const notes: Note[] = []
  let nextId = 1
  return {
    list: async () => notes.slice(),
    async add(author, text) {
      const note: Note = { id: nextId++, author, text, at: Date.now() }
      notes.push(note)
      if (notes.length > MAX_NOTES) notes.shift()
      return note
    },
  }
}

function redisNotes(redis: Redis): Notes {
  return {
    list: async () => (await redis.lrange('board:notes', 0, MAX_NOTES - 1)).map((json) => JSON.parse(json) as Note).reverse(),
    async add(author, text) {
      const note: Note = { id: await redis.incr('board:next-id'), author, text, at: Date.now() }
      await redis.multi().lpush('board:notes', JSON.stringify(note)).ltrim('board:notes', 0, MAX_NOTES - 1).exec()
      return note
    },
  }
}

const url = process.env.REDIS_URL
const redis = url ? new Redis(url) : null
// ioredis asks for an error listener (without one, a Redis restart would take the process down); it reconnects.
redis?.on('error', (error) => console.error('[board] redis:', error.message))
const notes = redis ? redisNotes(redis) : memoryNotes()

export default defineSocketHandler(
  (board) => {
    // Everyone on the board, from every process (fetchPeers asks them all).
    const presence = async (): Promise<void> => {
      const peers = await board.fetchPeers('board')
      board.to('board').emit('presence', [...new Set(peers.map((p) => (p.data as { name: string }).name))].sort())
    }
    const failed = (error: unknown): void => console.error('[board] presence:', error)

    board.on('enter', async (peer, name, ack) => {
      if (typeof ack !== 'function') return
      if (typeof name !== 'string' || !NAME.test(name.trim())) return ack({ error: 'A name is 1 to 24 letters, digits, spaces, dots, dashes or underscores.' })
      peer.data = { name: name.trim() }
      peer.join('board')
      const list = await notes.list()
      await presence() // (before the ack: whoever entered sees themselves here when it arrives)
      ack({ notes: list })
    })

    board.on('post', async (peer, text, ack) => {
      if (typeof ack !== 'function') return
      const author = (peer.data as { name?: string } | null)?.name
      if (!author || !peer.rooms.has('board')) return ack({ error: 'Enter the board first.' })
      if (typeof text !== 'string' || text.trim().length === 0 || text.length > 280) return ack({ error: 'A note is 1 to 280 characters.' })
      board.to('board').emit('note', await notes.add(author, text.trim()))
      ack({ ok: true })
    })
    // Whoever leaves (a closed tab, a lost network), the others see it; and whoever comes back with their session
    // (recovery: the same name and room, the notes posted meanwhile replayed to them).
    board.onDisconnect(() => void presence().catch(failed))
    board.onConnection((peer) => void (peer.recovered && presence().catch(failed)))
  },
  { recovery: true, adapter: redis ? createRedisAdapter(redis) : undefined },
)
