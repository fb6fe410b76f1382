import { defineConfig } from 'tsup'

export default defineConfig({
  // ssr.ts and ssr.browser.ts: the two builds of '#vue-ssr' (package.json "imports"), chosen by the app's bundler.
  entry: ['src/index.ts', 'src/testing.ts', 'src/vite.ts', 'src/ssr.ts', 'src/ssr.browser.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2020',
  external: ['#vue-ssr', 'vite', 'vue', 'vue/server-renderer', '@ssr-socket/core', '@ssr-socket/core/testing', 'socket.io-client', 'socket.io'],
  treeshake: true,
})
