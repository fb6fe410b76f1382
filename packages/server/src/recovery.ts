// Connection state recovery's memory store (PROTOCOL.md, "Recovery"): the sessions of dropped connections, each for
// maxDisconnectionDurationMs, and one log of the packets sent without an ack (each with its offset and whom it was
// for), bounded in count, characters and age. A client that comes back with its session and the offset of the last
// packet it got is given the packets meant for it after that offset, in order; one whose offset the log no longer
// reaches back to gets a fresh session (a gap would otherwise go unnoticed).
import type { Limits } from './limits.js'

/** What is kept of a connection that dropped. `pid` is private: it is sent to that client only. */
export interface Session {
  readonly pid: string
  /** The peer's id, kept by the recovered connection. */
  readonly id: string
  readonly rooms: readonly string[]
  readonly data: unknown
}

/** Whom a packet was for: one peer, or a room's members or everyone, but not `except` (a peer id). */
export interface Target {
  readonly peer?: string
  readonly room?: string
  readonly except?: string
}

interface Entry extends Target {
  readonly text: string
  readonly at: number
}

type Recovery = Exclude<Limits['recovery'], false>

/** Offsets are base-36 counters: a client's is read back with parseInt and compared with the log's first. */
const offsetOf = (n: number): string => n.toString(36)

export class MemoryStore {
  private readonly _log: Entry[] = []
  /** Index in _log of the oldest packet kept (the ones before it are gone; compacted now and then). */
  private _head = 0
  /** The offset number of _log[_head]; the next packet gets _first + (length - _head). */
  private _first = 1
  private _chars = 0
  private readonly _sessions = new Map<string, { session: Session; timer: ReturnType<typeof setTimeout> }>()

  constructor(private readonly _r: Recovery) {}

  /** The offset of the newest packet: a fresh session starts after it. */
  head(): string {
    return offsetOf(this._first + this._log.length - this._head - 1)
  }

  /** Records a packet; `encode` writes its frame with the offset it gets. Returns that frame. */
  append(target: Target, encode: (offset: string) => string): string {
    const text = encode(offsetOf(this._first + this._log.length - this._head))
    const at = performance.now()
    this._log.push({ ...target, text, at })
    this._chars += text.length
    this._trim(at)
    return text
  }

  private _trim(now: number): void {
    const log = this._log
    const { maxPackets, maxBytes, maxDisconnectionDurationMs } = this._r
    // A packet older than a session may last is of use to no session.
    while (this._head < log.length && (log.length - this._head > maxPackets || this._chars > maxBytes || now - log[this._head]!.at > maxDisconnectionDurationMs)) {
      this._chars -= log[this._head]!.text.length
      log[this._head++] = undefined as unknown as Entry // the slot keeps nothing until it is compacted away
      this._first++
    }
    if (this._head === log.length || (this._head > 1024 && this._head * 2 > log.length)) {
      log.splice(0, this._head)
      this._head = 0
    }
  }

  /** Keeps a dropped connection's session until it is restored or maxDisconnectionDurationMs pass. */
  save(session: Session): void {
    this._forget(session.pid)
    const timer = setTimeout(() => this._sessions.delete(session.pid), this._r.maxDisconnectionDurationMs)
    ;(timer as { unref?(): void }).unref?.() // a kept session does not keep a process alive
    this._sessions.set(session.pid, { session, timer })
  }

  private _forget(pid: string): Session | undefined {
    const kept = this._sessions.get(pid)
    if (!kept) return undefined
    clearTimeout(kept.timer)
    this._sessions.delete(pid)
    return kept.session
  }

  /**
   * The session and the frames meant for it after `offset`, in order; null for an unknown or expired session, or an
   * offset the log does not reach back to. A session is restored once (it is taken out).
   */
  restore(pid: string, offset: string): { session: Session; missed: string[] } | null {
    const session = this._forget(pid)
    if (!session) return null
    const n = /^[0-9a-z]{1,11}$/.test(offset) ? parseInt(offset, 36) : NaN
    const next = this._first + this._log.length - this._head
    // Every packet after n must still be here: n + 1 >= the first one kept (and n no newer than the newest).
    if (!(n + 1 >= this._first && n < next)) return null
    const rooms = new Set(session.rooms)
    const missed: string[] = []
    for (let i = this._head + (n + 1 - this._first); i < this._log.length; i++) {
      const e = this._log[i]!
      if (e.except === session.id) continue
      if (e.peer !== undefined ? e.peer === session.id : e.room === undefined || rooms.has(e.room)) missed.push(e.text)
    }
    return { session, missed }
  }

  /** What it holds now (for leak checks): sessions kept and packets in the log (those too old are let go first). */
  stats(): { sessions: number; packets: number } {
    this._trim(performance.now())
    return { sessions: this._sessions.size, packets: this._log.length - this._head }
  }
}
