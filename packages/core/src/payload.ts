import { socketError } from './errors.js'
import { RESERVED } from './reserved.js'

/** Made on the first payload measured (code, not state: it holds nothing between calls). */
let encoder: TextEncoder | undefined

/**
 * Refuses at the call, with a `config` SocketError, what would otherwise fail later inside a queue flush (and
 * take the emits behind it down): a bad or reserved event name, arguments that cannot be encoded, a payload over
 * `maxPayloadBytes` (UTF-8 bytes of the JSON, binary by byte length). `deep`: the arguments will wait in a queue,
 * so check that they encode now (a live emit finds out at once in the transport). Development builds only: in
 * production the engine refuses the name (engine/refuse.ts) and weighs the arguments (engine/outbox.ts), the
 * socket.io transport refuses reserved names, and what cannot be encoded is refused when it is sent.
 */
export function checkEmit(method: string, event: unknown, args: readonly unknown[], limit: number | undefined, deep: boolean): asserts event is string {
  if (typeof event !== 'string' || event === '') throw socketError('config', 'bad-event', `${method}(event, ...args)`)
  if (RESERVED.includes(event)) throw socketError('config', 'reserved', `"${event}" in ${method}()`)
  if (!deep && limit === undefined) return
  // The same measure as production's in the engine (engine/outbox.ts _weigh), kept as two loops on purpose: this one
  // stops at the first argument past the limit (the order of refusals the fuzz model expects), and one shared function
  // cost the WebSocket path 31 B over its 5,800 B target (measured).
  let bytes = 0
  for (const arg of args) {
    if (typeof arg === 'function') continue
    if (arg instanceof ArrayBuffer || ArrayBuffer.isView(arg)) {
      bytes += arg.byteLength
    } else {
      let json: string
      try {
        json = JSON.stringify(arg) ?? ''
      } catch (error) {
        throw socketError('config', 'unserialisable', `${method}("${event}")`, error)
      }
      if (limit !== undefined) bytes += (encoder ??= new TextEncoder()).encode(json).length // UTF-8 bytes, as on the wire
    }
    if (limit !== undefined && bytes > limit) throw socketError('config', 'too-large', String(bytes))
  }
}
