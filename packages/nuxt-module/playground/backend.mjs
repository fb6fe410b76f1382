// A socket.io backend for the playground: `node playground/backend.mjs`, then `pnpm dev`.
import { createServer } from 'node:http'
import { Server } from 'socket.io'

const port = Number(process.env.PORT ?? 8000)
const http = createServer()
const io = new Server(http)
io.on('connection', (socket) => {
  socket.emit('news', `welcome, ${socket.id}`)
  socket.on('send', (text, ack) => {
    io.emit('news', String(text).slice(0, 200))
    ack?.(true)
  })
})
const timer = setInterval(() => io.emit('news', new Date().toISOString()), 5000)
http.listen(port, '127.0.0.1', () => console.log(`socket.io backend on http://127.0.0.1:${port}`))
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    clearInterval(timer)
    io.close(() => process.exit(0))
  })
}
