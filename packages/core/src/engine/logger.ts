import type { DebugLogger } from '../types.js'

export const SECRET_KEY = /token|auth|cookie|password|secret|session|jwt|credential/i
const JWT_LIKE = /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}\b/g
export const REDACTED = '[redacted]'

export interface Logger {
  readonly enabled: boolean
  log(message: string, details?: Record<string, unknown>): void
  /** Remembers a secret value (a token) so that it is scrubbed from every later line. */
  addSecret(value: unknown): void
}

function scrubString(text: string, secrets: ReadonlySet<string>): string {
  let out = text.replace(JWT_LIKE, REDACTED)
  for (const secret of secrets) out = out.split(secret).join(REDACTED)
  return out
}

/** Redacts secret-looking keys, JWT-looking strings and every remembered secret, at any depth. */
export function redact(value: unknown, secrets: ReadonlySet<string> = new Set(), depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value, secrets)
  if (typeof value === 'function') return '[function]'
  if (value === null || typeof value !== 'object') return value
  if (depth > 4) return '[…]'
  if (value instanceof Error) return { name: value.name, message: scrubString(value.message, secrets) }
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && v !== undefined && v !== null && typeof v !== 'boolean' ? REDACTED : redact(v, secrets, depth + 1)
  }
  return out
}

export function createLogger(debug: boolean | DebugLogger | undefined, prefix: string): Logger {
  const secrets = new Set<string>()
  const sink: DebugLogger | null =
    typeof debug === 'function'
      ? debug
      : debug === true
        ? (message, details) => (details ? console.debug(message, details) : console.debug(message))
        : null
  return {
    enabled: sink !== null,
    log(message, details) {
      if (!sink) return
      const line = `[ssr-socket] ${prefix} ${scrubString(message, secrets)}`
      sink(line, details ? (redact(details, secrets) as Record<string, unknown>) : undefined)
    },
    addSecret(value) {
      // Only long enough values: scrubbing "a" out of every line would make logs unreadable.
      if (sink && typeof value === 'string' && value.length >= 4) secrets.add(value)
    },
  }
}
