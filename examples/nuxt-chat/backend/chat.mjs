// The chat backend: sessions by cookie, an Origin allowlist, rooms with history, presence, typing, limits.
import { createServer } from 'node:http'
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { parse as parseCookie, serialize as serializeCookie } from 'cookie'
import { Server } from 'socket.io'
import { memoryStore } from './store.mjs'

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

/** What a client is told when the store (Redis, in a cluster) cannot be reached: nothing was done, try again. */
export const STORE_DOWN = 'The chat is briefly unavailable (its store cannot be reached): nothing was sent. Try again in a moment.'

/**
 * Creates the backend (not listening yet). `allowedOrigins`: the pages allowed to open a socket (the Nuxt
 * app's origins); any other Origin is refused, the Cross-Site WebSocket Hijacking defence.
 * A cluster node passes `store` (redisStore), `adapter` (socket.io's Redis Streams adapter) and its `node` name;
 * alone, the backend keeps history in memory. Rate limits and the sockets-per-user cap are counted per node.
 */
export function createChatBackend({
  allowedOrigins,
  secret = randomBytes(32).toString('hex'),
  sessionTtlMs = 24 * 60 * 60 * 1000,
  store = memoryStore({ historySize: LIMITS.historySize }),
  adapter,
  node = 'node-1',
}) {
  // Signed sessions: the cookie carries the name, a session id and an expiry, with their HMAC, so a restarted
  // backend (same secret) still knows everyone, as a real deployment with a shared secret would. Signing out
  // revokes the session id on the server until it would have expired anyway.
  const mac = (value) => createHmac('sha256', secret).update(value).digest('base64url')
  const issue = (name) => {
    const sid = randomBytes(16).toString('base64url')
    const value = `${Buffer.from(name, 'utf8').toString('base64url')}.${sid}.${Date.now() + sessionTtlMs}`
    return { sid, cookie: `${value}.${mac(value)}` }
  }
  /** The session of a cookie header (signed, not expired, not revoked), or null. */
  const sessionOf = async (cookieHeader) => {
    const parts = String(parseCookie(cookieHeader ?? '')[COOKIE] ?? '').split('.')
    if (parts.length !== 4) return null
    const [name, sid, exp, signature] = parts
    const expected = Buffer.from(mac(`${name}.${sid}.${exp}`))
    const given = Buffer.from(signature)
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null
    const expiresAt = Number(exp)
    if (!(expiresAt > Date.now()) || (await store.isRevoked(sid))) return null
    return { name: Buffer.from(name, 'base64url').toString('utf8'), sid, expiresAt }
  }
  /** The sockets of a name that belong to another session than `sid`, on any node: that name is taken. */
  const takenByAnother = async (name, sid) => (await io.fetchSockets()).some((s) => s.data.name === name && s.data.sid !== sid)

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
        if (await takenByAnother(name, (await sessionOf(req.headers.cookie))?.sid)) return json(res, 409, { error: `"${name}" is online in another session: choose another name.` })
        const { cookie } = issue(name)
        return json(res, 200, { name }, { 'set-cookie': serializeCookie(COOKIE, cookie, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: Math.floor(sessionTtlMs / 1000) }) })
      }
      if (url.pathname === '/api/session' && req.method === 'GET') {
        const session = await sessionOf(req.headers.cookie)
        return json(res, 200, session ? { name: session.name } : { name: null })
      }
      if (url.pathname === '/api/session' && req.method === 'DELETE') {
        // Signing out ends the session on the server too: the cookie stops working and its sockets are closed.
        const session = await sessionOf(req.headers.cookie)
        if (session) {
          await store.revoke(session.sid, session.expiresAt)
          // On every node: its sockets are closed wherever they are.
          io.in(`sid:${session.sid}`).disconnectSockets(true)
        }
        return json(res, 200, { name: null }, { 'set-cookie': serializeCookie(COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 0 }) })
      }
      if (url.pathname === '/api/rooms') return json(res, 200, { rooms: ROOMS, node })
      // socket.io answers its own path before this handler; everything else is unknown here.
      return json(res, 404, { error: 'not found' })
    } catch (error) {
      if (error.status === 413) {
        // The rest of the body is not read: answer, then close the connection (it would carry the rest).
        res.once('finish', () => req.destroy())
        return json(res, 413, { error: error.message }, { connection: 'close' })
      }
      if (error.status) return json(res, error.status, { error: error.message })
      if (error instanceof SyntaxError) return json(res, 400, { error: 'bad request' })
      console.error(`[chat backend] ${req.method} ${url.pathname} failed: ${error.message}`)
      return json(res, 503, { error: STORE_DOWN }, { 'retry-after': '1' })
    }
  })

  const io = new Server(http, {
    cors: { origin: allowedOrigins, credentials: true },
    // Refuse foreign Origins before any session work (browsers always send Origin on WebSocket and CORS requests).
    allowRequest: (req, callback) => callback(null, !req.headers.origin || allowedOrigins.includes(req.headers.origin)),
    // A short drop (a network blip, a proxy reload) resumes the same session with what was missed, on any node
    // when the adapter keeps sessions (the Redis Streams adapter does). Middlewares run again (a revoked session
    // stays out); a node that dies cannot hand its sessions over: its clients start new ones and resync.
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: false },
    ...(adapter ? { adapter } : {}),
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

  io.use(async (socket, next) => {
    const origin = socket.handshake.headers.origin
    if (!origin || !allowedOrigins.includes(origin)) return next(new Error('forbidden origin'))
    let session
    try {
      session = await sessionOf(socket.handshake.headers.cookie)
    } catch {
      return next(new Error(STORE_DOWN))
    }
    if (!session) return next(new Error('unauthorized: sign in first'))
    const user = userOf(session.name)
    if (user.sockets >= LIMITS.socketsPerUser) return next(new Error(`too many connections: at most ${LIMITS.socketsPerUser} per user`))
    socket.data.name = session.name
    socket.data.sid = session.sid
    socket.join(`sid:${session.sid}`) // for signing out on every node
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
      const failed = (error) => {
        console.error(`[chat backend] ${event} from ${socket.id} failed: ${error instanceof Error ? error.message : typeof error}`)
        const ack = args.at(-1)
        if (typeof ack === 'function') ack({ error: 'That request could not be handled.' })
      }
      try {
        handler(...args)?.catch?.(failed)
      } catch (error) {
        failed(error)
      }
    })

  /**
   * The names in a room, on every node (fetchSockets asks the others through the adapter, and gives up after 2 s
   * when one does not answer: a node that just died). Then, or with Redis away, the names on this node.
   */
  const names = (sockets) => [...new Set(sockets.map((s) => s.data.name).filter(Boolean))].sort()
  const presence = (room) =>
    io.in(room).timeout(2000).fetchSockets()
      .catch(() => io.local.in(room).fetchSockets())
      .then(names)
  // Announcements from several nodes can cross on their way: each carries the time its count started (`at`, in
  // fractional ms), and a client keeps the newest (the nodes' clocks agree well enough for a presence list). Two
  // counts started at about the same moment can still disagree: a last one, `settleMs` after a node's last change
  // in a room, settles it.
  const now = () => performance.timeOrigin + performance.now()
  const settleMs = 300
  const settling = new Map() // room -> timer, one per room at most; cleared by close()
  const settle = (room) => {
    clearTimeout(settling.get(room))
    settling.set(room, setTimeout(() => {
      settling.delete(room)
      void count(room)
    }, settleMs).unref())
  }
  const announce = (room) => {
    settle(room)
    return count(room)
  }
  const count = (room, at = now()) =>
    presence(room).then(
      (names) => io.to(room).emit('presence', { room, names, at }),
      (error) => console.error(`[chat backend] presence of ${room} unavailable: ${error.message}`),
    )

  io.on('connection', (socket) => {
    // Counted here, not in the middleware: a client that goes during the middleware's await never connects and
    // never disconnects, and would hold a count for good. The user stays known after its last socket leaves (see
    // userOf), so that reconnecting does not reset the limits.
    const user = userOf(socket.data.name)
    user.sockets++
    socket.once('disconnect', () => user.sockets--)
    socket.emit('me', { name: socket.data.name, node })
    guarded(socket, 'join', async (value, ack) => {
      if (typeof ack !== 'function') return
      const room = roomOf(value)
      if (!room) return ack({ error: typeof value === 'string' ? `No room "${value.slice(0, 40)}".` : 'A room is one of the names of /api/rooms.' })
      if (!allow(userOf(socket.data.name).joins, LIMITS.joinsPerWindow)) {
        return ack({ error: `Slow down: at most ${LIMITS.joinsPerWindow} room changes every ${LIMITS.windowMs / 1000} s.` })
      }
      for (const joined of socket.rooms) if (ROOMS.includes(joined) && joined !== room) {
        socket.leave(joined)
        void announce(joined)
      }
      // Joined before the history is read: a message stored after the read is broadcast after the join, so it
      // reaches this socket; one stored before is in the history (the client drops a duplicate by id).
      socket.join(room)
      let history, names
      const at = now()
      try {
        ;[history, names] = await Promise.all([store.history(room), presence(room)])
      } catch {
        socket.leave(room) // not joined after all: the client's next try joins again
        return ack({ error: STORE_DOWN })
      }
      io.to(room).emit('presence', { room, names, at })
      settle(room)
      ack({ room, history, names, at })
    })
    guarded(socket, 'leave', (value) => {
      const room = roomOf(value)
      if (!room || !socket.rooms.has(room)) return
      socket.leave(room)
      void announce(room)
    })
    guarded(socket, 'message', async (value, text, ack) => {
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
      // Stored first, then broadcast: a message the store did not take is refused, never shown and then lost.
      try {
        await store.append(room, message)
      } catch {
        return ack({ error: STORE_DOWN })
      }
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
      for (const room of socket.rooms) if (ROOMS.includes(room)) setImmediate(() => void announce(room))
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
        for (const timer of settling.values()) clearTimeout(timer)
        settling.clear()
        io.close(() => resolve())
        http.closeAllConnections()
      }).then(() => store.close()),
  }
}
