// What the adversarial tests need: the server in a child process (hostile-server.mjs, built from src by esbuild so
// that it is the code under test), raw `ws` clients that send what a hostile client sends, and the well-behaved
// client that must still be served after each attack.
import { fork, type ChildProcess } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { WebSocket } from 'ws'
import { waitFor } from '@ssr-socket/core/testing'
import type { SocketServerOptions } from '../src/index'

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))
/** Inside the package's node_modules (ignored by git), so that the child resolves crossws from the package. */
const bundle = here('../node_modules/.cache/ssr-socket-adversarial/server.mjs')
let built: Promise<unknown> | undefined

export interface ChildConfig {
  options?: Omit<SocketServerOptions, 'onError' | 'auth' | 'origins'> & { origins?: string[] }
  /** false: the transport's maxPayload is left at ws's default (an adapter without one). */
  transportMaxPayload?: boolean
  askOnConnect?: boolean
  /** onConnection / onDisconnect handlers that log what they see (stats().log); with closeOnConnect the first closes. */
  lifecycle?: boolean
  closeOnConnect?: boolean
  /** An onError that throws after recording. */
  onErrorThrows?: boolean
}

export interface ChildStats {
  rss: number
  maxRss: number
  heapUsed: number
  server: { connections: number; handshaking: number; rooms: number; pendingAcks: number }
  errors: number
  lastErrors: string[]
  /** 'noop' events handled. */
  handled: number
  log: string[]
}

export interface Child {
  readonly port: number
  readonly url: string
  readonly ws: string
  /** The exit code, or null while it runs: a crash shows here. */
  exited(): number | string | null
  call<T = Record<string, unknown>>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>
  stats(): Promise<ChildStats>
  stop(): Promise<void>
}

export async function startChild(config: ChildConfig = {}): Promise<Child> {
  mkdirSync(here('../node_modules/.cache/ssr-socket-adversarial'), { recursive: true })
  await (built ??= build({ entryPoints: [here('../src/index.ts')], bundle: true, format: 'esm', platform: 'node', target: 'node20', outfile: bundle, logLevel: 'error' }))
  // A young generation of 1 MiB: V8 lets it grow to tens of MiB under a burst of sends and keeps the pages, which
  // would be most of every memory figure here; with it small, RSS shows what the server holds.
  const execArgv = ['--expose-gc', '--max-semi-space-size=1']
  const proc: ChildProcess = fork(here('./hostile-server.mjs'), [bundle, JSON.stringify(config)], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] })
  let exit: number | string | null = null
  let stderr = ''
  proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + String(d)).slice(-4000)))
  proc.on('exit', (code, signal) => (exit = code ?? signal ?? 'exited'))
  const waiting = new Map<number, (value: Record<string, unknown>) => void>()
  let next = 0
  const port = await new Promise<number>((resolve, reject) => {
    proc.on('message', (m: { ready?: boolean; port?: number; id?: number }) => {
      if (m.ready) return resolve(m.port!)
      waiting.get(m.id!)?.(m)
      waiting.delete(m.id!)
    })
    proc.once('exit', () => reject(new Error(`the server process exited before listening: ${stderr}`)))
  })
  const call = <T,>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 20_000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exit !== null) return reject(new Error(`the server process exited (${exit}): ${stderr}`))
      const id = ++next
      const timer = setTimeout(() => (waiting.delete(id), reject(new Error(`no answer to ${cmd} within ${timeoutMs} ms`))), timeoutMs)
      waiting.set(id, (value) => (clearTimeout(timer), resolve(value as T)))
      proc.send({ id, cmd, ...args })
    })
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}/_ws`,
    exited: () => (exit === null ? null : `${exit} ${stderr.split('\n').find((l) => /Error|error/.test(l)) ?? stderr.slice(0, 300)}`),
    call,
    stats: () => call<ChildStats>('stats'),
    stop: async () => {
      if (exit !== null) return
      const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
      proc.disconnect()
      const kill = setTimeout(() => proc.kill('SIGKILL'), 3000)
      await gone
      clearTimeout(kill)
    },
  }
}

export interface RawClient {
  readonly socket: WebSocket
  readonly frames: unknown[][]
  closed(): number | null
  /** Sends `hello` and waits for `welcome`. */
  welcome(): Promise<void>
  send(...parts: unknown[]): void
  /** Resolves when the socket has closed (any code). */
  gone(): Promise<void>
}

/** A raw client: its frames (parsed, unless `keep` is false: then only counted), its close code. */
export async function rawClient(url: string, { headers = {}, keep = true }: { headers?: Record<string, string>; keep?: boolean } = {}): Promise<RawClient> {
  const socket = new WebSocket(url, 'ssr-socket.v1', { headers })
  const frames: unknown[][] = []
  let code: number | null = null
  const closed = new Promise<void>((resolve) => socket.on('close', (c) => ((code = c), resolve())))
  socket.on('message', (data) => {
    if (!keep) return void frames.push([])
    const frame = JSON.parse(String(data)) as unknown[]
    // Answer the server's pings and questions, as the real client does.
    if (frame[0] === 'ping') socket.send('["pong"]')
    frames.push(frame)
  })
  socket.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    socket.once('close', () => reject(new Error('closed before opening')))
  })
  return {
    socket,
    frames,
    closed: () => code,
    async welcome() {
      socket.send('["hello",null]')
      await waitFor(() => frames.some((f) => f[0] === 'welcome'), 'welcome')
    },
    send: (...parts) => socket.send(JSON.stringify(parts)),
    gone: () => closed,
  }
}

/** Closes clients and waits until they are closed (a terminate when the close handshake does not end). */
export async function closeAll(clients: Iterable<RawClient>): Promise<void> {
  const all = [...clients]
  for (const c of all) c.socket.close()
  const late = setTimeout(() => all.forEach((c) => c.socket.terminate()), 2000)
  await Promise.all(all.map((c) => c.gone()))
  clearTimeout(late)
}

/**
 * The well-behaved client, after an attack: a new connection gets its welcome and an echo answered, and the process
 * is still the one that started.
 */
export async function stillServes(child: Child): Promise<void> {
  if (child.exited()) throw new Error(`the server process died: ${child.exited()}`)
  const c = await rawClient(child.ws)
  try {
    await c.welcome()
    c.send('e', 'echo', ['still here'], 1)
    await waitFor(() => c.frames.some((f) => f[0] === 'a' && f[1] === 1 && f[2] === 'still here'), 'the echo answered')
  } finally {
    await closeAll([c])
  }
}

/** Asks the server until its stats satisfy `ok` (each answer is a round trip to the process: no sleep needed). */
export async function eventually(child: Child, ok: (stats: ChildStats) => boolean, what: string, timeoutMs = 5000): Promise<ChildStats> {
  const deadline = Date.now() + timeoutMs
  let stats = await child.stats()
  while (!ok(stats)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(stats)}`)
    await new Promise((r) => setImmediate(r))
    stats = await child.stats()
  }
  return stats
}

/** After the attack's clients are gone: the server holds no connection, handshake, room or ack of theirs. */
export const holdsNothing = (child: Child): Promise<ChildStats> =>
  eventually(child, (s) => s.server.connections + s.server.handshaking + s.server.rooms + s.server.pendingAcks === 0, 'the server to hold nothing')

export const MiB = 1_048_576
