// Starts the chat backend: PORT (8000) and ALLOWED_ORIGINS (comma-separated; the Nuxt app's origins).
import { createChatBackend } from './chat.mjs'

const port = Number(process.env.PORT ?? 8000)
const allowedOrigins = (process.env.ALLOWED_ORIGINS ?? 'http://localhost:3000,http://127.0.0.1:3000').split(',').map((o) => o.trim()).filter(Boolean)
// CHAT_SECRET keeps sessions valid across restarts; without it each start signs with a new random secret.
const backend = createChatBackend({ allowedOrigins, secret: process.env.CHAT_SECRET || undefined })

let listening = port
try {
  listening = await backend.listen(port, process.env.HOST ?? '127.0.0.1') // PORT=0: a free port, printed below
} catch (error) {
  console.error(error.code === 'EADDRINUSE' ? `[chat backend] port ${port} is busy: stop what uses it or start with PORT=<another port>.` : `[chat backend] ${error.message}`)
  process.exit(1)
}
console.log(`[chat backend] socket.io and /api on http://127.0.0.1:${listening} (origins: ${allowedOrigins.join(', ')})`)
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => backend.close().then(() => process.exit(0)))
