import { defineConfig } from 'tsup'

// socket.io-client is a peer dependency, loaded with import() on first connect only; socket.io (the server) only
// for the `testing` entry.
const external = ['socket.io-client', 'socket.io']
const entry = ['src/index.ts', 'src/testing.ts', 'src/validate.ts', 'src/machine.ts', 'src/hints.ts']
// Internal members are named `_x` and shortened in the build (consistently across the files of one build): the
// engine's and the facade's property names are otherwise a fifth of their bytes. Public and seam names have none.
const esbuildOptions = (options: { mangleProps?: RegExp; reserveProps?: RegExp }): void => {
  options.mangleProps = /^_/
  // socket.io-client's own `_x` members that the socket.io transport reads must keep their names.
  options.reserveProps = /^(?:__|_readyState$)/
}

export default defineConfig([
  {
    // ESM unbundled, one file per module, as apps' bundlers want it: they then split at module granularity, so
    // the engine and everything only it uses go to the lazy chunk of the first connect(), and the entry chunk
    // keeps only the facade. (A bundled build merges shared modules into one chunk file, all of it eager.)
    entry: ['src/**/*.ts', '!src/**/*.test.ts', '!src/**/*.test-d.ts', '!src/testFixtures.ts'],
    format: ['esm'],
    bundle: false,
    dts: { entry },
    sourcemap: true,
    target: 'es2020',
    external,
    esbuildOptions,
  },
  {
    // CommonJS for Node's require(): bundled, the engine inlined behind its dynamic import.
    entry,
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    target: 'es2020',
    external,
    treeshake: true,
    esbuildOptions,
  },
])
