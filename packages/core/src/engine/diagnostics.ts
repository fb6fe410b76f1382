import type { SocketDiagnostics } from '../types.js'
import type { Engine } from './engine.js'

/** The snapshot `client.getDiagnostics()` returns once the engine is attached. Copies: the caller may keep it. */
export function describeEngine(e: Engine): SocketDiagnostics {
  const table = e.h
  const handlers: Record<string, number> = {}
  if (table) for (const [event, list] of table) handlers[event] = list.length
  const t = e.t
  return {
    createdOn: 'client',
    status: e.f._s.status,
    key: e.f.key,
    hasSocket: t !== null,
    transport: t?.connected ? t.wire : null,
    handlers,
    socketListeners: t ? t.listenerCounts(table ? table.keys() : []) : {},
    pendingAcks: e._pendingAcks,
    queue: e.q ? e.q.stats() : { size: 0, dropped: 0, expired: 0 },
    errors: e._errors ? e._errors.slice() : [],
    attempts: e._attempts ? e._attempts.slice() : [],
    upgradeErrors: e._upgradeErrors,
  }
}
