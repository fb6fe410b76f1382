import type { TestProjectConfiguration } from 'vitest/config'

/**
 * The one list of test projects. vitest 4 ignores a file of this name on its own, so vitest.config.ts
 * imports this list and passes it to `test.projects`.
 */
export const projects: TestProjectConfiguration[] = [
  {
    extends: true,
    test: {
      name: 'core',
      environment: 'node',
      include: ['packages/core/src/**/*.test.ts'],
      exclude: ['**/*.server.test.ts', '**/node_modules/**'],
      typecheck: { enabled: true, include: ['packages/core/src/**/*.test-d.ts'], tsconfig: 'packages/core/tsconfig.json' },
    },
  },
  {
    extends: true,
    test: {
      name: 'server',
      environment: 'node',
      include: ['packages/*/src/**/*.server.test.ts'],
      server: { deps: { inline: ['vue', /@vue\//] } },
    },
  },
  {
    extends: true,
    test: {
      name: 'vue',
      environment: 'happy-dom',
      include: ['packages/vue/src/**/*.test.ts'],
      exclude: ['**/*.server.test.ts', '**/node_modules/**'],
      typecheck: { enabled: true, include: ['packages/vue/src/**/*.test-d.ts'], tsconfig: 'packages/vue/tsconfig.typetest.json' },
      // Vue inlined (transformed by vitest) so that vi.resetModules() gives a test a second, separate copy:
      // the hydration test renders with one module graph and hydrates with another, as server and browser do.
      server: { deps: { inline: ['vue', /@vue\//] } },
    },
  },
  {
    extends: true,
    test: {
      name: 'nuxt',
      environment: 'node',
      include: ['packages/nuxt-module/test/**/*.test.ts'],
      // Each file builds or starts a Nuxt app once (about 30 s here), then runs its cases against it.
      testTimeout: 60_000,
      hookTimeout: 300_000,
    },
  },
  {
    extends: true,
    test: {
      name: 'socket-server',
      environment: 'node',
      include: ['packages/server/test/**/*.test.ts'],
      testTimeout: 30_000,
    },
  },
  {
    extends: true,
    test: {
      name: 'doctor',
      environment: 'node',
      include: ['packages/doctor/test/**/*.test.ts'],
      testTimeout: 30_000,
    },
  },
  {
    extends: true,
    test: {
      name: 'examples',
      environment: 'node',
      include: ['examples/*/test/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 120_000,
    },
  },
]

export default projects
