// Where the chat keeps what must outlive one process: room history and revoked sessions. One node keeps them in
// memory; a cluster keeps them in Redis, so that every node serves the same history and a node that dies loses
// nothing. Both stores have the same async interface; a Redis store that cannot reach Redis rejects at once
// (no offline queue) so that the backend can refuse the action with a clear error instead of holding it.

/** In process memory: one node only. */
export function memoryStore({ historySize }) {
  const history = new Map()
  const revoked = new Map() // session id -> expiry (ms), pruned as they pass
  return {
    kind: 'memory',
    async history(room) {
      return history.get(room)?.slice() ?? []
    },
    async append(room, message) {
      const list = history.get(room) ?? []
      list.push(message)
      if (list.length > historySize) list.splice(0, list.length - historySize)
      history.set(room, list)
    },
    async revoke(sid, until) {
      const now = Date.now()
      for (const [other, at] of revoked) if (at <= now) revoked.delete(other)
      revoked.set(sid, until)
    },
    async isRevoked(sid) {
      return (revoked.get(sid) ?? 0) > Date.now()
    },
    async close() {},
  }
}

/**
 * In Redis (a node-redis client, connected): history as a capped list per room, revocations as keys that expire
 * with the session. `prefix` keeps several chats (or tests) apart in one Redis.
 */
export function redisStore({ client, historySize, prefix = 'chat:' }) {
  const historyKey = (room) => `${prefix}history:${room}`
  return {
    kind: 'redis',
    async history(room) {
      return (await client.lRange(historyKey(room), 0, -1)).map((entry) => JSON.parse(entry))
    },
    async append(room, message) {
      // One transaction: the list never holds more than historySize, whoever appends at the same time.
      await client.multi().rPush(historyKey(room), JSON.stringify(message)).lTrim(historyKey(room), -historySize, -1).exec()
    },
    async revoke(sid, until) {
      const ttl = Math.max(1, until - Date.now())
      await client.set(`${prefix}revoked:${sid}`, '1', { PX: ttl })
    },
    async isRevoked(sid) {
      return (await client.exists(`${prefix}revoked:${sid}`)) === 1
    },
    async close() {},
  }
}
