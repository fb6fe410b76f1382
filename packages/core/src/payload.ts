import { socketError } from './errors.js'

/** Made on the first payload measured (code, not state: it holds nothing between calls). */
let encoder: TextEncoder | undefined

/** socket.io's own names for the connection's lifecycle: an emit with one of them throws inside socket.io. */
const RESERVED = ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']

/**
 * Refuses at the call, with a `config` SocketError, what would otherwise fail later inside a queue flush (and
 * take the emits behind it down): a bad or reserved event name, arguments that cannot be encoded, a payload over
 * `maxPayloadBytes` (UTF-8 bytes of the JSON, binary by byte length). `deep`: the arguments will wait in a queue,
 * so check that they encode now (a live emit finds out at once in the transport). Production builds check the
 * names only: the engine weighs the arguments against `maxPayloadBytes`, and what cannot be encoded is refused
 * when it is sent (at the call while connected, at the flush when it waited in the queue).
 */
export function checkEmit(method: string, event: unknown, args: readonly unknown[], limit: number | undefined, deep: boolean): asserts event is string {
  if (typeof event !== 'string' || event === '') throw socketError('config', 'bad-event', `${method}(event, ...args)`)
  if (RESERVED.includes(event)) throw socketError('config', 'reserved', `"${event}" in ${method}()`)
  // Production: the arguments are the engine's to weigh, when the emit is sent or queued (engine/outbox.ts).
  if (process.env.NODE_ENV === 'production' || (!deep && limit === undefined)) return
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
