// What the client sends: live emits, the bounded offline queue and ack deadlines (monotonic). Whatever cannot be
// encoded is a `config` error at the call; a queued item that fails cannot stop the ones behind it.
import type { SocketError } from '../errors.js'
import type { Transport } from '../transports/types.js'
import type { BufferOptions } from '../types.js'
import type { Host } from '../host.js'
import { kit } from './kit.js'
import { createOfflineQueue, type OfflineQueue, type PendingAck } from './queue.js'
import { refuse } from './refuse.js'
import { tapOf } from './tap.js'

/** Made on the first payload weighed (code, not state: it holds nothing between calls). */
let encoder: TextEncoder | undefined

/** Turns what a transport threw while encoding into the `config` error the caller gets. */
const encodeError = (event: string, error: unknown): SocketError =>
  error instanceof kit._Err ? error : kit._err('config', 'unserialisable', `emit("${event}")`, error)

export class Outbox {
  /** The offline queue, created on the first emit made while disconnected. */
  _q: OfflineQueue | undefined
  _pendingAcks = 0
  /** Numbers the acks an inspector sees, to pair each with its answer (development builds only). */
  private _ackIds?: number

  /** The engine: its current transport, its options, and where errors are recorded. */
  constructor(
    private readonly _host: {
      readonly t: Transport | null
      readonly o: { readonly buffer: false | Required<BufferOptions>; readonly ackTimeoutMs: number }
      readonly f: Host
      readonly _auth: { readonly secrets?: ReadonlySet<string> }
      _error(error: SocketError): void
    },
  ) {}

  /**
   * emit, volatile.emit and emitWithAck (`m`), made at monotonic time `at`. Development builds checked the name and
   * the arguments at the call (the facade); production builds check the name and weigh the arguments here (_weigh).
   */
  send(m: string, event: string, args: unknown[], at: number): unknown {
    const t = this._host.t
    if (m === 'emitWithAck') return this._ack(event, args, at)
    if (process.env.NODE_ENV === 'production') this._weigh(m, event, args)
    if (!t?.connected) {
      if (m === 'emit') this._queue().push(event, args, at)
      return
    }
    try {
      t.send(event, args, m === 'volatile')
    } catch (error) {
      throw encodeError(event, error)
    }
    if (process.env.NODE_ENV !== 'production') tapOf(this._host.f)?.out(this._host, event, args)
  }

  /** Sends what waited, oldest first. */
  flush(): void {
    const t = this._host.t
    if (!t || !this._q) return
    for (const item of this._q.drain()) {
      if (item.ack) {
        item.ack.send()
        continue
      }
      try {
        t.send(item.event, item.args)
        if (process.env.NODE_ENV !== 'production') tapOf(this._host.f)?.out(this._host, item.event, item.args, 0, true)
      } catch (error) {
        this._host._error(encodeError(item.event, error))
      }
    }
  }

  /**
   * Production builds: the emit's name (refuse.ts), then its arguments against `maxPayloadBytes` (UTF-8 bytes of each
   * one's JSON, binary by byte length), as development builds check them at the call (payload.ts).
   */
  private _weigh(m: string, event: string, args: readonly unknown[]): void {
    refuse(event && typeof event === 'string', m)
    const limit = this._host.f._o.input.maxPayloadBytes
    if (limit === undefined) return
    let bytes = 0
    try {
      for (const a of args) if (typeof a !== 'function') bytes += a instanceof ArrayBuffer || ArrayBuffer.isView(a) ? a.byteLength : (encoder ??= new TextEncoder()).encode(JSON.stringify(a) ?? '').length
    } catch (error) {
      throw encodeError(event, error)
    }
    if (bytes > limit) throw kit._err('config', 'too-large', String(bytes))
  }

  _rejectAcks(error: SocketError): void {
    this._q?._rejectAcks(error)
  }

  clear(error: SocketError): void {
    this._q?.clear(error)
  }

  _stats(): { size: number; dropped: number; expired: number } {
    return this._q ? this._q._stats() : { size: 0, dropped: 0, expired: 0 }
  }

  private _queue(): OfflineQueue {
    return (this._q ?? (this._q = createOfflineQueue(this._host.o.buffer)))
  }

  private _ack(event: string, args: unknown[], at: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (process.env.NODE_ENV === 'production') this._weigh('emitWithAck', event, args) // a throw here rejects
      this._pendingAcks++
      let settled = false
      /** When an inspector saw it sent: its number and the monotonic time. */
      let seen: [id: number, at: number] | undefined
      /** It waited in the queue (development builds only: for an inspector). */
      let queued: boolean | undefined
      const settle = (error: SocketError | null, value?: unknown): void => {
        if (settled) return
        settled = true
        this._pendingAcks--
        if (process.env.NODE_ENV !== 'production' && seen) tapOf(this._host.f)?.ack(this._host, event, seen[0], Math.round(kit._now() - seen[1]), error, value)
        if (error) reject(error)
        else resolve(value)
      }
      const pending: PendingAck = {
        deadline: at + this._host.o.ackTimeoutMs,
        // With the time left until the deadline (at least 1 ms): the deadline counts from the emit, not the send.
        send: () => {
          try {
            // Numbered before the send: a transport may answer synchronously.
            const taps = process.env.NODE_ENV !== 'production' ? tapOf(this._host.f) : undefined
            if (process.env.NODE_ENV !== 'production' && taps) seen = [(this._ackIds = (this._ackIds ?? 0) + 1), kit._now()]
            this._host.t!.sendWithAck(event, args, Math.max(1, pending.deadline - kit._now()), settle)
            if (process.env.NODE_ENV !== 'production' && seen) taps?.out(this._host, event, args, seen[0], queued)
          } catch (error) {
            settle(encodeError(event, error))
          }
        },
        reject: (error) => settle(error),
      }
      if (this._host.t?.connected) pending.send()
      else {
        if (process.env.NODE_ENV !== 'production') queued = true
        this._queue().push(event, args, at, pending)
      }
    })
  }
}
