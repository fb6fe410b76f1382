// @ssr-socket/server on Bun and Deno (issue 23, part 3), driven from Node by the real client. Each combination runs
// runtime-server.mjs (createSocketServer from src, bundled by esbuild with one crossws copy) in a child process of the
// pinned runtime, and checks the handshake, acks both ways, rooms, the heartbeat and both ways of closing.
//
// The runtimes and crossws 0.4 come from the npm registry, installed on first use (`npm install --no-save --prefix`)
// into node_modules/.cache/runtimes (ignored by git) and reused while the version there is the pinned one.
// crossws 0.3.5 is the package's own dev dependency (what Nitro 2.13 / Nuxt 4.4 ship).
// Not tested: Deno with crossws 0.3.5, which does not work (its Deno adapter answers no subprotocol, which `ws` and
// browsers refuse when one was offered; TOOLCHAIN.md also saw reading the Request's headers after the upgrade throw).
// Linux x64 (glibc) only: the pinned packages are those binaries (npm refuses them on other platforms).
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { build, type Plugin } from 'esbuild'
import { WebSocket } from 'ws'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createSocketClient, type SocketClient } from '@ssr-socket/core'
import { waitFor } from '@ssr-socket/core/testing'
import { ensurePinned, prefixOf, versionAt, type Pinned } from './npm-cache'

const run = promisify(execFile)
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))
const CACHE = here('../node_modules/.cache/runtimes')

const BUN: Pinned = { name: '@oven/bun-linux-x64', version: '1.4.5', file: 'bin/bun' }
const DENO: Pinned = { name: '@deno/linux-x64-glibc', version: '2.9.6', file: 'deno' }
const CROSSWS_04: Pinned = { name: 'crossws', version: '0.4.17', file: 'dist/adapters/deno.mjs' }

const installs: Record<string, 'cached' | 'installed'> = {}

/** The package's directory, installed first unless the cache already holds the pinned version (npm-cache.ts). */
async function ensure(p: Pinned): Promise<string> {
  const { dir, how } = await ensurePinned(CACHE, p)
  installs[`${p.name}@${p.version}`] = how
  return dir
}

type Runtime = 'bun' | 'deno'
interface Combo {
  readonly runtime: Runtime
  readonly crossws: string
  /** Where `crossws` resolves from for the bundle. */
  crosswsFrom(): string
  readonly label: string
}
const combo = (runtime: Runtime, crossws: string, crosswsFrom: () => string): Combo => ({ runtime, crossws, crosswsFrom, label: `${runtime} ${runtime === 'bun' ? BUN.version : DENO.version} + crossws ${crossws}` })
const COMBOS: Combo[] = [
  combo('bun', CROSSWS_04.version, () => prefixOf(CACHE, CROSSWS_04)),
  combo('bun', '0.3.5', () => here('..')),
  combo('deno', CROSSWS_04.version, () => prefixOf(CACHE, CROSSWS_04)),
]

const binaries: Partial<Record<Runtime, string>> = {}
const children = new Set<ChildProcess>()
/** Per combination: the cases that passed and those that failed. */
const results = new Map<string, { passed: string[]; failed: string[] }>()
let started = 0

beforeAll(async () => {
  started = Date.now()
  mkdirSync(CACHE, { recursive: true })
  const [bun, deno] = await Promise.all([ensure(BUN), ensure(DENO), ensure(CROSSWS_04)])
  binaries.bun = `${bun}/${BUN.file}`
  binaries.deno = `${deno}/${DENO.file}`
  // The binaries run, and are the pinned versions.
  expect((await run(binaries.bun, ['--version'], { timeout: 10_000 })).stdout.trim()).toBe(BUN.version)
  expect((await run(binaries.deno, ['--version'], { timeout: 10_000, env: runtimeEnv() })).stdout).toContain(`deno ${DENO.version} `)
}, 300_000)

