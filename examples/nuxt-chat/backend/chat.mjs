// The chat backend: sessions by cookie, an Origin allowlist, rooms with history, presence, typing, limits.
import { createServer } from 'node:http'
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { parse as parseCookie, serialize as serializeCookie } from 'cookie'
import { Server } from 'socket.io'

export const ROOMS = ['general', 'random', 'help']
export const LIMITS = {
  nameLength: 24,
  messageLength: 500,
  historySize: 50,
  windowMs: 5000,
  /** Per user (all of that user's sockets together), per window. */
  messagesPerWindow: 5,
  joinsPerWindow: 10,
  typingPerWindow: 10,
  /** Sockets one user may hold open at once (tabs, devices). */
  socketsPerUser: 10,
  /**
   * Packets waiting for one connection that does not read them (engine.io's write buffer, which fills once the
   * kernel's buffers are full). Past this, the connection is dropped: a slow reader cannot grow the server.
   */
  pendingPacketsPerConnection: 1000,
}
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
      // Over the limit: answer 413 (the handler closes the connection after the answer), keep nothing more.
      if (size > max) reject(Object.assign(new Error('body too large'), { status: 413 }))
      else chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/**
 * Creates the backend (not listening yet). `allowedOrigins`: the pages allowed to open a socket (the Nuxt
 * app's origins); any other Origin is refused, the Cross-Site WebSocket Hijacking defence.
 */
