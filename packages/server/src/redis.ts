// The Redis adapter: the socket server of every process of an app on one Redis. Modelled on
// @socket.io/redis-streams-adapter (read, not copied): every event sent without an ack goes into one stream (XADD with
// MAXLEN), which every process reads in order and delivers to its own connections; a stream entry's id is the
// packet's offset. Recovery sessions are keys with a TTL, kept while their connection is up too (refreshed at each
// ping), so that a process killed without closing anything still leaves them behind; a restore is GETDEL, then XRANGE
// after the client's offset (checked against XINFO STREAM's first entry when it was trimmed, so that a trimmed gap is
// never replayed as if complete). fetchPeers and takeovers are requests on pub/sub.
import type { AdapterNode, Packet, PeerInfo, Session, SocketAdapter, Target } from './adapter.js'

/** What the adapter uses of an ioredis client (`new Redis(url)`): a generic command, duplicates, pub/sub. */
export interface RedisClient {
  call(command: string, ...args: Array<string | number>): Promise<unknown>
  duplicate(): RedisClient
  subscribe(...channels: string[]): Promise<unknown>
  on(event: 'message', listener: (channel: string, message: string) => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  disconnect(): void
}

export interface RedisAdapterOptions {
  /** The prefix of every key and channel: apps (or servers) sharing a Redis each take their own. @default 'ssr-socket' */
  key?: string
  /**
   * Entries the stream keeps (approximately: MAXLEN ~). It must cover what all processes send between two reads of a
   * process (a burst larger than it can be trimmed before a process reads it), and, with recovery, what they send in
   * maxDisconnectionDurationMs (a client whose offset is older gets a fresh session).
   * @default the larger of 10,000 and recovery.maxPackets
   */
  maxLen?: number
  /** How long `fetchPeers` waits for the other processes. @default 2000 */
  requestTimeoutMs?: number
}

const STREAM_ID = /^\d{1,20}-\d{1,20}$/
/** A stream id as numbers; what is not one comes before every id. */
const parseId = (id: string): [bigint, bigint] => (STREAM_ID.test(id) ? (id.split('-').map(BigInt) as [bigint, bigint]) : [-1n, -1n])
/** Stream ids in order: ms, then sequence. */
const compare = (a: string, b: string): number => {
  const [am, as] = parseId(a)
  const [bm, bs] = parseId(b)
  return am === bm ? (as === bs ? 0 : as < bs ? -1 : 1) : am < bm ? -1 : 1
}
/** A stream entry's fields as a record. */
const fieldsOf = (raw: unknown): Record<string, string> => {
  const f: Record<string, string> = {}
  if (Array.isArray(raw)) for (let i = 0; i + 1 < raw.length; i += 2) f[String(raw[i])] = String(raw[i + 1])
  return f
}
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isSession = (v: unknown): v is Session =>
  isObject(v) && typeof v.pid === 'string' && typeof v.id === 'string' && Array.isArray(v.rooms) && v.rooms.every((r) => typeof r === 'string')

/**
 * Rooms, broadcasts, `fetchPeers` and connection state recovery across every process on one Redis (ioredis client;
 * the adapter makes two duplicates of it: a blocking stream reader and a subscriber). Give the client an `error`
 * listener, as ioredis asks. `peer.data` must be JSON (it is kept in Redis for recovery).
 *
 *   createSocketServer({ recovery: true, adapter: createRedisAdapter(new Redis(process.env.REDIS_URL)) })
 */
export function createRedisAdapter(redis: RedisClient, options: RedisAdapterOptions = {}): SocketAdapter {
  const prefix = options.key ?? 'ssr-socket'
  const stream = `${prefix}:stream`
  const control = `${prefix}:control`
  const nodeId = crypto.randomUUID()
  const inbox = `${prefix}:node:${nodeId}`
  const sessionKey = (pid: string): string => `${prefix}:session:${pid}`
  const timeoutMs = options.requestTimeoutMs ?? 2000
  let node!: AdapterNode
  let maxLen = 10_000
  let closed = false
  /** The id of the last entry this process delivered: where a fresh session starts. */
  let position = '0-0'
  let reader: RedisClient | undefined
  let sub: RedisClient | undefined
  const pending = new Map<string, { want: number; got: PeerInfo[][]; done(peers: PeerInfo[]): void; timer: ReturnType<typeof setTimeout> }>()
  let requests = 0
  let ready!: Promise<void>
  /** Packets this process published, numbered: `i` is `nodeId:n`, so that one sent twice is delivered once. */
  let published = 0

  /** Redis away: reported once per outage (every command fails until it is back), not once per command. */
  let outage = false
  const fail = (error: unknown): void => {
    if (closed || outage) return
    outage = true
    node.report(error)
  }

  /**
   * A stream entry as a packet, or null when it is not one of ours, or a second copy of one (ioredis sends a command
   * again after a reconnect when its answer was lost: an XADD then lands twice). `last`: the highest number seen per
   * publishing process, in stream order.
   */
  const packetOf = (id: string, raw: unknown, last: Map<string, number>): Packet | null => {
    const f = fieldsOf(raw)
    let target: unknown
    try {
      target = JSON.parse(f.t ?? 'null')
    } catch {
      return null
    }
    // (e is a JSON string, a a JSON array: written by JSON.stringify in a process of this app.)
    if (!isObject(target) || !f.e?.startsWith('"') || !f.a?.startsWith('[')) return null
    const [from, n] = (f.i ?? '').split(':') as [string, string | undefined]
    const seq = Number(n)
    if (from && Number.isInteger(seq)) {
      if (seq <= (last.get(from) ?? 0)) return null
      last.set(from, seq)
    }
    return { target: target as Target, e: f.e, a: f.a, offset: id }
  }
  /** What this process's reader has seen of each publisher. */
  const seen = new Map<string, number>()

  const read = async (): Promise<void> => {
    let last = position
    while (!closed) {
      let result: unknown
      try {
        result = await reader!.call('XREAD', 'BLOCK', 10_000, 'COUNT', 1000, 'STREAMS', stream, last)
        outage = false
      } catch (error) {
        if (closed) return
        fail(error)
        await new Promise((r) => setTimeout(r, 500)) // Redis away: ioredis reconnects; try again
        continue
      }
      if (!Array.isArray(result)) continue
      for (const [, entries] of result as Array<[string, Array<[string, unknown]>]>) {
        for (const [id, fields] of entries) {
          last = position = id
          const packet = packetOf(id, fields, seen)
          if (!packet) continue
          try {
            node.deliver(node.recovery ? packet : { target: packet.target, e: packet.e, a: packet.a })
          } catch (error) {
            node.report(error)
          }
        }
      }
    }
  }

  /** Requests from other processes (and this one): fetchPeers, takeovers; and the answers to this one's requests. */
  const onMessage = (channel: string, message: string): void => {
    let m: unknown
    try {
      m = JSON.parse(message)
    } catch {
      return
    }
    if (!isObject(m)) return
    if (channel === control) {
      if (m.t === 'peers' && typeof m.id === 'string' && typeof m.from === 'string') {
        const room = typeof m.room === 'string' ? m.room : undefined
        redis.call('PUBLISH', `${prefix}:node:${m.from}`, JSON.stringify({ id: m.id, peers: node.local(room) })).catch(fail)
      } else if (m.t === 'release' && typeof m.pid === 'string' && m.from !== nodeId) node.release(m.pid)
    } else if (channel === inbox && typeof m.id === 'string' && Array.isArray(m.peers)) {
      const request = pending.get(m.id)
      if (!request) return
      request.got.push(m.peers as PeerInfo[])
      if (request.got.length >= request.want) request.done(request.got.flat())
    }
  }

  return {
    shared: true,
    attach(n) {
      node = n
      maxLen = options.maxLen ?? Math.max(10_000, n.recovery ? n.recovery.maxPackets : 0)
      reader = redis.duplicate()
      sub = redis.duplicate()
      reader.on('error', fail)
      sub.on('error', fail)
      sub.on('message', onMessage)
      // Until Redis answers (it may be away when the process starts: tried again until it is), handshakes wait.
      ready = (async () => {
        for (;;) {
          try {
            await sub!.subscribe(control, inbox)
            // Start after the newest entry: what was sent before this process came up is not for its connections.
            const newest = (await redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)) as Array<[string, unknown]>
            position = newest[0]?.[0] ?? '0-0'
            outage = false
            return void read()
          } catch (error) {
            if (closed) return
            fail(error)
            await new Promise((r) => setTimeout(r, 1000))
          }
        }
      })()
    },
    get ready() {
      return ready
    },
    publish(target: Target, e: string, a: string) {
      redis.call('XADD', stream, 'MAXLEN', '~', maxLen, '*', 'i', `${nodeId}:${++published}`, 't', JSON.stringify(target), 'e', e, 'a', a).catch(fail)
    },
    head: () => position,
    compare,
    save(session: Session, live: boolean) {
      const r = node.recovery
      if (!r) return
      let json: string
      try {
        json = JSON.stringify(session)
      } catch (error) {
        return fail(error) // peer.data that is not JSON cannot be kept in Redis
      }
      // A live session outlasts its connection's ping cycle, so that a process that dies leaves it for that long after.
      const ttl = r.maxDisconnectionDurationMs + (live ? 2 * (node.pingIntervalMs + node.pingTimeoutMs) : 0)
      redis.call('SET', sessionKey(session.pid), json, 'PX', Math.min(ttl, 2 ** 31 - 1)).catch(fail)
    },
    forget(pid) {
      redis.call('DEL', sessionKey(pid)).catch(fail)
    },
    async take(pid) {
      const json = await redis.call('GETDEL', sessionKey(pid)).catch((error: unknown) => (fail(error), null))
      if (typeof json !== 'string') return null
      try {
        const session: unknown = JSON.parse(json)
        return isSession(session) && session.pid === pid ? session : null
      } catch {
        return null
      }
    },
    async since(offset) {
      if (!STREAM_ID.test(offset)) return null
      // Every entry after the offset must still be there. One command reads from the offset itself: the offset's own
      // entry first proves nothing after it was trimmed (MAXLEN ~ trims the oldest). A fresh stream's '0-0' has no
      // entry: then nothing may have been trimmed at all (XINFO's entries-added, Redis 7: refused without it), and
      // the first entry read must be the first one kept.
      const cap = maxLen + 1000
      let entries: Array<[string, unknown]>
      if (offset === '0-0') {
        let info: unknown
        try {
          info = await redis.call('XINFO', 'STREAM', stream)
        } catch {
          return [] // no stream: nothing was ever sent
        }
        const fields = new Map<string, unknown>()
        if (Array.isArray(info)) for (let i = 0; i + 1 < info.length; i += 2) fields.set(String(info[i]), info[i + 1])
        const added = fields.get('entries-added')
        if (added === undefined || Number(added) !== Number(fields.get('length'))) return null
        entries = (await redis.call('XRANGE', stream, '-', '+', 'COUNT', cap)) as Array<[string, unknown]>
        if (entries.length && entries[0]![0] !== String(fields.get('recorded-first-entry-id'))) return null // trimmed meanwhile
      } else {
        entries = (await redis.call('XRANGE', stream, offset, '+', 'COUNT', cap + 1)) as Array<[string, unknown]>
        if (entries[0]?.[0] !== offset) return null
        entries = entries.slice(1)
      }
      if (entries.length >= cap) return null // more than a stream of maxLen holds: not all of it
      const last = new Map<string, number>()
      return entries.flatMap(([id, raw]) => packetOf(id, raw, last) ?? [])
    },
    takeover(pid) {
      redis.call('PUBLISH', control, JSON.stringify({ t: 'release', pid, from: nodeId })).catch(fail)
    },
    async fetchPeers(room) {
      await ready
      const id = `${nodeId}:${++requests}`
      return new Promise<PeerInfo[]>((resolve, reject) => {
        const entry = {
          want: Infinity,
          got: [] as PeerInfo[][],
          done: (peers: PeerInfo[]) => {
            clearTimeout(entry.timer)
            pending.delete(id)
            resolve(peers)
          },
          // Whoever answered in time (a process that died meanwhile does not).
          timer: setTimeout(() => entry.done(entry.got.flat()), timeoutMs),
        }
        pending.set(id, entry)
        // PUBLISH answers how many subscribers got it: one per process (this one included).
        redis.call('PUBLISH', control, JSON.stringify({ t: 'peers', id, room, from: nodeId })).then(
          (n) => {
            entry.want = Number(n)
            if (entry.got.length >= entry.want) entry.done(entry.got.flat())
          },
          (error: unknown) => {
            clearTimeout(entry.timer)
            pending.delete(id)
            reject(error instanceof Error ? error : new Error(String(error)))
          },
        )
      })
    },
    stats: () => ({ sessions: 0, packets: 0 }),
    close() {
      if (closed) return
      closed = true
      for (const request of [...pending.values()]) request.done(request.got.flat())
      reader?.disconnect()
      sub?.disconnect()
    },
  }
}
