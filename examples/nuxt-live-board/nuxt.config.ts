// A live board whose realtime server lives inside Nitro (server/routes/_ws.ts): one process, one port, plain
// WebSockets (no socket.io on either side). `npm run demo:nitro` from the repository root builds and starts it.
export default defineNuxtConfig({
  modules: ['@ssr-socket/nuxt'],
  socket: { transport: 'websocket', url: '/_ws' },
  devtools: { enabled: true },
  app: { head: { title: 'Live board', link: [{ rel: 'icon', href: 'data:,' }] } },
  telemetry: false,
  compatibilityDate: '2025-07-01',
})
