// 4b. Idle memory: the server's memory per idle connection, @ssr-socket/server on crossws's Node adapter vs socket.io
// (WebSocket transport only). Each server runs in a fresh process of its own (bench/idle-memory-server.mjs, started
// with --expose-gc) and reads its own figures; the clients run here: npm `ws` speaking the handshake (hello ->
// welcome) for ours, socket.io-client for the baseline. Runs interleaved (ours, baseline, ...), medians per side.
import { fork } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { Manager } from 'socket.io-client'
import { median, sleep } from './util.mjs'

const require = createRequire(import.meta.url)
const { WebSocket } = createRequire(new URL('../packages/server/package.json', import.meta.url))('ws')
const socketIoVersion = require('socket.io/package.json').version

/** Starts the server of `kind` ('ours' | 'socket.io') in its own process; resolves with { url, memory, stop }. */
function startProcess(kind) {
  const child = fork(fileURLToPath(new URL('./idle-memory-server.mjs', import.meta.url)), [kind], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  let next = 0
  const pending = new Map()
  child.on('message', (m) => {
    const waiting = pending.get(m?.id)
    if (!waiting) return
    pending.delete(m.id)
    if (m.error) waiting.reject(new Error(m.error))
    else waiting.resolve(m)
  })
  child.once('exit', (code) => {
    for (const { reject } of pending.values()) reject(new Error(`the ${kind} server exited (${code})`))
    pending.clear()
  })
  const stop = () =>
    new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done()
      child.once('exit', () => done())
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000)
      kill.unref()
      if (child.connected) child.send('stop')
      else child.kill('SIGKILL')
    })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the ${kind} server did not start within 20 s`))
    }, 20_000)
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`the ${kind} server exited (${code}) before listening`)))
    child.once('message', ({ port }) => {
      clearTimeout(timer)
      resolve({
        url: `http://127.0.0.1:${port}`,
        /** Waits in the server for `connections` connections, then its figures after gc (bounded: 90 s). */
        memory: (connections) =>
          new Promise((ok, fail) => {
            const id = ++next
            const t = setTimeout(() => {
              pending.delete(id)
              fail(new Error(`the ${kind} server did not report ${connections} connections in time`))
            }, 90_000)
            pending.set(id, { resolve: (m) => (clearTimeout(t), ok(m)), reject: (e) => (clearTimeout(t), fail(e)) })
            child.send({ id, op: 'memory', connections })
          }),
        stop,
      })
    })
  })
}

const within = (ms, what, start) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms)
    start(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    )
  })

/** Ours: a raw WebSocket with the subprotocol, `hello`, then idle once `welcome` is in. */
function oursClient(url, opened) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/_ws`, 'ssr-socket.v1')
  const client = { close: () => ws.terminate() }
  opened.push(client)
  return within(30_000, 'ssr-socket welcome', (resolve, reject) => {
    ws.onerror = (event) => reject(event.error ?? new Error(String(event.message)))
    ws.onopen = () => ws.send('["hello",null]')
    ws.onmessage = (event) => {
      if (JSON.parse(String(event.data))[0] !== 'welcome') return
      ws.onmessage = null
      ws.onerror = () => {}
      resolve(client)
    }
  })
}

/** The baseline: a socket.io-client socket (own Manager), WebSocket transport, idle once connected. */
function socketIoClient(url, opened) {
  const socket = new Manager(url, { transports: ['websocket'], reconnection: false }).socket('/')
  const client = { close: () => socket.disconnect() }
  opened.push(client)
  return within(30_000, 'socket.io connect', (resolve, reject) => {
    socket.once('connect', () => resolve(client))
    socket.once('connect_error', reject)
  })
}

/** `n` clients, `batch` handshakes at a time (under the listen backlog). */
async function connectAll(make, url, n, opened, batch = 100) {
  for (let i = 0; i < n; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, n - i) }, () => make(url, opened)))
  }
}

/** One fresh server process: per-connection growth of its RSS and heap (bytes). */
async function once(kind, n, warmup) {
  const make = kind === 'ours' ? oursClient : socketIoClient
  const server = await startProcess(kind)
  const opened = []
  try {
    // A few connections first, closed again: the first use of each code path (lazy loading, compilation) is not
    // charged to the connections measured.
    await connectAll(make, server.url, warmup, opened)
    for (const c of opened.splice(0)) c.close()
    const before = await server.memory(0)
    await connectAll(make, server.url, n, opened)
    const after = await server.memory(n)
    return { rss: (after.rss - before.rss) / n, heap: (after.heapUsed - before.heapUsed) / n }
  } finally {
    for (const c of opened) c.close()
    await sleep(200)
    await server.stop()
    globalThis.gc?.()
  }
}

export async function measureIdleMemory(count = 2000, runs = 3, warmup = 50) {
  const ours = []
  const baseline = []
  for (let i = 0; i < runs; i++) {
    ours.push(await once('ours', count, warmup))
    baseline.push(await once('socket.io', count, warmup))
  }
  const side = (key, label) => {
    const a = ours.map((r) => r[key])
    const b = baseline.map((r) => r[key])
    const ratios = a.map((v, i) => v / b[i])
    const value = median(a)
    const base = median(b)
    return {
      name: `server ${label} per idle connection (${count.toLocaleString('en')} connections)`,
      unit: 'bytes',
      value,
      baseline: base,
      ratio: value / base,
      interval: [Math.min(...ratios), Math.max(...ratios)],
      samples: { ours: a.map(Math.round), baseline: b.map(Math.round) },
      note: `${label === 'RSS' ? 'goal <= 1.0; ' : ''}@ssr-socket/server on crossws (Node adapter) vs socket.io ${socketIoVersion} (transports ['websocket']), each server a fresh --expose-gc process, growth after gc from listening (+${warmup} warm-up connections closed) to ${count.toLocaleString('en')} idle clients; median of ${runs} interleaved runs, interval min-max of the per-run ratios`,
    }
  }
  return [side('rss', 'RSS'), side('heap', 'heap')]
}
