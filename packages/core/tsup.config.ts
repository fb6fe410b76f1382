import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2020',
  // socket.io-client is a peer dependency, loaded with import() on first connect only.
  external: ['socket.io-client'],
  treeshake: true,
})
