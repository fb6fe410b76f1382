export default defineNuxtConfig({
  modules: ['@ssr-socket/nuxt'],
  socket: {
    // The chat backend (backend/server.mjs). NUXT_PUBLIC_SOCKET_URL changes it at run time.
    url: 'http://localhost:8000',
    // The session cookie, set through /api (same host), goes with the handshake.
    auth: 'cookie',
    // Anonymous visitors get no socket: the room page connects (after hydration) when it is shown.
    autoConnect: false,
  },
  runtimeConfig: {
    // Where server/api/[...path].ts forwards /api (NUXT_BACKEND_URL).
    backendUrl: 'http://127.0.0.1:8000',
  },
  app: { head: { title: 'ssr-socket chat', link: [{ rel: 'icon', href: 'data:,' }] } },
  devtools: { enabled: false },
  telemetry: false,
  compatibilityDate: '2025-07-01',
})
