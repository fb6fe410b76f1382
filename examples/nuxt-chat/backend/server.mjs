// Starts the chat backend: PORT (8000) and ALLOWED_ORIGINS (comma-separated; the Nuxt app's origins).
// With REDIS_URL it is one node of a cluster: history and revoked sessions in Redis, and socket.io's Redis
// Streams adapter between the nodes (broadcasts, presence, connection state recovery). NODE_NAME names it.
import { createChatBackend, LIMITS } from './chat.mjs'

const port = Number(process.env.PORT ?? 8000)
const allowedOrigins = (process.env.ALLOWED_ORIGINS ?? 'http://localhost:3000,http://127.0.0.1:3000').split(',').map((o) => o.trim()).filter(Boolean)
const node = process.env.NODE_NAME || 'node-1'

let cluster = {}
if (process.env.REDIS_URL) {
  const { connectRedis } = await import('./redis.mjs')
  try {
    cluster = await connectRedis(process.env.REDIS_URL, { historySize: LIMITS.historySize, node })
  } catch (error) {
    console.error(`[chat backend] cannot reach Redis at ${process.env.REDIS_URL}: ${error.message}. Start redis-server, or unset REDIS_URL for one node.`)
    process.exit(1)
  }
}
// CHAT_SECRET keeps sessions valid across restarts (and across the nodes of a cluster); without it each start
// signs with a new random secret.
const backend = createChatBackend({ allowedOrigins, secret: process.env.CHAT_SECRET || undefined, node, ...cluster })

let listening = port
try {
  listening = await backend.listen(port, process.env.HOST ?? '127.0.0.1') // PORT=0: a free port, printed below
} catch (error) {
  console.error(error.code === 'EADDRINUSE' ? `[chat backend] port ${port} is busy: stop what uses it or start with PORT=<another port>.` : `[chat backend] ${error.message}`)
  process.exit(1)
}
console.log(`[chat backend] ${node}: socket.io and /api on http://127.0.0.1:${listening} (origins: ${allowedOrigins.join(', ')}${process.env.REDIS_URL ? `; Redis ${process.env.REDIS_URL}` : ''})`)
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => backend.close().then(() => process.exit(0)))
