// bench:cluster: the chat backend's broadcast to one room of CLIENTS (600) Node clients, spread over 3 nodes on
// Redis (socket.io's Redis Streams adapter) vs the same clients on 1 node alone (in memory), in the same run; then
// the same measure over the WebSocket transport: the live board (its socket server inside Nitro, @ssr-socket/server)
// as 3 processes on the Redis adapter vs 1 process in memory, its clients raw WebSockets speaking the protocol.
// Clients are raw socket.io-client sockets over WebSocket, connected to the nodes directly (the balancer is not what
// is measured here: it is a TCP hop for a WebSocket). Latency: from the sender's emit to each receiver's handler,
// one clock (one process). Then the sustained rate: messages/s at which every delivery arrives (0 lost).
// Writes its section of bench/RESULTS.md (between the cluster markers; `npm run bench` keeps it) and prints it.
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Manager } from 'socket.io-client'
import { startCluster, startSingle } from '../examples/nuxt-chat/backend/cluster.mjs'
import { startBoardCluster } from '../examples/nuxt-live-board/cluster.mjs'
import { startBoard } from '../examples/nuxt-live-board/demo.mjs'
import { freePort } from '../packages/core/dist/testing.js'
import { quantile, sleep, until } from './util.mjs'

const { WebSocket } = createRequire(new URL('../packages/server/package.json', import.meta.url))('ws')
const CLIENTS = Number(process.env.CLIENTS ?? 600)
const ORIGIN = 'http://bench.test'
const ROOM = 'general'
const SECRET = 'b'.repeat(64)
/** The backend allows 5 messages per 5 s per user: senders take turns, each under one message every 1.5 s. */
const SENDERS = Math.min(CLIENTS, 300)