afterAll(async () => {
  await Promise.all([...children].map(stop))
  const summary = [...results].map(([label, r]) => `${label}: ${r.failed.length === 0 ? 'works' : `FAILS (${r.failed.join(', ')})`} (${r.passed.length} passed)`)
  summary.push(`deno ${DENO.version} + crossws 0.3.5: not tested (known not to work)`)
  writeFileSync(`${CACHE}/results.json`, JSON.stringify({ at: new Date().toISOString(), ms: Date.now() - started, installs, results: Object.fromEntries(results) }, null, 2))
  console.log(`runtimes (${Date.now() - started} ms; ${Object.entries(installs).map(([p, how]) => `${p} ${how}`).join(', ')}):\n  ${summary.join('\n  ')}`)
})

/** What the runtimes get of the environment: no NODE_OPTIONS or npm settings of the test process, no update checks. */
function runtimeEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NO_COLOR: '1',
    DO_NOT_TRACK: '1',
    DENO_NO_UPDATE_CHECK: '1',
    DENO_DIR: `${CACHE}/deno-dir`,
    BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0',
  }
}

/** Resolves every `crossws` import of the bundle from `dir` (that directory's node_modules/crossws). */
const crosswsFrom = (dir: string): Plugin => ({
  name: 'crossws-from',
  setup(b) {
    b.onResolve({ filter: /^crossws(\/|$)/ }, (args) => (args.pluginData === 'crossws-from' ? undefined : b.resolve(args.path, { kind: args.kind, resolveDir: dir, pluginData: 'crossws-from' })))
  },
})

/** runtime-server.mjs with src and one crossws copy in it, for one runtime; checks that the bundle holds that copy only. */
async function bundle(c: Combo): Promise<string> {
  const from = c.crosswsFrom()
  const crosswsDir = realpathSync(`${from}/node_modules/crossws`)
  expect(versionAt(crosswsDir)).toBe(c.crossws)
  const outfile = `${CACHE}/server-${c.runtime}-crossws-${c.crossws}.mjs`
  const { metafile } = await build({
    entryPoints: [here('./runtime-server.mjs')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: [c.runtime],
    mainFields: ['module', 'main'],
    target: 'es2022',
    define: { __RUNTIME__: JSON.stringify(c.runtime), __CROSSWS__: JSON.stringify(c.crossws) },
    plugins: [crosswsFrom(from)],
    outfile,
    metafile: true,
    logLevel: 'error',
  })
  const cwd = process.cwd()
  const crossws = Object.keys(metafile.inputs).filter((input) => /(^|\/)crossws\//.test(input)).map((input) => realpathSync(`${cwd}/${input}`))
  expect(crossws.length).toBeGreaterThan(0)
  expect(crossws.filter((file) => !file.startsWith(`${crosswsDir}/`))).toEqual([])
  return outfile
}

interface Stats {
  /** server.stats(): connections, handshaking, rooms, pendingAcks (and whatever else a newer server counts). */
  stats: { connections: number; handshaking: number; rooms: number; pendingAcks: number } & Record<string, number>
  connected: number
  disconnected: number
  errors: string[]
}

interface Server {
  readonly url: string
  readonly ws: string
  readonly hello: { port: number; runtime: string; crossws: string }
  stats(): Promise<Stats>
  exited(): string | null
}

/** Starts the bundle in the runtime and waits for its `ready` line (bounded). */
async function start(c: Combo, file: string): Promise<Server> {
  const binary = binaries[c.runtime]!
  const args = c.runtime === 'bun' ? [file] : ['run', '--allow-net=127.0.0.1', '--no-prompt', '--no-config', '--no-lock', '--quiet', file]
  const proc = spawn(binary, args, { cwd: CACHE, env: runtimeEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(proc)
  let stdout = ''
  let stderr = ''
  let exit: string | null = null
  proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + String(d)).slice(-4000)))
  proc.once('exit', (code, signal) => {
    exit = `${code ?? signal}`
    children.delete(proc)
  })
  const hello = await new Promise<Server['hello']>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${c.label}: no ready line within 15 s. stdout: ${stdout} stderr: ${stderr}`)), 15_000)
    proc.stdout!.on('data', (d: Buffer) => {
      stdout += String(d)
      const line = stdout.split('\n').find((l) => l.startsWith('{"ready":true'))
      if (!line) return
      clearTimeout(timer)
      resolve(JSON.parse(line) as Server['hello'])
    })
    proc.once('exit', () => {
      clearTimeout(timer)
      reject(new Error(`${c.label}: exited (${exit}) before listening: ${stderr}`))
    })
  })
  const url = `http://127.0.0.1:${hello.port}`
  return {
    url,
    ws: `ws://127.0.0.1:${hello.port}/_ws`,
    hello,
    exited: () => (exit === null ? null : `${exit}: ${stderr}`),
    async stats() {
      if (exit !== null) throw new Error(`${c.label}: the server exited (${exit}): ${stderr}`)
      const res = await fetch(`${url}/stats`, { signal: AbortSignal.timeout(5000) })
      return (await res.json()) as Stats
    },
  }
}

/** SIGTERM, then SIGKILL if it has not exited within 3 s. */
async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return
  const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  proc.kill('SIGTERM')
  const kill = setTimeout(() => proc.kill('SIGKILL'), 3000)
  await gone
  clearTimeout(kill)
}

