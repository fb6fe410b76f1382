// The seam between a socket server and where its events travel and its recovery sessions live. An adapter carries
// every event sent without an ack (`server.emit`, `to(room).emit`, and, with recovery, `peer.emit`) to every process
// of the app, in one order, and hands each back to the server (`node.deliver`) for its own connections; with recovery
// it gives each an offset, keeps them (bounded) and keeps dropped connections' sessions. Two of them: in memory (this
// file, the default: one process) and on Redis (redis.ts: a stream, session keys with a TTL, pub/sub).
import type { Limits } from './limits.js'

/** Whom a packet is for: one peer (by id), or a room's members or everyone, but not `except` (a peer id). */
export interface Target {
  readonly peer?: string
  readonly room?: string
  readonly except?: string
}

/** An event without ack, as it travels: its name and arguments already JSON (so every process sends the same bytes). */
export interface Packet {
  readonly target: Target
  /** JSON of the event's name. */
  readonly e: string
  /** JSON of its arguments (an array). */
  readonly a: string
  /** With recovery: its place in the one order of packets (a string the client sends back as is). */
  readonly offset?: string
}

/** What is kept of a connection for recovery. `pid` is private: it is sent to that client only. */
export interface Session {
  readonly pid: string
  /** The peer's id, kept by the recovered connection. */
  readonly id: string
  readonly rooms: readonly string[]
  readonly data: unknown
  /** Who the auth hook said it was (JSON): the session is taken back only by the same. */
  readonly user?: string
  /** The offset it started at: a comeback with an older one is refused (nothing from before it is replayed). */
  readonly start?: string
  /** Each room's offset when it was joined: a room's packets from before it are not replayed. */
  readonly joined?: Readonly<Record<string, string>>
}

/** A peer as `fetchPeers` reports it, from any process. */
export interface PeerInfo {
  readonly id: string
  readonly data: unknown
  readonly rooms: readonly string[]
}

/** What a server hands its adapter. */
export interface AdapterNode {
  /** Delivers a packet to this process's connections it is for. Called for every packet, on every process, in order. */
  deliver(packet: Packet): void
  /** This process's peers (in `room`), for fetchPeers. */
  local(room?: string): PeerInfo[]
  /** Closes this process's connection that holds the session `pid` now (it resumed in another process). */
  release(pid: string): void
  /** Where an adapter's failure is reported (the server's onError, event 'adapter'). */
  report(error: unknown): void
  readonly recovery: Limits['recovery']
  readonly pingIntervalMs: number
  readonly pingTimeoutMs: number
}

export interface SocketAdapter {
  /** Shared by processes (the server then keeps live sessions in it too: `save(session, true)` after each change). */
  readonly shared?: boolean
  /** Settles once it can deliver (handshakes wait for it). */
  readonly ready?: Promise<unknown>
  /** Called once, by the server that uses it (an adapter serves one server). */
  attach(node: AdapterNode): void
  /** An event without ack for `target`: to every process (this one included, through `node.deliver`). */
  publish(target: Target, e: string, a: string): void
  /** The offset of the newest packet this process has delivered: where a fresh session starts. */
  head(): string
  /**
   * Keeps a session: `live` while its connection is up (adapters shared by processes keep it, so that a process that
   * dies without closing anything still leaves it behind; the memory one need not), else for
   * maxDisconnectionDurationMs after a drop.
   */
  save(session: Session, live: boolean): void
  /** Lets a session go (its client closed on purpose). */
  forget(pid: string): void
  /** Takes a kept session out (one use), or null. */
  take(pid: string): Session | null | Promise<Session | null>
  /** The order of two offsets (negative: `a` first). */
  compare(a: string, b: string): number
  /** Every packet after `offset`, in order; null when some of them are no longer kept (or the offset is not one). */
  since(offset: string): readonly Packet[] | null | Promise<readonly Packet[] | null>
  /** Tells the process that holds `pid` now to let its connection go (a client came back elsewhere). */
  takeover?(pid: string): void
  /** Every peer (in `room`) of every process. */
  fetchPeers(room?: string): Promise<PeerInfo[]>
  /** What it keeps in this process (for leak checks). */
  stats(): { sessions: number; packets: number }
  /** Stops (timers, connections it made); the server's `dispose()`. */
  close(): void | Promise<void>
}

/** Offsets in memory are base-36 counters: read back with parseInt and compared with the log's first. */
const offsetOf = (n: number): string => n.toString(36)

interface Kept extends Packet {
  readonly at: number
}

/**
 * The default adapter: one process. Packets are delivered at once; with recovery, kept in one log bounded in count,
 * characters and age (a packet older than a session may last is of use to no session), and dropped connections'
 * sessions kept for maxDisconnectionDurationMs each.
 */
export function createMemoryAdapter(): SocketAdapter {
  let node!: AdapterNode
  let recovery: Limits['recovery'] = false
  const log: Array<Kept | undefined> = []
  /** Index in log of the oldest packet kept (the slots before it are empty until compacted away). */
  let head = 0
  /** The offset number of log[head]; the next packet gets first + (log.length - head). */
  let first = 1
  let chars = 0
  const sessions = new Map<string, { session: Session; timer: ReturnType<typeof setTimeout> }>()

  const trim = (now: number): void => {
    if (!recovery) return
    const { maxPackets, maxBytes, maxDisconnectionDurationMs } = recovery
    while (head < log.length && (log.length - head > maxPackets || chars > maxBytes || now - log[head]!.at > maxDisconnectionDurationMs)) {
      chars -= log[head]!.e.length + log[head]!.a.length
      log[head++] = undefined
      first++
    }
    if (head === log.length || (head > 1024 && head * 2 > log.length)) {
      log.splice(0, head)
      head = 0
    }
  }
  const forget = (pid: string): Session | undefined => {
    const kept = sessions.get(pid)
    if (!kept) return undefined
    clearTimeout(kept.timer)
    sessions.delete(pid)
    return kept.session
  }

  return {
    attach(n) {
      node = n
      recovery = n.recovery
    },
    publish(target, e, a) {
      if (!recovery) return node.deliver({ target, e, a })
      const at = performance.now()
      const packet: Kept = { target, e, a, offset: offsetOf(first + log.length - head), at }
      log.push(packet)
      chars += e.length + a.length
      trim(at)
      node.deliver(packet)
    },
    head: () => offsetOf(first + log.length - head - 1),
    save(session, live) {
      if (live || !recovery) return // the process holds it while it is up
      forget(session.pid)
      const timer = setTimeout(() => sessions.delete(session.pid), recovery.maxDisconnectionDurationMs)
      ;(timer as { unref?(): void }).unref?.() // a kept session does not keep a process alive
      sessions.set(session.pid, { session, timer })
    },
    forget: (pid) => void forget(pid),
    compare: (a, b) => parseInt(a, 36) - parseInt(b, 36),
    take: (pid) => forget(pid) ?? null,
    since(offset) {
      const n = /^[0-9a-z]{1,11}$/.test(offset) ? parseInt(offset, 36) : NaN
      // Every packet after n must still be here: n + 1 >= the first one kept (and n no newer than the newest).
      if (!(n + 1 >= first && n < first + log.length - head)) return null
      return log.slice(head + (n + 1 - first)) as Kept[]
    },
    fetchPeers: async (room) => node.local(room),
    stats() {
      trim(performance.now())
      return { sessions: sessions.size, packets: log.length - head }
    },
    close() {
      for (const pid of [...sessions.keys()]) forget(pid)
      log.length = head = chars = 0
    },
  }
}