export function createChatBackend({ allowedOrigins, secret = randomBytes(32).toString('hex'), sessionTtlMs = 24 * 60 * 60 * 1000 }) {
  // Signed sessions: the cookie carries the name, a session id and an expiry, with their HMAC, so a restarted
  // backend (same secret) still knows everyone, as a real deployment with a shared secret would. Signing out
  // revokes the session id on the server until it would have expired anyway.
  const mac = (value) => createHmac('sha256', secret).update(value).digest('base64url')
  const revoked = new Map() // session id -> expiry (ms), pruned as they pass
  const issue = (name) => {
    const sid = randomBytes(16).toString('base64url')
    const value = `${Buffer.from(name, 'utf8').toString('base64url')}.${sid}.${Date.now() + sessionTtlMs}`
    return { sid, cookie: `${value}.${mac(value)}` }
  }
  const sessionOf = (cookieHeader) => {
    const parts = String(parseCookie(cookieHeader ?? '')[COOKIE] ?? '').split('.')
    if (parts.length !== 4) return null
    const [name, sid, exp, signature] = parts
    const expected = Buffer.from(mac(`${name}.${sid}.${exp}`))
    const given = Buffer.from(signature)
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null
    const expiresAt = Number(exp)
    if (!(expiresAt > Date.now()) || revoked.has(sid)) return null
    return { name: Buffer.from(name, 'base64url').toString('utf8'), sid, expiresAt }
  }
  const revoke = (session) => {
    const now = Date.now()
    for (const [sid, until] of revoked) if (until <= now) revoked.delete(sid)
    revoked.set(session.sid, session.expiresAt)
  }
  /** The sockets of a name that belong to another session than `sid`: that name is taken. */
  const takenByAnother = (name, sid) => [...io.sockets.sockets.values()].some((s) => s.data.name === name && s.data.sid !== sid)
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
        // A name online under another session is taken (signing in again in one's own session is fine).
        if (takenByAnother(name, sessionOf(req.headers.cookie)?.sid)) return json(res, 409, { error: `"${name}" is online in another session: choose another name.` })
        const { cookie } = issue(name)
        return json(res, 200, { name }, { 'set-cookie': serializeCookie(COOKIE, cookie, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: Math.floor(sessionTtlMs / 1000) }) })
      }
      if (url.pathname === '/api/session' && req.method === 'GET') {
        const session = sessionOf(req.headers.cookie)
        return json(res, 200, session ? { name: session.name } : { name: null })
      }
      if (url.pathname === '/api/session' && req.method === 'DELETE') {
        // Signing out ends the session on the server too: the cookie stops working and its sockets are closed.
        const session = sessionOf(req.headers.cookie)
        if (session) {
          revoke(session)
          for (const s of io.sockets.sockets.values()) if (s.data.sid === session.sid) s.disconnect(true)
        }
        return json(res, 200, { name: null }, { 'set-cookie': serializeCookie(COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 0 }) })
      }
      if (url.pathname === '/api/rooms') return json(res, 200, { rooms: ROOMS })
      // socket.io answers its own path before this handler; everything else is unknown here.
      return json(res, 404, { error: 'not found' })
    } catch (error) {
      if (error.status === 413) {
        // The rest of the body is not read: answer, then close the connection (it would carry the rest).
        res.once('finish', () => req.destroy())
        return json(res, 413, { error: error.message }, { connection: 'close' })
      }
      return json(res, error.status ?? 400, { error: error.status ? error.message : 'bad request' })
    }
  })

  const io = new Server(http, {
    cors: { origin: allowedOrigins, credentials: true },
    // Refuse foreign Origins before any session work (browsers always send Origin on WebSocket and CORS requests).
    allowRequest: (req, callback) => callback(null, !req.headers.origin || allowedOrigins.includes(req.headers.origin)),
  })

  // A client that sends but never reads (a slow reader, or an attack) would make the server keep all it writes to
  // it: the connection is dropped at once (no close handshake, nothing more queued) past the pending limit.
  io.engine.on('connection', (conn) => {
    conn.on('packetCreate', () => {
      if (conn.readyState !== 'open' || conn.writeBuffer.length < LIMITS.pendingPacketsPerConnection) return
      console.warn(`[chat backend] dropped a connection that does not read (${conn.writeBuffer.length} packets waiting)`)
      conn.transport.socket?.terminate?.() // WebSocket: the TCP connection goes now
      conn.close(true) // discard what waits
    })
  })

  io.use((socket, next) => {
    const origin = socket.handshake.headers.origin
    if (!origin || !allowedOrigins.includes(origin)) return next(new Error('forbidden origin'))
    const session = sessionOf(socket.handshake.headers.cookie)
    if (!session) return next(new Error('unauthorized: sign in first'))
    const user = userOf(session.name)
    if (user.sockets >= LIMITS.socketsPerUser) return next(new Error(`too many connections: at most ${LIMITS.socketsPerUser} per user`))
    user.sockets++
    socket.data.name = session.name
    socket.data.sid = session.sid
    // The user stays known after its last socket leaves (see userOf), so that reconnecting does not reset the limits.
    socket.once('disconnect', () => user.sockets--)
    next()
  })

  /** Per user, across all of that user's sockets: the sockets open and the recent actions, for the limits. */
  const users = new Map()
  const userOf = (name) => {
    let user = users.get(name)
    if (!user) {
      // Users with no socket and no action in the window are forgotten here, when a new one comes: no timer to clear.
      const now = Date.now()
      for (const [other, u] of users) {
        if (u.sockets === 0 && [u.messages, u.joins, u.typing].every((list) => !list.length || now - list.at(-1) >= LIMITS.windowMs)) users.delete(other)
      }
      users.set(name, (user = { sockets: 0, messages: [], joins: [], typing: [] }))
    }
    return user
  }
  /** Records an action in a per-user window; false when the window is full (the action is refused). */
  const allow = (list, max) => {
    const now = Date.now()
    while (list.length && now - list[0] >= LIMITS.windowMs) list.shift()
    if (list.length >= max) return false
    list.push(now)
    return true
  }

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
      if (!allow(userOf(socket.data.name).joins, LIMITS.joinsPerWindow)) {
        return ack({ error: `Slow down: at most ${LIMITS.joinsPerWindow} room changes every ${LIMITS.windowMs / 1000} s.` })
      }
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
      if (!allow(userOf(socket.data.name).messages, LIMITS.messagesPerWindow)) {
        return ack({ error: `Slow down: at most ${LIMITS.messagesPerWindow} messages every ${LIMITS.windowMs / 1000} s.` })
      }
      const now = Date.now()
      const message = { id: randomUUID(), room, name: socket.data.name, text: body, at: now }
      const list = history.get(room)
      list.push(message)
      if (list.length > LIMITS.historySize) list.splice(0, list.length - LIMITS.historySize)
      io.to(room).emit('message', message)
      ack({ ok: true, id: message.id })
    })
    guarded(socket, 'typing', (value) => {
      const room = roomOf(value)
      // Relayed at most typingPerWindow times per user and window; the rest are dropped quietly (no ack to answer).
      if (room && socket.rooms.has(room) && allow(userOf(socket.data.name).typing, LIMITS.typingPerWindow)) {
        socket.to(room).emit('typing', { room, name: socket.data.name })
      }
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