/** Asks the server until its answer satisfies `ok` (each answer is a round trip to the process: no sleep needed). */
async function eventually(server: Server, ok: (s: Stats) => boolean, what: string, timeoutMs = 5000): Promise<Stats> {
  const deadline = Date.now() + timeoutMs
  let s = await server.stats()
  while (!ok(s)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${JSON.stringify(s)}`)
    s = await server.stats()
  }
  return s
}
/** Every count of server.stats() is 0, and every connection announced was also seen leaving. */
const holdsNothing = (s: Stats): boolean => Object.values(s.stats).every((n) => n === 0) && s.connected === s.disconnected

describe.each(COMBOS)('$label', (c) => {
  let server: Server
  const clients: SocketClient[] = []
  const raws: WebSocket[] = []
  const result = { passed: [] as string[], failed: [] as string[] }
  results.set(c.label, result)

  beforeAll(async () => {
    server = await start(c, await bundle(c))
    expect(server.hello.runtime).toBe(c.runtime === 'bun' ? `bun ${BUN.version}` : `deno ${DENO.version}`)
    expect(server.hello.crossws).toBe(c.crossws)
  }, 60_000)

  beforeEach(({ task, onTestFinished }) => onTestFinished(() => void (task.result?.state === 'pass' ? result.passed : result.failed).push(task.name)))

  afterEach(async () => {
    for (const client of clients.splice(0)) client.dispose()
    for (const raw of raws.splice(0)) raw.terminate()
    // Whatever a case left, the server let go of it (and no server error was reported).
    const s = await eventually(server, holdsNothing, 'the server to hold nothing')
    expect(s.errors).toEqual([])
    expect(server.exited()).toBeNull()
  })

  const open = (): SocketClient => {
    const client = createSocketClient({ url: server.url, isServer: false, transport: 'websocket', websocket: { WebSocket }, reconnection: { delayMs: 50, maxDelayMs: 100, jitter: 0 } })
    clients.push(client)
    return client
  }
  const connect = async (): Promise<SocketClient> => {
    const client = open()
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected', 10_000)
    return client
  }
  /** A raw client: its frames and close code; it answers no ping. */
  const raw = async () => {
    const socket = new WebSocket(server.ws, 'ssr-socket.v1')
    raws.push(socket)
    const frames: unknown[][] = []
    let code: number | null = null
    socket.on('message', (data) => frames.push(JSON.parse(String(data)) as unknown[]))
    socket.on('close', (closed) => (code = closed))
    socket.on('error', () => {})
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('close', () => reject(new Error('closed before opening')))
    })
    return { socket, frames, closed: () => code }
  }

  it('hello / welcome: connected over websocket, the subprotocol selected, onConnection ran', async () => {
    const before = await server.stats()
    const client = await connect()
    expect(client.getState()).toMatchObject({ status: 'connected', transport: 'websocket', error: null })
    expect(client.getState().id).toEqual(expect.any(String))
    const s = await eventually(server, (x) => x.connected === before.connected + 1, 'onConnection')
    expect(s.stats).toMatchObject({ connections: 1, handshaking: 0, rooms: 0, pendingAcks: 0 })
    const r = await raw()
    expect(r.socket.protocol).toBe('ssr-socket.v1')
    r.socket.send('["hello",null]')
    await waitFor(() => r.frames.length > 0, 'welcome')
    expect(r.frames[0]).toEqual(['welcome', { id: expect.any(String), pingInterval: 300, pingTimeout: 300, v: 1 }])
  })

  it('acks both ways: the client asks (echo), the server asks (question) and a client handler answers', async () => {
    const client = await connect()
    const value = { text: 'héllo 👋', n: [1, 2.5, null], nested: { ok: true } }
    expect(await client.emitWithAck('echo', value)).toEqual(value)
    const questions: unknown[] = []
    const answers: unknown[] = []
    client.on('question', (x: number, ack: (v: unknown) => void) => (questions.push(x), ack({ double: x * 2 })))
    client.on('answer', (a: unknown) => answers.push(a))
    client.emit('ask', 21)
    await waitFor(() => answers.length === 1, 'the answer')
    expect(questions).toEqual([21])
    expect(answers).toEqual([{ double: 42 }])
    expect((await server.stats()).stats.pendingAcks).toBe(0)
  })

  it('rooms: server.to(room) reaches the member only', async () => {
    const [a, b] = await Promise.all([connect(), connect()])
    const gotA: unknown[] = []
    const gotB: unknown[] = []
    a.on('room', (v: unknown) => gotA.push(v))
    b.on('room', (v: unknown) => gotB.push(v))
    expect(await a.emitWithAck('join', 'r1')).toBe(true)
    expect((await server.stats()).stats.rooms).toBe(1)
    // b is not in r1: its ack comes after anything the broadcast sent it, on the same connection.
    expect(await b.emitWithAck('room', 'r1', 'to r1')).toBe(true)
    await waitFor(() => gotA.length === 1, 'the member gets the room event')
    expect(gotA).toEqual(['to r1'])
    expect(gotB).toEqual([])
  })

  it('heartbeat: a client that stops answering pings is closed with 4408; the real client stays connected', async () => {
    const client = await connect()
    const id = client.getState().id
    const r = await raw()
    r.socket.send('["hello",null]')
    await waitFor(() => r.closed() !== null, 'the server closes the silent client', 5000)
    expect(r.closed()).toBe(4408)
    expect(r.frames.map((f) => f[0])).toEqual(['welcome', 'ping'])
    // Two ping rounds went by: the real client answered them, on the same connection.
    expect(client.getState()).toMatchObject({ status: 'connected', id })
    expect(await client.emitWithAck('echo', 'still here')).toBe('still here')
  })

  it('close: the client leaving runs onDisconnect; peer.close(1000) reaches the client as a server close', async () => {
    const before = await server.stats()
    const a = await connect()
    const b = await connect()
    await eventually(server, (s) => s.connected === before.connected + 2, 'two connections')
    a.dispose()
    let s = await eventually(server, (x) => x.disconnected === before.disconnected + 1, 'onDisconnect for the client that left')
    expect(s.stats).toMatchObject({ connections: 1, handshaking: 0, rooms: 0, pendingAcks: 0 })
    b.emit('close-me')
    await waitFor(() => b.getState().status === 'disconnected', 'the client sees the server close')
    expect(b.getState().error?.kind).toBe('server')
    s = await eventually(server, (x) => x.disconnected === before.disconnected + 2, 'onDisconnect for the closed peer')
    expect(s.stats).toMatchObject({ connections: 0, handshaking: 0, rooms: 0, pendingAcks: 0 })
    expect(holdsNothing(s)).toBe(true)
  })
})
