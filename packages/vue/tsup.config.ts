import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts', 'src/testing.ts', 'src/vite.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2020',
  external: ['vite', 'vue', 'vue/server-renderer', '@ssr-socket/core', '@ssr-socket/core/testing', 'socket.io-client', 'socket.io'],
  treeshake: true,
})
