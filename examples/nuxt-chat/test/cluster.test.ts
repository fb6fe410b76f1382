// The chat on a cluster (issue "Scale"): real redis-server, 3 backend nodes on socket.io's Redis Streams adapter,
// real HAProxy with cookie stickiness, the built Nuxt app; 2 users in Chromium and 50 in Node (the library's core
// client over socket.io-client, WebSocket only). All on 127.0.0.1, every process stopped in afterAll.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSocketClient, createSubscription, type SocketClient } from '@ssr-socket/core'
import { freePort, waitFor } from '@ssr-socket/core/testing'
import { CHROMIUM, chromiumArgs, requireChromium } from '../../../test/chromium'
import { HEALTH_CHECK_MS, startCluster } from '../backend/cluster.mjs'
import { STORE_DOWN } from '../backend/chat.mjs'
import { startClusterDemo } from '../demo.mjs'
import { signInOnPage } from './signIn'
import type { ChatMessage } from '../app/types'

const ROOM = 'general'
const NODE_USERS = 50
/** The library's defaults: reconnectionDelayMax 5000 ms, jitter 0.5. */
const RECONNECT_BOUND_MS = 5000 * 1.5 + HEALTH_CHECK_MS

let demo: Awaited<ReturnType<typeof startClusterDemo>>
let browser: Browser
const logs: string[] = []
const problems: string[] = []

async function signIn(name: string): Promise<string> {
  const res = await fetch(`${demo.backendUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) })
  if (res.status !== 200) throw new Error(`sign-in of ${name}: ${res.status} ${await res.text()}`)
  // The balancer adds its own stickiness cookie: take the session's.
  return res.headers.getSetCookie().find((c) => c.startsWith('chat_session='))!.split(';')[0]!
}

type JoinAck = { error?: string; history: ChatMessage[]; names: string[]; at: number }

/**
 * A user in Node, written as the app's useChat is: the room as a subscription; messages once by id; the history a
 * join brings, plus what arrived live that it does not hold yet.
 */
interface NodeUser {
  name: string
  client: SocketClient
  node: string | null
  list: ChatMessage[]
  /** Every id this user has: handled live or received in a history. */
  seen: Set<string>
  handled: Map<string, number>
  names: string[]
  namesAt: number
  statuses: string[]
  joinErrors: string[]
  /** When the first join answered: messages acked after it must all reach this user. */
  joinedAt: number
}

function nodeUser(name: string, cookie: string): NodeUser {
  const client = createSocketClient({
    url: demo.backendUrl,
    isServer: false,
    io: () => import('socket.io-client'),
    socketOptions: { transports: ['websocket'], extraHeaders: { origin: demo.allowedOrigins[0]!, cookie } },
  })
  const user: NodeUser = { name, client, node: null, list: [], seen: new Set(), handled: new Map(), names: [], namesAt: 0, statuses: [], joinErrors: [], joinedAt: 0 }
  // The room as the library's subscription: joined on connect and after every reconnect the server did not recover.
  createSubscription<JoinAck>(client, 'join', [ROOM], {
    unsubscribe: 'leave',
    onAck(result) {
      if (result.error !== undefined) return void user.joinErrors.push(result.error)
      // As the app merges: the history, plus what arrived live that it does not hold yet.
      const known = new Set(result.history.map((m) => m.id))
      const since = result.history[0]?.at ?? 0
      user.list = [...result.history, ...user.list.filter((m) => !known.has(m.id) && m.at >= since)]
      for (const m of result.history) user.seen.add(m.id)
      if (result.at >= user.namesAt) [user.names, user.namesAt] = [result.names, result.at]
      user.joinedAt ||= Date.now()
    },
    onError: (error) => user.joinErrors.push(error.message),
  })
  client.on('me', (me: { node: string }) => (user.node = me.node))
  client.on('message', (m: ChatMessage) => {
    user.handled.set(m.id, (user.handled.get(m.id) ?? 0) + 1)
    user.seen.add(m.id)
    if (!user.list.some((x) => x.id === m.id)) user.list.push(m)
  })
  client.on('presence', (p: { room: string; names: string[]; at: number }) => {
    if (p.room === ROOM && p.at >= user.namesAt) [user.names, user.namesAt] = [p.names, p.at]
  })
  client.subscribe((state) => {
    if (user.statuses.at(-1) !== state.status) user.statuses.push(state.status)
  })
  client.connect()
  return user
}

async function browserUser(name: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  page.on('console', (m) => {
    // Chrome's own network lines about the socket of the killed node are the browser's, not the app's.
    if ((m.type() === 'error' || m.type() === 'warning') && !/socket\.io|WebSocket connection/.test(`${m.text()} ${m.location().url}`)) problems.push(`${name}: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`${name}: pageerror ${e.message}`))
  await page.goto(`${demo.url}/`)
  return signInOnPage(page, name, 15_000)
}

