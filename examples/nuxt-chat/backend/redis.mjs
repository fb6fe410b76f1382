// A cluster node's Redis side: two node-redis clients and what the backend builds on them.
// - The adapter's client keeps node-redis's offline queue: while Redis is away, its commands wait and run when it
//   is back (socket.io's broadcasts, presence requests), and the adapter's stream reader blocks instead of spinning.
// - The store's client has no offline queue: a message while Redis is away is refused at once with a clear error
//   (the sender can try again), never held for an unknown time or half-done.
import { createAdapter } from '@socket.io/redis-streams-adapter'
import { createClient } from 'redis'
import { redisStore } from './store.mjs'

export async function connectRedis(url, { historySize, node, prefix = 'chat:' }) {
  // Reconnect at once and then every 200 ms at most: a restarted Redis is used again within a fraction of a second.
  const reconnectStrategy = (retries) => Math.min(retries * 50, 200)
  const adapterClient = createClient({ url, socket: { reconnectStrategy } })
  const storeClient = createClient({ url, socket: { reconnectStrategy }, disableOfflineQueue: true })
  // node-redis emits 'error' on each failed reconnect; one line per outage and one when it is back, not a flood.
  for (const [name, client] of [['adapter', adapterClient], ['store', storeClient]]) {
    let down = false
    client.on('error', (error) => {
      if (!down) console.error(`[chat backend] ${node}: Redis (${name}) unreachable: ${error.message}; retrying`)
      down = true
    })
    client.on('ready', () => {
      if (down) console.log(`[chat backend] ${node}: Redis (${name}) is back`)
      down = false
    })
  }
  await Promise.all([adapterClient.connect(), storeClient.connect()])
  return {
    adapter: createAdapter(adapterClient, { heartbeatInterval: 1000, heartbeatTimeout: 3000 }),
    store: {
      ...redisStore({ client: storeClient, historySize, prefix }),
      async close() {
        await Promise.allSettled([adapterClient.close?.() ?? adapterClient.quit(), storeClient.close?.() ?? storeClient.quit()])
      },
    },
  }
}
