// The board's socket server, inside Nitro. The board is the app's shared state (every visitor sees the same one), kept
// in this process and bounded; who is on it comes from the live connections. Everything a client sends is checked
// (type, length, allowlisted characters); a bad event gets an error answer, never a crash.
import type { Note } from '../../shared/events'

const NAME = /^[\p{L}\p{N} _.-]{1,24}$/u
const MAX_NOTES = 50
const notes: Note[] = []
let nextId = 1

export default defineSocketHandler((board) => {
  const presence = (): void => {
    const names = board.peers().flatMap((p) => (p.rooms.has('board') ? [(p.data as { name: string }).name] : []))
    board.to('board').emit('presence', [...new Set(names)].sort())
  }

  board.on('enter', (peer, name, ack) => {
    if (typeof ack !== 'function') return
    if (typeof name !== 'string' || !NAME.test(name.trim())) return ack({ error: 'A name is 1 to 24 letters, digits, spaces, dots, dashes or underscores.' })
    peer.data = { name: name.trim() }
    peer.join('board')
    ack({ notes: notes.slice() })
    presence()
  })

  board.on('post', (peer, text, ack) => {
    if (typeof ack !== 'function') return
    const author = (peer.data as { name?: string } | null)?.name
    if (!author || !peer.rooms.has('board')) return ack({ error: 'Enter the board first.' })
    if (typeof text !== 'string' || text.trim().length === 0 || text.length > 280) return ack({ error: 'A note is 1 to 280 characters.' })
    const note: Note = { id: nextId++, author, text: text.trim(), at: Date.now() }
    notes.push(note)
    if (notes.length > MAX_NOTES) notes.shift()
    board.to('board').emit('note', note)
    ack({ ok: true })
  })
  // Whoever leaves (a closed tab, a lost network), the others see it; and whoever comes back with their session
  // (recovery: the same name and room, the notes posted meanwhile replayed to them).
  board.onDisconnect(() => presence())
  board.onConnection((peer) => void (peer.recovered && presence()))
}, { recovery: true })
