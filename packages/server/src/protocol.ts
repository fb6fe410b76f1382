// The `events` protocol's codec (PROTOCOL.md): the subprotocol name, the close codes, how a frame is measured, read
// and written. No state and no runtime: the connection (index.ts) decides what to do with what this returns.

export const PROTOCOL = 'ssr-socket.v1'

/** The close codes the server sends, each with its line in PROTOCOL.md. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  /** The auth hook failed (an error, not a refusal). */
  serverError: 1011,
  protocol: 4400,
  unauthorized: 4401,
  forbidden: 4403,
  timeout: 4408,
  tooLarge: 4413,
  rate: 4429,
  /** The peer reads slower than the server sends: more than `maxBufferedBytes` wait for it. */
  slow: 4509,
} as const

/** Event and room names: strings of 1 to this many characters. */
export const MAX_NAME = 200

export const isName = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME

/** Close codes a server may send (1000, 1001, 1011, 4000-4999); anything else becomes 1000. */
export const closeCode = (code: number): number => (code === 1000 || code === 1001 || code === 1011 || (code >= 4000 && code <= 4999) ? code : 1000)

/** A close reason within the protocol's 123 bytes. */
export const closeReason = (reason: string | undefined): string | undefined => {
  if (!reason) return reason
  let out = reason.slice(0, 123)
  while (utf8Length(out) > 123) out = out.slice(0, -1)
  return out
}

/** UTF-8 bytes of a string, counted without encoding it. */
export function utf8Length(text: string): number {
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) bytes += 1
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2 // a surrogate pair: 4 bytes for 2 UTF-16 units
      i++
    } else bytes += 2
  }
  return bytes
}

/**
 * The bytes of a message as the runtime delivered it, without decoding it again: crossws 0.3's Node adapter hands a
 * Buffer (or a list of them), 0.4's and Bun's and Deno's a string for text frames. -1: not something a text frame
 * arrives as (a Blob): refused as a protocol error.
 */
export function byteLength(data: unknown): number {
  if (typeof data === 'string') return utf8Length(data)
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength
  if (!Array.isArray(data)) return -1
  let sum = 0
  for (const part of data) {
    const n = byteLength(part)
    if (n < 0) return -1
    sum += n
  }
  return sum
}

/** One frame's text. Throws when a value cannot be written as JSON (a cycle, a BigInt, too deep). */
export const encode = (...parts: unknown[]): string => JSON.stringify(parts)

/** A frame from a client, read and checked by shape; `null` when it is not one (close 4400). */
export type ClientFrame =
  /**
   * `resume`: absent (undefined) from a client without recovery; null from one with it and no session yet; its session
   * and the offset of the last packet it got, when it comes back.
   */
  | { type: 'hello'; auth: unknown; resume: { session: string; offset: string } | null | undefined }
  | { type: 'e'; event: string; args: unknown[]; id: number }
  | { type: 'a'; id: number; value: unknown }
  | { type: 'pong' }

const isId = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0

export function decode(text: string): ClientFrame | null {
  let parts: unknown
  try {
    parts = JSON.parse(text)
  } catch {
    return null
  }
  if (!Array.isArray(parts)) return null
  const [type, a, b, c] = parts as unknown[]
  if (type === 'hello') {
    if (b === undefined || b === null) return { type, auth: a ?? null, resume: b }
    // A session is a short string, as is an offset; a resume of another shape is not one (a fresh session).
    const { session, offset } = b as { session?: unknown; offset?: unknown }
    const short = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64
    return { type, auth: a ?? null, resume: short(session) && short(offset) ? { session, offset } : null }
  }
  if (type === 'pong') return { type }
  if (type === 'a') return isId(a) ? { type, id: a, value: b } : null
  if (type === 'e') return isName(a) && Array.isArray(b) && (c === undefined || isId(c)) ? { type, event: a, args: b, id: c ?? 0 } : null
  return null
}
