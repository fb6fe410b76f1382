// A socket.io server with token auth for the SPA: POST /token issues a short-lived token (a demo, not a
// real auth server); the middleware accepts only current tokens. PORT (8001).
import { createServer } from 'node:http'
import { randomBytes } from 'node:crypto'
import { Server } from 'socket.io'

const port = Number(process.env.PORT ?? 8001)
const tokens = new Map() // token -> expiry
const http = createServer((req, res) => {
  res.setHeader('access-control-allow-origin', req.headers.origin ?? '*')
  if (req.method === 'OPTIONS') return res.end()
  if (req.url === '/token' && req.method === 'POST') {
    const token = randomBytes(16).toString('hex')
    tokens.set(token, Date.now() + 60_000)
    res.setHeader('content-type', 'application/json')
    return res.end(JSON.stringify({ token, expiresIn: 60 }))
  }
  res.statusCode = 404
  res.end()
})
const io = new Server(http, { cors: { origin: true } })
io.use((socket, next) => {
  const expiry = tokens.get(socket.handshake.auth.token)
  if (!expiry || expiry < Date.now()) return next(new Error('invalid or expired token'))
  next()
})
io.on('connection', (socket) => {
  socket.on('add', (a, b, ack) => typeof ack === 'function' && ack(Number(a) + Number(b)))
  const timer = setInterval(() => socket.emit('tick', Date.now()), 1000)
  socket.on('disconnect', () => clearInterval(timer))
})
http.listen(port, '127.0.0.1', () => console.log(`token-auth socket.io server on http://127.0.0.1:${port}`))
