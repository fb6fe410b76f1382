import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts', 'src/testing.ts', 'src/validate.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2020',
  // socket.io-client is a peer dependency, loaded with import() on first connect only;
  // socket.io (the server) only for the `testing` entry.
  external: ['socket.io-client', 'socket.io'],
  treeshake: true,
})
