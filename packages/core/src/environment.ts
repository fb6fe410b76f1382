/** True where there is no DOM: the client is inert there (SSR, workers without a window, tests in node). */
export function detectServer(): boolean {
  return typeof window === 'undefined' || typeof document === 'undefined'
}

/** The page's origin, the default server URL in a browser. */
export function pageOrigin(): string | undefined {
  return typeof location !== 'undefined' && typeof location.origin === 'string' && location.origin !== 'null'
    ? location.origin
    : undefined
}

/**
 * A monotonic clock for deadlines (queue TTL, ack timeouts): a wall-clock jump (NTP, a suspended laptop, a
 * user changing the time) must not expire or strand what waits.
 */
export const monotonicNow = (): number => performance.now()

/** `false` only when the browser says it is offline. */
export function isOnline(): boolean {
  return typeof navigator === 'undefined' || navigator.onLine !== false
}

/**
 * A stack frame inside one of this library's packages (source or build, tests excluded), or in a dependency Vite
 * pre-bundled in dev (the library, Vue): never the app's own code.
 */
const LIBRARY_FRAME = /(?:@ssr-socket|packages)[\\/](?:core|vue|nuxt-module|nuxt)[\\/](?:src|dist)[\\/](?:(?!\.test\.)[^:])*:\d+|(?:\.vite|vite[\\/]client)[\\/]deps[\\/]/

/** The first line of a stack (now, or `origin`'s) outside this library: where a registry or client was created. */
export function callSite(origin: Error = new Error()): string {
  const stack = origin.stack?.split('\n').slice(1) ?? []
  const line = stack.find((l) => !LIBRARY_FRAME.test(l) && !l.includes('node:internal'))
  return line?.trim().replace(/^at\s+/, '') ?? 'unknown call site'
}
