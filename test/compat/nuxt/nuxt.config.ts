// A consumer app as users write it: the module from its packed tarball, the socket URL from the environment
// (NUXT_PUBLIC_SOCKET_URL) at run time.
export default defineNuxtConfig({
  modules: ['@ssr-socket/nuxt'],
  socket: { url: 'http://127.0.0.1:1' },
  devtools: { enabled: false },
  telemetry: false,
  compatibilityDate: '2025-07-01',
})

// Types only (scripts/compat.mjs runs tsc over the app's generated tsconfig, which holds this file): every core
// option a config can hold is typed in `socket`, and wrong ones fail.
export const everyOption = defineNuxtConfig({
  socket: {
    url: 'http://127.0.0.1:8000',
    path: '/socket.io',
    namespace: '/',
    auth: { mode: 'token', retries: 2 },
    reconnection: { attempts: 10, delayMs: 500, maxDelayMs: 4000, jitter: 0.2 },
    buffer: { max: 50, ttlMs: 30_000 },
    ackTimeoutMs: 5000,
    reconnectOnServerDisconnect: true,
    debug: false,
    maxPayloadBytes: 1_000_000,
    transport: 'socket.io',
    websocket: { framing: 'events', idleTimeoutMs: 60_000 },
    socketOptions: { transports: ['websocket'], timeout: 5000 },
    autoConnect: true,
    graceMs: 1000,
    devProxy: false,
  },
})
export const wrongAuth = defineNuxtConfig({
  // @ts-expect-error auth is a mode or { mode, retries }, not a function (the token comes from provideSocketToken)
  socket: { auth: () => 'token' },
})
export const wrongTransports = defineNuxtConfig({
  // @ts-expect-error transports is a list of transport names
  socket: { socketOptions: { transports: 'websocket' } },
})
export const wrongTransport = defineNuxtConfig({
  // @ts-expect-error transport is 'socket.io' or 'websocket' in a config (a transport object comes from code)
  socket: { transport: 'sse' },
})
