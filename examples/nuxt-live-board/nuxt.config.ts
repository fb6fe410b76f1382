// A live board whose realtime server lives inside Nitro (server/routes/_ws.ts): one process, one port, plain
// WebSockets (no socket.io on either side). `npm run demo:nitro` from the repository root builds and starts it.
export default defineNuxtConfig({
  modules: ['@ssr-socket/nuxt'],
  socket: { transport: 'websocket', url: '/_ws' },
  devtools: { enabled: true },
  app: { head: { title: 'Live board', link: [{ rel: 'icon', href: 'data:,' }] } },
  telemetry: false,
  compatibilityDate: '2025-07-01',
  // `nuxi build --envName cloudflare`: the same app for Cloudflare Workers (Nitro's cloudflare-durable preset: every
  // WebSocket goes to one Durable Object), built into .cloudflare/ beside the normal build, which it leaves alone.
  // packages/server/test/cloudflare.test.ts builds it and runs it under `wrangler dev`.
  $env: {
    cloudflare: {
      buildDir: '.cloudflare/.nuxt',
      nitro: {
        preset: 'cloudflare-durable',
        output: { dir: '.cloudflare/.output' },
        cloudflare: {
          deployConfig: true, // writes .output/server/wrangler.json
          nodeCompat: true,
          wrangler: {
            name: 'nuxt-live-board',
            // The object the preset sends every WebSocket to, and the migration that creates its class.
            durable_objects: { bindings: [{ name: '$DurableObject', class_name: '$DurableObject' }] },
            migrations: [{ tag: 'v1', new_sqlite_classes: ['$DurableObject'] }],
          },
        },
      },
    },
  },
})
