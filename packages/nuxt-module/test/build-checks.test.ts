import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { freePort, waitFor } from '@ssr-socket/core/testing'
import { findSecondOwners } from '../src/module'
import { fixture, run, runNuxi, TSC, VUE_TSC } from './nuxi'

const WARNING = 'imports socket.io-client: it opens a second connection beside the one @ssr-socket/nuxt manages'

describe('build-time conflict scan', () => {
  it('every app file importing socket.io-client (plugins, components, .vue script blocks) gives one warning with file and line', async () => {
    const { code, output } = await runNuxi(['prepare'], fixture('conflict'))
    expect(code).toBe(0)
    const lines = output.split('\n').filter((l) => l.includes(WARNING))
    expect(lines).toHaveLength(3)
    for (const where of ['app/plugins/socket.client.ts:2', 'app/components/socket.ts:2', 'app/components/LiveBadge.vue:3']) {
      expect(lines.some((l) => l.includes(`${where} ${WARNING}`)), where).toBe(true)
    }
  })

  it('the scan leaves out the server, tests, builds, dependencies and type-only imports, and reads a nested layer once', () => {
    const root = mkdtempSync(join(tmpdir(), 'ssr-socket-scan-'))
    try {
      const put = (path: string, text = "import { io } from 'socket.io-client'\n") => {
        mkdirSync(dirname(join(root, path)), { recursive: true })
        writeFileSync(join(root, path), text)
      }
      for (const path of ['server/api/feed.ts', 'tests/socket.ts', 'utils/socket.test.ts', 'node_modules/x/index.js', '.nuxt/x.mjs', '.output/x.mjs', 'dist/x.js']) put(path)
      put('utils/live.ts', "// one\n// two\nconst lib = await import('socket.io-client')\n")
      put('layouts/default.vue', "<template><slot /></template>\n<script setup>\nimport { Manager } from 'socket.io-client'\n</script>\n")
      put('utils/clean.ts', "import { useSocket } from '@ssr-socket/vue'\n")
      put('utils/types.ts', "import type { Socket } from 'socket.io-client'\nexport type {\n  ManagerOptions,\n} from 'socket.io-client'\n")
      put('layers/extra/utils/own.ts', "\nimport { io } from 'socket.io-client'\n")
      // The layer's srcDir is also listed (Nuxt lists auto-registered layers): its file is reported once.
      const found = findSecondOwners([root, join(root, 'layers/extra')]).map(({ file, line }) => `${relative(root, file)}:${line}`).sort()
      expect(found).toEqual(['layers/extra/utils/own.ts:2', 'layouts/default.vue:3', 'utils/live.ts:3'])
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it('the clean fixture prints none', async () => {
    const { code, output } = await runNuxi(['prepare'], fixture('bad-options'), { SOCKET_OPTIONS: '{}' })
    expect(code).toBe(0)
    expect(output).not.toContain('socket.io-client')
  })
})

describe('socket.io-client in the server build', () => {
  it('a server render that meets it fails with an error naming the file that imported it', async () => {
    const built = await runNuxi(['build'], fixture('conflict'), {}, 180_000)
    expect(built.code, built.output).toBe(0)
    expect(existsSync(join(fixture('conflict'), '.output/server/node_modules/socket.io-client'))).toBe(false)
    const port = await freePort()
    const server = spawn(process.execPath, [join(fixture('conflict'), '.output/server/index.mjs')], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    server.stdout.on('data', (d) => (output += String(d)))
    server.stderr.on('data', (d) => (output += String(d)))
    try {
      let status = 0
      await waitFor(() => {
        void fetch(`http://127.0.0.1:${port}/`).then((r) => (status = r.status), () => {})
        return status !== 0
      }, 'the server answered', 20_000)
      expect(status).toBe(500)
      await waitFor(() => output.includes('app/components/socket.ts imports socket.io-client, which is not available on the server'), `the error names the importer:\n${output}`, 5000)
    } finally {
      server.kill()
    }
  }, 240_000)
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
  // Where the augmentation lives must be inside the app's tsconfig: Nuxt 4 includes app/ and shared/ (a root
  // types/ folder is not, and the events then silently lose their types).
  for (const [name, file] of [['typed', 'app/types/socket.d.ts'], ['typed-shared', 'shared/types/socket.d.ts']] as const) {
    it(`a Register augmentation in ${file} types the auto-imported composables (tsc over the generated tsconfig)`, async () => {
      await prepared(name)
      // app/utils/typed-check.ts holds @ts-expect-error lines that are only errors when the augmentation applies.
      const result = await run(TSC, ['--noEmit', '-p', '.nuxt/tsconfig.app.json'], fixture(name))
      expect(result.output).toBe('')
      expect(result.code).toBe(0)
    })
  }
})

describe('typed events on both sides: the composables and the socket handler (transport websocket)', () => {
  // Nuxt 4's server tsconfig includes server/ and shared/**/*.d.ts, not app/: the module README puts the event map in
  // shared/types/socket.d.ts, the one place both sides see.
  it('in shared/types/socket.d.ts: tsc over .nuxt/tsconfig.server.json and vue-tsc pass; a wrong argument fails each', async () => {
    const dir = await prepared('typed-shared')
    const server = await run(TSC, ['--noEmit', '-p', '.nuxt/tsconfig.server.json'], dir)
    expect(server.output).toBe('')
    expect(server.code).toBe(0)
    const app = await run(VUE_TSC, ['--noEmit', '-p', '.nuxt/tsconfig.app.json'], dir)
    expect(app.output).toBe('')
    expect(app.code).toBe(0)

    // The same programs with one wrong call each (generated into .nuxt/, which git ignores): exactly that error.
    mkdirSync(join(dir, '.nuxt/wrong'), { recursive: true })
    writeFileSync(join(dir, '.nuxt/wrong/handler.ts'), "export default defineSocketHandler((sockets) => {\n  sockets.on('send', (_peer, _text, ack) => ack('yes'))\n})\n")
    writeFileSync(join(dir, '.nuxt/wrong/Send.vue'), "<script setup lang=\"ts\">\nconst { emitWithAck } = useSocket()\nvoid emitWithAck('send', 42)\n</script>\n\n<template><p>send</p></template>\n")
    const withWrong = (config: string, file: string): string => {
      const base = JSON.parse(readFileSync(join(dir, `.nuxt/${config}.json`), 'utf8')) as { include: string[] }
      writeFileSync(join(dir, `.nuxt/${config}.wrong.json`), JSON.stringify({ extends: `./${config}.json`, include: [...base.include, file] }))
      return `.nuxt/${config}.wrong.json`
    }
    const wrongServer = await run(TSC, ['--noEmit', '-p', withWrong('tsconfig.server', './wrong/handler.ts')], dir)
    expect(wrongServer.output.trim()).toBe(".nuxt/wrong/handler.ts(2,49): error TS2345: Argument of type 'string' is not assignable to parameter of type 'boolean'.")
    expect(wrongServer.code).not.toBe(0)
    const wrongApp = await run(VUE_TSC, ['--noEmit', '-p', withWrong('tsconfig.app', './wrong/Send.vue')], dir)
    expect(wrongApp.output.trim()).toBe(".nuxt/wrong/Send.vue(3,26): error TS2345: Argument of type 'number' is not assignable to parameter of type 'string'.")
    expect(wrongApp.code).not.toBe(0)
  })

  it('in app/types/socket.d.ts it does not reach the server: every handler argument is unknown (TS18046)', async () => {
    const result = await run(TSC, ['--noEmit', '-p', '.nuxt/tsconfig.server.json'], await prepared('typed'))
    expect(result.output).toMatch(/server\/routes\/_ws\.ts\(\d+,\d+\): error TS18046: 'ack' is of type 'unknown'/)
    expect(result.code).not.toBe(0)
  })
})

/** `nuxi prepare` of a fixture, once per run of this file. */
const preparing = new Map<string, Promise<string>>()
function prepared(name: string): Promise<string> {
  let done = preparing.get(name)
  if (!done) {
    done = runNuxi(['prepare'], fixture(name)).then(({ code, output }) => {
      if (code !== 0) throw new Error(`nuxi prepare ${name} failed:\n${output}`)
      return fixture(name)
    })
    preparing.set(name, done)
  }
  return done
}
