// A WebSocket-only consumer app: the socket server inside Nitro (server/routes/_ws.ts), no socket.io-client installed
// (scripts/compat.mjs checks that it is absent, that the build passes and that no socket.io code is in .output).
export default defineNuxtConfig({
  modules: ['@ssr-socket/nuxt'],
  socket: { transport: 'websocket', url: '/_ws' },
  devtools: { enabled: false },
  telemetry: false,
  compatibilityDate: '2025-07-01',
})