/** The node a browser page is on: HAProxy's stickiness cookie. */
async function nodeOf(page: Page): Promise<string> {
  const cookie = (await page.context().cookies(demo.backendUrl.replace('127.0.0.1', 'localhost'))).find((c) => c.name === 'SIO_NODE')
  if (!cookie) throw new Error('no SIO_NODE cookie: the balancer is not sticky')
  return cookie.value
}
const pageTexts = (page: Page) => page.$$eval('#messages li .text', (els) => els.map((e) => e.textContent ?? ''))
const pageNames = (page: Page) => page.$$eval('#presence li', (els) => els.map((e) => e.textContent ?? '').sort())

/** The doctor's CLI as a user runs it (the built package), with --json. */
const DOCTOR = fileURLToPath(new URL('../../../packages/doctor/dist/bin.js', import.meta.url))
type Report = { ok: boolean; checks: { id: string; target: string; status: string; evidence: string; fix?: string }[] }
const doctor = (...args: string[]): Promise<Report> =>
  new Promise((resolve, reject) =>
    execFile(process.execPath, [DOCTOR, ...args, '--json'], { timeout: 30_000 }, (error, stdout) => {
      try {
        resolve(JSON.parse(stdout) as Report)
      } catch {
        reject(error ?? new Error(`no JSON from the doctor: ${stdout}`))
      }
    }),
  )

const users: NodeUser[] = []
const pages: Page[] = []

// 50 users in one process are 50 apps: the library's development warning about two owners of one endpoint (meant
// for one app) is expected, and only that one.
const warnings: string[] = []
const warn = console.warn
beforeAll(async () => {
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '))
  requireChromium()
  demo = await startClusterDemo({ appPort: await freePort(), backendPort: await freePort(), nodes: 3, log: (line) => logs.push(line) })
  browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs })
}, 60_000)

afterAll(async () => {
  console.warn = warn
  for (const u of users) u.client.dispose()
  await browser?.close()
  await demo?.stop()
})

