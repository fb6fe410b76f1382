// Size budgets of the totals (eager + lazy, one file each: size-limit does not split), min+brotli, measured as an
// app ships them. The critical path, eager (before hydration) vs lazy (first connect), is scripts/size-budgets.mjs.
// Size budgets, min+brotli, measured as an app ships them: esbuild with process.env.NODE_ENV = "production",
// so development-only checks and warnings are left out (as Vue, Pinia and VueUse are measured).
const production = (config) => {
  config.define = { ...config.define, 'process.env.NODE_ENV': '"production"' }
  return config
}

export default [
  {
    name: '@ssr-socket/core (main entry, socket.io-client external)',
    path: 'packages/core/dist/index.js',
    import: '*',
    ignore: ['socket.io-client'],
    modifyEsbuildConfig: production,
    limit: '15 kB', // 14.8 kB before connection state recovery in the WebSocket transport (session, offsets) and the retrying chunk (its own module wrapper and the engine's loading of it: both count here, where size-limit does not split); 14.6 kB before the per-transport layout and the hardening of the WebSocket transport (frame shapes, late refusals, timings); 12.1 kB before the WebSocket transport (its chunk, ~1.7 kB, counts here though socket.io apps never fetch it); 8.9 kB before createSubscription (with retries), the option schema and isolated state listeners; 9.7 kB before inspectRegistry and the fix texts (FIX_HINTS, 1.5 kB of sentences) for tools (import '*' takes every export; apps take what they use)
  },
  {
    name: '@ssr-socket/vue { createSocketPlugin, useSocket, useSocketEvent } (core included; vue, socket.io-client external)',
    path: 'packages/vue/dist/index.js',
    import: '{ createSocketPlugin, useSocket, useSocketEvent }',
    ignore: ['vue', 'socket.io-client'],
    modifyEsbuildConfig: production,
    limit: '12.75 kB', // 12.5 kB before recovery in the WebSocket transport and the retrying chunk (as above); 12.4 kB before the per-transport layout and the WebSocket transport's hardening; 10.7 kB before the WebSocket transport's chunk (counted in this total; loaded only by apps that use it); 9.6 kB before reactive options, enabled and subscriptions (useSocket +782 B); 10.4 kB before the inspector's hooks in the engine (+262 B lazy)
  },
  {
    name: '@ssr-socket/nuxt runtime plugin and composables (vue package and core included; #app, vue, socket.io-client external)',
    path: ['packages/nuxt-module/dist/runtime/plugin.js', 'packages/nuxt-module/dist/runtime/composables.js'],
    ignore: ['#app', 'vue', 'socket.io-client'],
    modifyEsbuildConfig: production,
    limit: '12.55 kB', // 12.3 kB before recovery in the WebSocket transport and the retrying chunk (as above); 12.1 kB before the per-transport layout (the socket.io adapter a chunk of its own, the kit the engine takes from the entry, the deferred debug logger: totals count every chunk as one file) and the testing kit's state seam; 10.4 kB before the WebSocket transport's chunk (as above); 10 kB before every core option through nuxt.config (fromConfig); 10.1 kB before the inspector's hooks in the engine (+262 B lazy)
  },
]
