// The client's history for getDiagnostics(): classified errors and the attempts timeline, bounded and created on
// first use, and the snapshot that assembles them with the live counts.
import type { SocketError } from '../errors.js'
import type { Transport } from '../transports/types.js'
import type { AttemptRecord, ClassifiedErrorRecord, SocketDiagnostics, SocketStatus } from '../types.js'
import type { Handlers } from './handlers.js'
import type { Outbox } from './outbox.js'

const MAX_ERRORS = 10
const MAX_ATTEMPTS = 50

export class History {
  _errors: ClassifiedErrorRecord[] | undefined
  /** The attempts timeline, flat (at, event, attempt, at, ...): one array instead of an object per record. */
  _attempts: Array<number | AttemptRecord['event']> | undefined
  _upgradeErrors = 0

  error(error: SocketError): void {
    const errors = (this._errors ?? (this._errors = []))
    errors.push({ kind: error.kind, code: error.code, message: error.message, at: Date.now() })
    if (errors.length > MAX_ERRORS) errors.shift()
  }

  _record(event: AttemptRecord['event'], attempt: number): void {
    // concat, not push: an array that grows by push reserves room it rarely needs, in every client.
    const attempts = (this._attempts = this._attempts ? this._attempts.concat([Date.now(), event, attempt]) : [Date.now(), event, attempt])
    if (attempts.length > MAX_ATTEMPTS * 3) attempts.splice(0, 3)
  }
}

function timeline(flat: History['_attempts']): AttemptRecord[] {
  const out: AttemptRecord[] = []
  if (flat) for (let i = 0; i < flat.length; i += 3) out.push({ at: flat[i] as number, event: flat[i + 1] as AttemptRecord['event'], attempt: flat[i + 2] as number })
  return out
}

/** The snapshot `client.getDiagnostics()` returns once the engine is attached. Copies: the caller may keep it. */
export function describe(key: string, status: SocketStatus, t: Transport | null, handlers: Handlers, outbox: Outbox, history: History): SocketDiagnostics {
  return {
    createdOn: 'client',
    status,
    key,
    hasSocket: t !== null,
    transport: t?.connected ? t.wire : null,
    handlers: handlers._counts(),
    socketListeners: t ? t.listenerCounts(handlers._events()) : {},
    pendingAcks: outbox._pendingAcks,
    queue: outbox._stats(),
    errors: history._errors ? history._errors.slice() : [],
    attempts: timeline(history._attempts),
    upgradeErrors: history._upgradeErrors,
  }
}
