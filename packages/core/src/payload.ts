import { socketError } from './errors.js'

/** socket.io's own names for the connection's lifecycle: an emit with one of them throws inside socket.io. */
const RESERVED = ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']

/** UTF-8 bytes of a string, without allocating an encoded copy. */
function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      bytes += 4 // a surrogate pair: one 4-byte character
      i++
    } else bytes += 3
  }
  return bytes
}

/**
 * Refuses at the call, with a `config` SocketError, what would otherwise fail later inside a queue flush (and
 * take the emits behind it down): a bad or reserved event name, arguments that cannot be encoded, a payload over
 * `maxPayloadBytes` (UTF-8 bytes of the JSON, binary by byte length). `deep`: the arguments will wait in a queue,
 * so check that they encode now (a live emit finds out at once in the transport).
 */
export function checkEmit(method: string, event: unknown, args: readonly unknown[], limit: number | undefined, deep: boolean): asserts event is string {
  if (typeof event !== 'string' || event === '') throw socketError('config', 'bad-event', `${method}(event, ...args)`)
  if (RESERVED.includes(event)) throw socketError('config', 'reserved', `"${event}" in ${method}()`)
  if (!deep && limit === undefined) return
  let bytes = 0
  for (const arg of args) {
    if (typeof arg === 'function') continue
    if (arg instanceof ArrayBuffer || ArrayBuffer.isView(arg)) {
      bytes += arg.byteLength
    } else {
      let json: string | undefined
      try {
        json = JSON.stringify(arg)
      } catch (error) {
        throw socketError('config', 'unserialisable', `${method}("${event}")`, error)
      }
      if (limit !== undefined) bytes += utf8Length(json ?? '')
    }
    if (limit !== undefined && bytes > limit) throw socketError('config', 'too-large', String(bytes))
  }
}