async function connectAll(nodeUrls) {
  const cookies = []
  for (let i = 0; i < CLIENTS; i += 50) {
    cookies.push(...(await Promise.all(Array.from({ length: Math.min(50, CLIENTS - i) }, async (_, j) => {
      const res = await fetch(`${nodeUrls[0]}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `u${i + j}` }) })
      return res.headers.getSetCookie().find((c) => c.startsWith('chat_session=')).split(';')[0]
    }))))
  }
  const clients = []
  for (let i = 0; i < CLIENTS; i += 50) {
    clients.push(...(await Promise.all(cookies.slice(i, i + 50).map(async (cookie, j) => {
      const url = nodeUrls[(i + j) % nodeUrls.length]
      const socket = new Manager(url, { transports: ['websocket'], extraHeaders: { origin: ORIGIN, cookie }, reconnection: false }).socket('/')
      await new Promise((resolve, reject) => {
        socket.once('connect', resolve)
        socket.once('connect_error', reject)
      })
      const joined = await socket.timeout(20_000).emitWithAck('join', ROOM)
      if (joined.error) throw new Error(`join: ${joined.error}`)
      return { socket, got: new Map() }
    }))))
  }
  return clients
}

/** Sends `count` messages at `rate` per second from the senders; resolves with per-delivery latencies and losses. */
async function round(clients, sentAt, tag, count, rate) {
  for (const c of clients) c.got.clear()
  const refused = []
  const senders = clients.slice(0, SENDERS)
  const started = performance.now()
  const acks = []
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / rate
    const wait = due - performance.now()
    if (wait > 0) await sleep(wait)
    const text = `${tag}:${i}`
    sentAt.set(text, performance.now())
    acks.push(senders[i % SENDERS].socket.timeout(20_000).emitWithAck('message', ROOM, text).then((a) => a.error && refused.push(a.error), (e) => refused.push(e.message)))
  }
  await Promise.all(acks)
  const expected = count - refused.length
  await until(() => clients.every((c) => c.got.size >= expected), `${tag}: every delivery`, 30_000).catch(() => {})
  const latencies = []
  let lost = 0
  for (const c of clients) {
    for (let i = 0; i < count; i++) {
      const at = c.got.get(`${tag}:${i}`)
      if (at === undefined) lost++
      else latencies.push(at - sentAt.get(`${tag}:${i}`))
    }
  }
  return { count, rate, refused: refused.length, lost: lost - refused.length * clients.length, deliveries: latencies.length, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), seconds: (performance.now() - started) / 1000 }
}

/**
 * A board client: a raw WebSocket that speaks the events protocol (PROTOCOL.md) with recovery, as the core's
 * transport does, and enters the board. `socket.timeout(ms).emitWithAck` and `on('message')` mimic what round() uses.
 */
async function boardClient(url, name) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/_ws`, 'ssr-socket.v1')
  const acks = new Map()
  const listeners = []
  let nextAck = 0
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  const welcomed = new Promise((resolve) => {
    ws.on('message', (data) => {
      const [type, a, b] = JSON.parse(String(data))
      if (type === 'welcome') resolve()
      else if (type === 'ping') ws.send('["pong"]')
      else if (type === 'a') acks.get(a)?.(b)
      else if (type === 'x') acks.get(a)?.({ error: b.message })
      else if (type === 'e' && a === 'note') for (const l of listeners) l(b[0])
    })
  })
  ws.send(JSON.stringify(['hello', null, null]))
  await welcomed
  const emitWithAck = (event, ...args) =>
    new Promise((resolve) => {
      const id = ++nextAck
      acks.set(id, (v) => (acks.delete(id), resolve(v)))
      ws.send(JSON.stringify(['e', event, args, id]))
    })
  const entered = await emitWithAck('enter', name)
  if (entered.error) throw new Error(`enter: ${entered.error}`)
  return {
    socket: {
      // (post answers { ok } or { error }; round() reads .error)
      timeout: () => ({ emitWithAck: (_event, _room, text) => emitWithAck('post', text) }),
      on: (_event, listener) => listeners.push(listener),
      disconnect: () => ws.close(1000),
    },
    got: new Map(),
  }
}

async function connectBoard(nodeUrls) {
  const clients = []
  for (let i = 0; i < CLIENTS; i += 50) clients.push(...(await Promise.all(Array.from({ length: Math.min(50, CLIENTS - i) }, (_, j) => boardClient(nodeUrls[(i + j) % nodeUrls.length], `u${i + j}`)))))
  return clients
}

async function measure(name, start, connect = connectAll) {
  const backend = await start()
  const nodeUrls = backend.nodes ? backend.nodes.map((n) => `http://127.0.0.1:${n.port}`) : [backend.url]
  const clients = await connect(nodeUrls)
  const sentAt = new Map()
  for (const c of clients) c.socket.on('message', (m) => c.got.set(m.text, performance.now()))
  await sleep(1500) // the presence announcements of 600 joins settle
  await round(clients, sentAt, `${name}-warm`, 20, 10)
  const latency = await round(clients, sentAt, `${name}-lat`, 100, 10)
  const sweep = []
  for (const rate of [25, 50, 100, 200]) {
    const r = await round(clients, sentAt, `${name}-r${rate}`, rate * 5, rate)
    sweep.push(r)
    if (r.lost || r.refused) break
  }
  for (const c of clients) c.socket.disconnect()
  await backend.stop()
  return { name, nodes: nodeUrls.length, latency, sweep }
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`
const allowedOrigins = [ORIGIN]
console.log(`bench:cluster: ${CLIENTS} clients, 1 node vs 3 nodes on Redis (${machine})`)
const single = await measure('1 node', () => startSingle({ allowedOrigins, secret: SECRET }))
console.log(JSON.stringify(single))
const cluster = await measure('3 nodes', () => startCluster({ nodes: 3, allowedOrigins, secret: SECRET }))
console.log(JSON.stringify(cluster))
// The live board's notes are { text } objects: receivers record them by text, as the chat's messages.
const board = async (name, start) => {
  const m = await measure(name, start, connectBoard)
  console.log(JSON.stringify(m))
  return m
}
const boardSingle = await board('1 process', async () => startBoard({ port: await freePort() }))
const boardCluster = await board('3 processes', () => startBoardCluster({ nodes: 3 }))

const ms = (n) => `${n.toFixed(1)} ms`
const sustained = (m) => {
  const ok = m.sweep.filter((r) => !r.lost && !r.refused && r.p99 < 1000)
  return ok.length ? `${ok.at(-1).rate} msg/s (${(ok.at(-1).rate * CLIENTS).toLocaleString('en')} deliveries/s), p99 ${ms(ok.at(-1).p99)}` : 'below 25 msg/s'
}
const ratio = cluster.latency.p99 / single.latency.p99
const boardRatio = boardCluster.latency.p99 / boardSingle.latency.p99
const table = (rows, label) => rows.map((m) => `| ${m.name} (${label(m)}) | ${ms(m.latency.p50)} | ${ms(m.latency.p99)} | ${m.latency.deliveries.toLocaleString('en')} | ${m.latency.lost} | ${sustained(m)} |`)
const section = [
  '<!-- cluster:start -->',
  '## Cluster (`npm run bench:cluster`)',
  '',
  `Measured ${new Date().toISOString()} on ${machine}. ${CLIENTS} socket.io-client sockets (WebSocket) in one room, connected`,
  'to the nodes directly (round robin); one broadcast per message; latency from the emit to each handler (one clock).',
  'The nodes, Redis and the clients share the machine (no balancer in this measure).',
  '',
  '| setup | p50 | p99 | deliveries | lost | sustained without loss (p99 < 1 s) |',
  '| --- | ---: | ---: | ---: | ---: | --- |',
  ...table([single, cluster], (m) => (m.nodes > 1 ? 'socket.io, Redis Streams adapter' : 'socket.io, in memory')),
  ...table([boardSingle, boardCluster], (m) => (m.nodes > 1 ? 'WebSocket, @ssr-socket/server on the Redis adapter' : 'WebSocket, @ssr-socket/server in memory')),
  '',
  `p99 ratio 3 nodes / 1 node: socket.io **${ratio.toFixed(2)}**, WebSocket (the live board, recovery on) **${boardRatio.toFixed(2)}** (goal <= 1.5). Latency rows: 100 messages at 10/s. Sweep (5 s each, stops at the first loss): ${[single, cluster, boardSingle, boardCluster].map((m) => `${m.name}: ${m.sweep.map((r) => `${r.rate}/s p99 ${ms(r.p99)}${r.lost ? `, ${r.lost} lost` : ''}`).join('; ')}`).join(' | ')}.`,
  '<!-- cluster:end -->',
].join('\n')
const file = fileURLToPath(new URL('./RESULTS.md', import.meta.url))
const old = readFileSync(file, 'utf8')
const marked = /<!-- cluster:start -->[\s\S]*<!-- cluster:end -->/
writeFileSync(file, marked.test(old) ? old.replace(marked, section) : `${old.trimEnd()}\n\n${section}\n`)
console.log(`\n${section}`)
process.exit(0)
