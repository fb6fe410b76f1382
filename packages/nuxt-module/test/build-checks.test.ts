import { describe, expect, it } from 'vitest'
import { fixture, run, runNuxi, TSC } from './nuxi'

const WARNING = 'imports socket.io-client: it opens a second connection beside the one @ssr-socket/nuxt manages'

describe('build-time conflict scan', () => {
  it('a plugins/socket.client.ts importing socket.io-client gives one warning naming the file', async () => {
    const { code, output } = await runNuxi(['prepare'], fixture('conflict'))
    expect(code).toBe(0)
    const lines = output.split('\n').filter((l) => l.includes(WARNING))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('app/plugins/socket.client.ts')
  })

  it('the clean fixture prints none', async () => {
    const { code, output } = await runNuxi(['prepare'], fixture('bad-options'), { SOCKET_OPTIONS: '{}' })
    expect(code).toBe(0)
    expect(output).not.toContain('socket.io-client')
  })
})

describe('bad options fail the build with the option and the fix', () => {
  for (const [options, message] of [
    [{ url: 'localhost:8000' }, /socket\.url "localhost:8000" must start with http:\/\/.*Did you mean "http:\/\/localhost:8000"/],
    [{ auth: 'jwt' }, /socket\.auth must be 'none', 'cookie' or 'token', got "jwt"/],
    [{ namespace: 'chat' }, /socket\.namespace must start with "\/".*Write "\/chat"/],
    [{ devProxy: 'localhost:8000' }, /socket\.devProxy must be the backend's http\(s\) URL/],
    [{ reconnection: { attempts: -1 } }, /socket\.reconnection\.attempts must be a whole number >= 0/],
  ] as const) {
    it(JSON.stringify(options), async () => {
      const { code, output } = await runNuxi(['build'], fixture('bad-options'), { SOCKET_OPTIONS: JSON.stringify(options) })
      expect(code).not.toBe(0)
      expect(output).toMatch(message)
    })
  }
})

describe('typed events in app code', () => {
  it('a Register augmentation in the app types the auto-imported composables (tsc over the generated tsconfig)', async () => {
    const { code } = await runNuxi(['prepare'], fixture('typed'))
    expect(code).toBe(0)
    // app/utils/typed-check.ts holds @ts-expect-error lines that are only errors when the augmentation applies.
    const result = await run(TSC, ['--noEmit', '-p', '.nuxt/tsconfig.app.json'], fixture('typed'))
    expect(result.output).toBe('')
    expect(result.code).toBe(0)
  })
})
