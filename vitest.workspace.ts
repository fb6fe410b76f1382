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
    },
  },
  {
    extends: true,
    test: {
      name: 'vue',
      environment: 'happy-dom',
      include: ['packages/vue/src/**/*.test.ts'],
      exclude: ['**/*.server.test.ts', '**/node_modules/**'],
      passWithNoTests: true,
    },
  },
]

export default projects
