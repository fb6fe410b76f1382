import { defineConfig } from 'vitest/config'
import { projects } from './vitest.workspace'

export default defineConfig({
  test: {
    projects,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Every test that opens a server closes it; a leftover handle is a bug, so do not paper over it.
    teardownTimeout: 5_000,
  },
})
