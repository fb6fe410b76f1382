import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { projects } from './vitest.workspace'

const src = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  resolve: {
    // Tests run against the sources of the workspace packages, not their builds.
    alias: [
      { find: /^@ssr-socket\/core\/testing$/, replacement: src('./packages/core/src/testing.ts') },
      { find: /^@ssr-socket\/core\/validate$/, replacement: src('./packages/core/src/validate.ts') },
      { find: /^@ssr-socket\/core$/, replacement: src('./packages/core/src/index.ts') },
      { find: /^@ssr-socket\/vue\/testing$/, replacement: src('./packages/vue/src/testing.ts') },
      { find: /^@ssr-socket\/vue$/, replacement: src('./packages/vue/src/index.ts') },
      { find: /^#vue-ssr$/, replacement: src('./packages/vue/src/ssr.ts') },
    ],
  },
  test: {
    projects,
    // Most test files wait on servers, browsers and child processes rather than compute: at least two files at a
    // time (Vitest's default is one fewer than the cores, so one on this 2-core machine). 341 s -> 206 s here.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Every test that opens a server closes it; a leftover handle is a bug, so do not paper over it.
    teardownTimeout: 5_000,
  },
})
