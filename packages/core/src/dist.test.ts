// The published build, not the source: the ESM dist is unbundled and its internal `_x` members are renamed by the
// build (mangleProps), so what depends on a name (socket.io-client's own `_readyState`, the store methods called
// unbound) is checked here against dist/. `npm test` builds before it tests; run `npm run build` in packages/core
// before running this file alone.
import { execFile } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { waitFor } from './testServer.js'
import { sleep, twoNamespaces, useCleanup } from './testFixtures.js'

const fx = useCleanup()
type Core = typeof import('./index.js')
const dist = new URL('../dist/index.js', import.meta.url).href
const load = (): Promise<Core> => import(/* @vite-ignore */ dist) as Promise<Core>

describe('the ESM build (dist/)', () => {
  it('closing a namespace while its CONNECT is on the wire leaves no server socket (reads socket.io-client\'s _readyState)', async () => {
    const { createSocketRegistry } = await load()
    const server = await fx.server()
    const { registry, a } = await twoNamespaces(server, createSocketRegistry)
    try {
      a.disconnect()
      await waitFor(() => server.io.of('/a').sockets.size === 0, 'a gone')
      a.connect()
      a.disconnect()
      await sleep(300) // the server's answer to the CONNECT, then the DISCONNECT that follows it
      expect(server.io.of('/a').sockets.size).toBe(0)
    } finally {
      registry.dispose()
    }
  })

  it('getState and subscribe work unbound; the other methods through the client', async () => {
    const { createSocketClient } = await load()
    const server = await fx.server()
    const client = createSocketClient({ url: server.url, isServer: false })
    try {
      const { getState, subscribe } = client
      const seen: string[] = []
      subscribe((s) => seen.push(s.status))
      client.connect()
      await waitFor(() => getState().status === 'connected', 'connected')
      expect(seen.at(-1)).toBe('connected')
    } finally {
      client.dispose()
    }
  })

  it('@ssr-socket/core/testing loads without socket.io installed (a WebSocket-only app); only createTestServer() needs it', async () => {
    // A Node process in which socket.io cannot be found, as in an app that never installed it.
    const hook = `export async function resolve(s, c, next) { if (s === 'socket.io') { const e = new Error('Cannot find package socket.io'); e.code = 'ERR_MODULE_NOT_FOUND'; throw e } return next(s, c) }`
    const script = [
      `import { register } from 'node:module'`,
      `register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}))`,
      `const testing = await import(${JSON.stringify(new URL('../dist/testing.js', import.meta.url).href)})`,
      `const mock = testing.createMockTransport()`,
      `const failed = await testing.createTestServer().then(() => 'started', (e) => e.code)`,
      `console.log(JSON.stringify({ mock: typeof mock.emit, failed }))`,
    ].join('\n')
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', script], (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(stdout))),
    )
    expect(JSON.parse(out)).toEqual({ mock: 'function', failed: 'ERR_MODULE_NOT_FOUND' })
  })

  it('production: a missing url is a config SocketError coded options.url; before the engine, getDiagnostics counts what was recorded', async () => {
    const script = [
      `const { createSocketClient, isSocketError } = await import(${JSON.stringify(dist)})`,
      `let missing`,
      `try { createSocketClient({ isServer: false }) } catch (e) { missing = { socketError: isSocketError(e), kind: e.kind, code: e.code } }`,
      `const client = createSocketClient({ url: 'http://127.0.0.1:9', isServer: false })`,
      `const a = () => {}`,
      `const b = () => {}`,
      `client.on('x', a); client.on('x', b); client.once('y', a); client.off('x', a); client.on('z', a); client.off('z')`,
      `client.emit('e', 1); client.emitWithAck('k', 2).catch(() => {})`,
      `const { handlers, queue, pendingAcks, hasSocket } = client.getDiagnostics()`,
      `client.dispose()`,
      `console.log(JSON.stringify({ missing, handlers, queue, pendingAcks, hasSocket }))`,
    ].join('\n')
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, NODE_ENV: 'production' } }, (error, stdout, stderr) =>
        error ? reject(new Error(stderr || error.message)) : resolve(stdout),
      ),
    )
    expect(JSON.parse(out)).toEqual({
      missing: { socketError: true, kind: 'config', code: 'options.url' },
      handlers: { x: 1, y: 1 },
      queue: { size: 2, dropped: 0, expired: 0 },
      pendingAcks: 1,
      hasSocket: false,
    })
  })

  it('production: bad arguments are refused by the engine (at the call once it is there, when it takes a pre-engine call over), socket.io\'s reserved names by its transport', async () => {
    const server = await fx.server()
    const got: string[] = []
    server.io.on('connection', (socket) => {
      socket.onAny((event: string) => got.push(event))
      socket.on('last', (_value: unknown, ack: (answer: string) => void) => ack('ok'))
    })
    const script = [
      `const { createSocketClient } = await import(${JSON.stringify(dist)})`,
      `const client = createSocketClient({ url: process.env.URL, isServer: false, maxPayloadBytes: 64 })`,
      `const code = (f) => { try { f(); return 'sent' } catch (e) { return e.code } }`,
      `const big = 'x'.repeat(100)`,
      `const name = code(() => client.emit(''))`,
      `const handler = code(() => client.on('x', 'not a function'))`,
      `const early = code(() => client.emit('big', big))`,
      `const earlyAck = client.emitWithAck('big', big).then(() => 'resolved', (e) => e.code)`,
      `const earlyReserved = code(() => client.emit('disconnect'))`,
      // A handler the engine will refuse: the unsubscribe it returned must not take the good handler of that event off.
      `client.on('hello', () => {})`,
      `code(() => client.on('hello', undefined)())`,
      `client.emit('small', 'ok')`,
      `client.connect()`,
      `while (client.getState().status !== 'connected') await new Promise((r) => setTimeout(r, 10))`,
      `const live = code(() => client.emit('big', big))`,
      `const liveName = code(() => client.emit(''))`,
      `const liveHandler = code(() => client.once('x', null))`,
      `const liveReserved = code(() => client.emit('connect'))`,
      `const liveAck = await client.emitWithAck('big', big).then(() => 'resolved', (e) => e.code)`,
      `const nameAck = await client.emitWithAck('').then(() => 'resolved', (e) => e.code)`,
      `await client.emitWithAck('last', 'ok')`,
      `const errors = client.getDiagnostics().errors.map((e) => e.code)`,
      `const hello = client.getDiagnostics().handlers.hello`,
      `client.dispose()`,
      `console.log(JSON.stringify({ name, handler, early, earlyAck: await earlyAck, earlyReserved, live, liveName, liveHandler, liveReserved, liveAck, nameAck, errors, hello }))`,
    ].join('\n')
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, NODE_ENV: 'production', URL: server.url } }, (error, stdout, stderr) =>
        error ? reject(new Error(stderr || error.message)) : resolve(stdout),
      ),
    )
    // Before the engine, nothing is refused at the call in production: the engine refuses the bad name, the bad handler,
    // the emit over the limit and the undefined handler when it takes them over (errors in the diagnostics, in that
    // order), the emitWithAck rejects, and the reserved name is refused by the socket.io transport when the queue is
    // flushed. Once the engine is there, each is refused at the call. The emits around them go through, and the good
    // handler of 'hello' stays.
    expect(JSON.parse(out)).toEqual({
      name: 'sent',
      handler: 'sent',
      early: 'sent',
      earlyAck: 'too-large',
      earlyReserved: 'sent',
      live: 'too-large',
      liveName: 'bad-event',
      liveHandler: 'bad-event',
      liveReserved: 'reserved',
      liveAck: 'too-large',
      nameAck: 'bad-event',
      errors: ['bad-event', 'bad-event', 'too-large', 'bad-event', 'reserved'],
      hello: 1,
    })
    expect(got).toEqual(['small', 'last'])
  })
})
