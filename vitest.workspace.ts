import { fileURLToPath } from 'node:url'
import type { TestProjectConfiguration, UserWorkspaceConfig } from 'vitest/config'

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
      exclude: ['packages/server/test/cloudflare.test.ts', '**/node_modules/**'],
      testTimeout: 30_000,
    },
  },
  {
    extends: true,
    test: {
      // The live board built for Cloudflare (cloudflare-durable preset) under `wrangler dev`, with Node clients and
      // Chromium. Its first run installs wrangler and a Node 22 from npm and builds the app (about a minute here).
      name: 'cloudflare',
      environment: 'node',
      include: ['packages/server/test/cloudflare.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 300_000,
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
      exclude: ['examples/*/test/nuxt/**', '**/node_modules/**'],
      testTimeout: 60_000,
      hookTimeout: 120_000,
    },
  },
  {
    extends: true,
    test: {
      // The documentation site: its code blocks type-checked against the builds, the built site in Chromium.
      name: 'docs',
      environment: 'node',
      include: ['test/docs/**/*.test.ts'],
      testTimeout: 120_000,
      hookTimeout: 120_000,
    },
  },
  // The live board's tests in @nuxt/test-utils' Nuxt environment (mountSuspended, @ssr-socket/nuxt/testing), against
  // the packages' builds as an app gets them. Not `extends`: the root's aliases to the sources would give the app two
  // copies of the packages.
  () => nuxtProject('examples-nuxt', 'examples/nuxt-live-board'),
]

/**
 * A project in @nuxt/test-utils' Nuxt environment for the app in `dir` (its tests under test/nuxt/). Building its
 * config loads Nuxt (about 2 s): skipped when the command line leaves this project out, by --project or by naming
 * test files elsewhere (`vitest run packages/core/src/x.test.ts`).
 */
async function nuxtProject(name: string, dir: string): Promise<UserWorkspaceConfig> {
  const args = process.argv.slice(2)
  const filters = args.flatMap((arg, i) => (arg === '--project' ? [args[i + 1] ?? ''] : arg.startsWith('--project=') ? [arg.slice(10)] : []))
  const files = args.filter((arg, i) => !arg.startsWith('-') && args[i - 1] !== '--project' && /\/|\.test\b/.test(arg)).map((arg) => arg.replace(process.cwd() + '/', ''))
  const named = filters.length === 0 || filters.some((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(name))
  const tests = `${dir}/test/nuxt/`
  const listed = files.length === 0 || files.some((f) => tests.includes(f) || f.includes(tests))
  if (!named || !listed) return { test: { name, include: [] } }
  const { defineVitestProject } = await import('@nuxt/test-utils/config')
  return defineVitestProject({
    test: {
      name,
      include: [`${dir}/test/nuxt/**/*.test.ts`],
      environmentOptions: { nuxt: { rootDir: fileURLToPath(new URL(`./${dir}`, import.meta.url)), domEnvironment: 'happy-dom' } },
    },
  })
}

export default projects