describe('the chat on 3 nodes, Redis and HAProxy', () => {
  it('kill -9 of the node that holds user A while messages flow: its clients are back within the bound on other nodes, nothing lost or handled twice, presence right, the others never disconnect', async () => {
    const a = await browserUser('ann')
    const b = await browserUser('bea')
    pages.push(a, b)
    const cookies = await Promise.all(Array.from({ length: NODE_USERS }, (_, i) => signIn(`user${i}`)))
    users.push(...cookies.map((cookie, i) => nodeUser(`user${i}`, cookie)))
    await waitFor(() => users.every((u) => u.joinedAt > 0 && u.node), 'all Node users joined', 20_000)
    const everyone = ['ann', 'bea', ...users.map((u) => u.name)].sort()
    await waitFor(() => users.every((u) => u.names.join() === everyone.join()), 'presence complete before', 10_000)
    // Spread over the 3 nodes by the balancer.
    expect(new Set(users.map((u) => u.node)).size).toBe(3)

    // Messages flow: 10 senders, one message each every 1.2 s (under the 5 per 5 s limit), acks recorded.
    const acked = new Map<string, { text: string; at: number }>()
    const refused: string[] = []
    let flowing = true
    let seq = 0
    const senders = users.slice(0, 10).map(async (u, i) => {
      await new Promise((r) => setTimeout(r, i * 120))
      while (flowing) {
        const text = `m${++seq} from ${u.name}`
        const result = (await u.client.emitWithAck('message', ROOM, text).catch((e: Error) => ({ error: e.message }))) as { ok?: true; id?: string; error?: string }
        if (result.id) acked.set(result.id, { text, at: Date.now() })
        else refused.push(`${u.name}: ${result.error}`)
        await new Promise((r) => setTimeout(r, 1200))
      }
    })
    await waitFor(() => acked.size >= 10, 'messages flowing', 10_000)

    const victim = await nodeOf(a)
    const affected = users.filter((u) => u.node === victim)
    const others = users.filter((u) => u.node !== victim)
    expect(affected.length).toBeGreaterThan(0)
    const before = new Map(users.map((u) => [u, u.statuses.length]))
    const bAffected = (await nodeOf(b)) === victim
    for (const page of [a, b]) {
      await page.evaluate(() => {
        const el = document.querySelector('.badge')!
        const seen: string[] = []
        ;(window as unknown as { __statuses: string[] }).__statuses = seen
        new MutationObserver(() => seen.push(el.getAttribute('data-status') ?? '')).observe(el, { attributes: true, attributeFilter: ['data-status'] })
      })
    }
    const killedAt = Date.now()
    await demo.cluster.kill(victim)

    // Every affected client connected again, on another node, within the bound.
    const back = new Map<NodeUser, number>()
    await waitFor(() => {
      for (const u of affected) if (!back.has(u) && u.statuses.length > before.get(u)! && u.client.getState().status === 'connected' && u.node !== victim) back.set(u, Date.now() - killedAt)
      return back.size === affected.length
    }, 'affected Node users back', RECONNECT_BOUND_MS + 5000)
    await a.waitForFunction(() => (window as unknown as { __statuses: string[] }).__statuses.at(-1) === 'connected', undefined, { timeout: RECONNECT_BOUND_MS + 5000 })
    const aBackMs = Date.now() - killedAt
    const worst = Math.max(...back.values())
    console.info(`[measure] node killed: ${victim} with ${affected.length} Node users and ann; back on other nodes after max ${worst} ms (Node users), ${aBackMs} ms (ann, at most: polled); bound ${RECONNECT_BOUND_MS} ms`)
    expect(worst).toBeLessThanOrEqual(RECONNECT_BOUND_MS)
    expect(aBackMs).toBeLessThanOrEqual(RECONNECT_BOUND_MS)
    expect(await nodeOf(a)).not.toBe(victim)
    // The users on the other nodes never left `connected`.
    for (const u of others) expect(u.statuses.slice(before.get(u)!)).toEqual([])
    const bStatuses = () => b.evaluate(() => (window as unknown as { __statuses: string[] }).__statuses)
    if (bAffected) await b.waitForFunction(() => (window as unknown as { __statuses: string[] }).__statuses.at(-1) === 'connected', undefined, { timeout: 5000 })
    else expect(await bStatuses()).toEqual([])

    // Let the flow go on a little on the new nodes, then stop it and let everything arrive.
    const count = acked.size
    await waitFor(() => acked.size >= count + 10, 'messages flowing after the failover', 15_000)
    flowing = false
    await Promise.all(senders)
    const server = ((await users[0]!.client.emitWithAck('join', ROOM)) as JoinAck).history
    // The server's history is in the order the store took the messages; a client's in the order they arrived, which
    // can differ for two messages sent at the same moment through different nodes: compared as sets.
    const serverIds = server.map((m) => m.id)
    await waitFor(() => users.every((u) => serverIds.every((id) => u.list.some((m) => m.id === id))), 'every Node user has the server history', 10_000)

    // 0 handled twice, 0 lost: every message acked after a user joined is in what that user has.
    for (const u of users) {
      expect([...u.handled.values()].filter((n) => n > 1)).toEqual([])
      expect(new Set(u.list.map((m) => m.id)).size, 'no message twice in a list').toBe(u.list.length)
      const missing = [...acked].filter(([id, m]) => m.at > u.joinedAt && !u.seen.has(id))
      expect(missing, `${u.name} misses messages`).toEqual([])
      expect(u.joinErrors).toEqual([])
    }
    const serverTexts = server.map((m) => m.text)
    for (const page of [a, b]) {
      await page.waitForFunction((all) => {
        const shown = new Set([...document.querySelectorAll('#messages li .text')].map((e) => e.textContent))
        return all.every((t) => shown.has(t))
      }, serverTexts)
      const texts = await pageTexts(page)
      expect(texts.length, 'no message shown twice').toBe(new Set(texts).size)
      const ackedTexts = [...acked.values()].map((m) => m.text)
      expect(ackedTexts.filter((t) => !texts.includes(t) && !serverTexts.includes(t)), 'messages acked and never shown').toEqual([])
    }
    // Presence after the failover: everyone, on every client.
    await waitFor(() => users.every((u) => u.names.join() === everyone.join()), 'presence right on every Node user', 10_000)
    for (const page of [a, b]) expect(await pageNames(page)).toEqual(everyone)
    // Refusals are possible only as clear errors (a message to the dying node is lost with its ack: none here).
    expect(refused.filter((r) => !r.includes('Slow down'))).toEqual([])
    expect(problems).toEqual([])
    expect(warnings.filter((w) => !w.startsWith('[ssr-socket] Two owners connect to'))).toEqual([])
  }, 120_000)

  it('Redis restart: nodes and clients recover; a message during the outage is refused with a clear error or delivered, never silently dropped', async () => {
    const sender = users[20]!
    const reader = users[30]!
    await demo.cluster.stopRedis()
    const during = (await sender.client.emitWithAck('message', ROOM, 'while Redis is down').catch((e: Error) => ({ error: e.message }))) as { id?: string; error?: string }
    // Refused (the store cannot take it) with the backend's clear message; not taken and then lost.
    expect(during.error).toBe(STORE_DOWN)
    await demo.cluster.startRedis()
    // The nodes are back on Redis: a message goes through and reaches a user on any node.
    // (The store's client reconnects within 200 ms; a refusal before that is the same clear error.)
    let after: { id?: string; error?: string } = {}
    for (let tries = 0; !after.id; tries++) {
      if (tries === 30) throw new Error(`no message accepted 15 s after the Redis restart: ${after.error}`)
      if (tries) await new Promise((r) => setTimeout(r, 500))
      after = (await sender.client.emitWithAck('message', ROOM, 'after the Redis restart').catch((e: Error) => ({ error: e.message }))) as typeof after
      if (after.error) expect(after.error).toBe(STORE_DOWN)
    }
    await waitFor(() => users.every((u) => u.seen.has(after.id!)), 'delivered to every Node user', 10_000)
    for (const page of pages) await page.waitForFunction(() => [...document.querySelectorAll('#messages li .text')].some((e) => e.textContent === 'after the Redis restart'))
    // The history survived the restart (append-only file) and holds no message that was refused.
    const history = ((await reader.client.emitWithAck('join', ROOM)) as JoinAck).history
    expect(history.map((m) => m.text)).toContain('after the Redis restart')
    expect(history.map((m) => m.text)).not.toContain('while Redis is down')
    for (const u of users) expect(u.client.getState().status).toBe('connected')
    expect(problems).toEqual([])
  }, 60_000)

  it('the doctor against the balancer passes its stickiness check; against one without stickiness (polling on) it fails with the fix', async () => {
    const good = await doctor(demo.backendUrl, '--proxy', 'haproxy', '--origin', demo.allowedOrigins[0]!)
    const session = good.checks.find((c) => c.id === 'session')!
    expect(session.status).toBe('pass')
    expect(session.evidence).toMatch(/upgrade of the session: 101/)
    expect(good.checks.filter((c) => c.status === 'fail')).toEqual([])

    const bad = await startCluster({ nodes: 3, sticky: false, allowedOrigins: demo.allowedOrigins, secret: 'a'.repeat(64) })
    try {
      const report = await doctor(bad.url, '--proxy', 'haproxy', '--origin', demo.allowedOrigins[0]!)
      const check = report.checks.find((c) => c.id === 'session')!
      expect(check.status).toBe('fail')
      expect(check.evidence).toMatch(/Session ID unknown/)
      expect(check.fix).toMatch(/sticky sessions/)
      expect(check.fix).toMatch(/cookie/)
      expect(report.ok).toBe(false)
    } finally {
      await bad.stop()
    }
  }, 60_000)
})
