// The socket.io server of the benchmarks, in its own process so that client figures are the client's.
// argv: port. Events: 'blast' (n) -> n 'tick' events to the sender.
import { createServer } from 'node:http'
import { Server } from 'socket.io'

const http = createServer()
const io = new Server(http, { transports: ['websocket', 'polling'] })
io.on('connection', (socket) => {
  socket.on('blast', (n, ack) => {
    for (let i = 0; i < n; i++) socket.emit('tick', i)
    ack?.()
  })
})
http.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => process.send?.({ port: http.address().port }))
process.on('message', (m) => m === 'stop' && io.close(() => process.exit(0)))
process.on('disconnect', () => process.exit(0))
