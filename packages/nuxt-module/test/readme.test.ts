// What new users of the module stumbled on (issue 25), pinned where they read it. The behaviour behind each line is
// tested elsewhere: the types' location by build-checks.test.ts (tsc and vue-tsc over the generated tsconfigs), the
// ack answered by the browser by websocket.e2e.test.ts and testing.test.ts, the counter by the live board's
// test/nuxt/board.test.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { fixture } from './nuxi'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const readme = (path: string): string => readFileSync(join(root, path), 'utf8')
const moduleReadme = readme('packages/nuxt-module/README.md')
/** A `## heading` section of a markdown text, up to the next one. */
const section = (text: string, heading: string): string => {
  const start = text.indexOf(`\n## ${heading}`)
  if (start < 0) throw new Error(`no section "## ${heading}"`)
  const end = text.indexOf('\n## ', start + 1)
  return text.slice(start, end < 0 ? undefined : end)
}

describe('the READMEs, where new users stumbled', () => {
  it('none shows the older useSocketEvent(event, undefined, { initial }) form', () => {
    const readmes = ['README.md', ...readdirSync(join(root, 'packages')).map((p) => `packages/${p}/README.md`).filter((p) => existsSync(join(root, p)))]
    for (const path of readmes) expect(readme(path), path).not.toMatch(/useSocketEvent(<[^>]*>)?\([^)]*,\s*undefined\s*,/)
  })

  it('the module installs alone; socket.io-client only for the socket.io transport', () => {
    const install = section(moduleReadme, 'Install')
    expect(install).toContain('```sh\nnpm i @ssr-socket/nuxt\n```')
    expect(install).toMatch(/default transport \(a socket\.io server\) add `socket\.io-client`/)
    expect(install).toMatch(/`transport: 'websocket'`[^.]*nothing else is installed/)
  })

  it("the event map goes to shared/types/socket.d.ts, where the typed-shared fixture (both tsconfigs pass) has it", () => {
    const typed = section(moduleReadme, 'Typed events')
    const path = /```ts\n\/\/ (\S+)\n/.exec(typed)?.[1]
    expect(path).toBe('shared/types/socket.d.ts')
    expect(existsSync(join(fixture('typed-shared'), path!))).toBe(true)
    // app/types/ only as the trap it is for the server.
    expect(typed).toMatch(/In `app\/types\/` the composables are typed but the server\s+is not/)
  })

  it("says how the browser answers the server's emitWithAck: the ack is the last argument of the on handler", () => {
    const server = section(moduleReadme, "The socket server inside Nuxt (`transport: 'websocket'`)")
    expect(server).toContain("on('question', (n, ack) => ack(n * 2))")
    expect(server).toMatch(/last argument is the ack callback/)
    expect(readme('packages/vue/README.md')).toContain("on('question', (n, ack) => ack(n * 2))")
    expect(readme('packages/core/README.md')).toContain("client.on('question', (n, ack) => ack(n * 2))")
  })

  it('says that useSocketModuleDiagnostics().connects counts connect requests, not connections', () => {
    const troubleshooting = section(moduleReadme, 'Troubleshooting')
    expect(troubleshooting).toMatch(/`connects` counts connect \*\*requests\*\*, not connections/)
    expect(readFileSync(new URL('../src/runtime/composables.ts', import.meta.url), 'utf8')).toMatch(/`connects` counts connect requests, not\s+\* connections/)
  })
})
