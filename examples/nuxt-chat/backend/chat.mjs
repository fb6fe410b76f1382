// The chat backend: sessions by cookie, an Origin allowlist, rooms with history, presence, typing, limits.
import { createServer } from 'node:http'
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { parse as parseCookie, serialize as serializeCookie } from 'cookie'
import { Server } from 'socket.io'

export const ROOMS = ['general', 'random', 'help']
export const LIMITS = { nameLength: 24, messageLength: 500, historySize: 50, messagesPerWindow: 5, windowMs: 5000 }
const COOKIE = 'chat_session'

function json(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers })
  res.end(JSON.stringify(body))
}

function readBody(req, max = 4096) {
  return new Promise((resolve, reject) => {
    let size = 0
    const chunks = []
    req.on('data', (chunk) => {
      size += chunk.length
      if (size > max) {
        reject(Object.assign(new Error('body too large'), { status: 413 }))
        req.destroy()
      } else chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/**
 * Creates the backend (not listening yet). `allowedOrigins`: the pages allowed to open a socket (the Nuxt
 * app's origins); any other Origin is refused, the Cross-Site WebSocket Hijacking defence.
 */
export function createChatBackend({ allowedOrigins, secret = randomBytes(32).toString('hex') }) {
  // Stateless sessions: the cookie is the name and its HMAC, so a restarted backend (same secret) still
  // knows everyone, as a real deployment with a shared secret would.
  const mac = (value) => createHmac('sha256', secret).update(value).digest('base64url')
  const issue = (name) => {
    const value = Buffer.from(name, 'utf8').toString('base64url')
    return `${value}.${mac(value)}`
  }
  const sessionOf = (cookieHeader) => {
    const [value, signature] = String(parseCookie(cookieHeader ?? '')[COOKIE] ?? '').split('.')
    if (!value || !signature) return null
    const expected = Buffer.from(mac(value))
    const given = Buffer.from(signature)
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null
    return { name: Buffer.from(value, 'base64url').toString('utf8') }
  }
  const history = new Map(ROOMS.map((room) => [room, []]))

  const http = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://backend')
    try {
      if (url.pathname === '/api/session' && req.method === 'POST') {
        const body = JSON.parse((await readBody(req)) || '{}')
        const name = String(body.name ?? '').trim()
        if (!/^[\p{L}\p{N} _.-]+$/u.test(name) || name.length > LIMITS.nameLength) {
          return json(res, 400, { error: `A name is 1 to ${LIMITS.nameLength} letters, digits, spaces, dots, dashes or underscores.` })
        }
        return json(res, 200, { name }, { 'set-cookie': serializeCookie(COOKIE, issue(name), { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 60 * 60 * 24 }) })
      }
      if (url.pathname === '/api/session' && req.method === 'GET') {
        const session = sessionOf(req.headers.cookie)
        return json(res, 200, session ? { name: session.name } : { name: null })
      }
      if (url.pathname === '/api/session' && req.method === 'DELETE') {
        return json(res, 200, { name: null }, { 'set-cookie': serializeCookie(COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 0 }) })
      }
      if (url.pathname === '/api/rooms') return json(res, 200, { rooms: ROOMS })
      if (url.pathname.startsWith('/api/')) return json(res, 404, { error: 'not found' })
    } catch (error) {
      return json(res, error.status ?? 400, { error: error.status ? error.message : 'bad request' })
    }
  })

  const io = new Server(http, {
    cors: { origin: allowedOrigins, credentials: true },
    // Refuse foreign Origins before any session work (browsers always send Origin on WebSocket and CORS requests).
    allowRequest: (req, callback) => callback(null, !req.headers.origin || allowedOrigins.includes(req.headers.origin)),
  })

  io.use((socket, next) => {
    const origin = socket.handshake.headers.origin
    if (!origin || !allowedOrigins.includes(origin)) return next(new Error('forbidden origin'))
    const session = sessionOf(socket.handshake.headers.cookie)
    if (!session) return next(new Error('unauthorized: sign in first'))
    socket.data.name = session.name
    socket.data.sent = []
    next()
  })

  /** A room from the list, else null: event arguments are untrusted, so nothing but a string of the list passes. */
  const roomOf = (value) => (typeof value === 'string' && ROOMS.includes(value) ? value : null)

  /**
   * Every handler runs through this: a bad event gets an error ack (when it sent one) and is logged, and never
   * reaches socket.io's tick as an exception, which would end the process and its in-memory history.
   */
  const guarded = (socket, event, handler) =>
    socket.on(event, (...args) => {
      try {
        handler(...args)
      } catch (error) {
        console.error(`[chat backend] ${event} from ${socket.id} failed: ${error instanceof Error ? error.message : typeof error}`)
        const ack = args.at(-1)
        if (typeof ack === 'function') ack({ error: 'That request could not be handled.' })
      }
    })

  const presence = (room) => [...new Set([...(io.sockets.adapter.rooms.get(room) ?? [])].map((id) => io.sockets.sockets.get(id)?.data.name).filter(Boolean))].sort()

  io.on('connection', (socket) => {
    socket.emit('me', { name: socket.data.name })
    guarded(socket, 'join', (value, ack) => {
      if (typeof ack !== 'function') return
      const room = roomOf(value)
      if (!room) return ack({ error: typeof value === 'string' ? `No room "${value.slice(0, 40)}".` : 'A room is one of the names of /api/rooms.' })
      for (const joined of socket.rooms) if (joined !== socket.id) {
        socket.leave(joined)
        io.to(joined).emit('presence', { room: joined, names: presence(joined) })
      }
      socket.join(room)
      io.to(room).emit('presence', { room, names: presence(room) })
      ack({ room, history: history.get(room), names: presence(room) })
    })
    guarded(socket, 'message', (value, text, ack) => {
      if (typeof ack !== 'function') return
      // A room of the list (never the socket's own id, which socket.rooms also holds) that this socket joined.
      const room = roomOf(value)
      if (!room || !socket.rooms.has(room)) return ack({ error: 'Join the room first.' })
      if (typeof text !== 'string') return ack({ error: 'A message is text.' })
      const body = text.trim()
      if (!body) return ack({ error: 'The message is empty.' })
      if (body.length > LIMITS.messageLength) return ack({ error: `A message has at most ${LIMITS.messageLength} characters (this one has ${body.length}).` })
      const now = Date.now()
      socket.data.sent = socket.data.sent.filter((t) => now - t < LIMITS.windowMs)
      if (socket.data.sent.length >= LIMITS.messagesPerWindow) {
        return ack({ error: `Slow down: at most ${LIMITS.messagesPerWindow} messages every ${LIMITS.windowMs / 1000} s.` })
      }
      socket.data.sent.push(now)
      const message = { id: randomUUID(), room, name: socket.data.name, text: body, at: now }
      const list = history.get(room)
      list.push(message)
      if (list.length > LIMITS.historySize) list.splice(0, list.length - LIMITS.historySize)
      io.to(room).emit('message', message)
      ack({ ok: true, id: message.id })
    })
    guarded(socket, 'typing', (value) => {
      const room = roomOf(value)
      if (room && socket.rooms.has(room)) socket.to(room).emit('typing', { room, name: socket.data.name })
    })
    socket.on('disconnecting', () => {
      for (const room of socket.rooms) if (room !== socket.id) setImmediate(() => io.to(room).emit('presence', { room, names: presence(room) }))
    })
  })

  return {
    http,
    io,
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        http.once('error', reject)
        http.listen(port, host, () => resolve(http.address().port))
      }),
    close: () =>
      new Promise((resolve) => {
        io.close(() => resolve())
        http.closeAllConnections()
      }),
  }
}
