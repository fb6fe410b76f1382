// The live board as three processes on Redis behind HAProxy (cluster.mjs), with Node clients and Chromium pages on
// the board: a node killed (-9) while notes are posted, then one stopped (SIGTERM). The clients of the node that went
// reconnect through the balancer to another one and recover their session from Redis (its live copy: a killed process
// saves nothing at the end), with the notes posted meanwhile replayed: every acknowledged note reaches every client
// once (none lost, none twice), and the presence list is everyone again.
import { chromium, type Browser, type Page } from 'playwright-core'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSocketClient, type SocketClient } from '@ssr-socket/core'
import { waitFor } from '@ssr-socket/core/testing'
import { CHROMIUM, chromiumArgs, requireChromium } from '../../../test/chromium'
import { startBoardCluster } from '../cluster.mjs'
import { enterBoard } from './page'

let cluster: Awaited<ReturnType<typeof startBoardCluster>>
let browser: Browser
const logs: string[] = []
const problems: string[] = []

beforeAll(async () => {
  requireChromium()
  cluster = await startBoardCluster({ log: (line) => logs.push(line) })
  browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await cluster?.stop()
})

interface Member {
  readonly name: string
  readonly client: SocketClient
  /** Note texts in the order they arrived. */
  readonly seen: string[]
  presence: string[]
  /** Left `connected` since the last reset. */
  dropped: boolean
}

const members: Member[] = []
async function member(name: string): Promise<Member> {
  const client = createSocketClient({ url: cluster.url, path: '/_ws', isServer: false, transport: 'websocket', websocket: { WebSocket }, reconnection: { delayMs: 100, maxDelayMs: 500, jitter: 0.2 } })
  const m: Member = { name, client, seen: [], presence: [], dropped: false }
  client.on('note', (note) => m.seen.push((note as { text: string }).text))
  client.on('presence', (names) => (m.presence = names as string[]))
  client.subscribe((state) => state.status !== 'connected' && (m.dropped = true))
  client.connect()
  await waitFor(() => client.getState().status === 'connected', `${name} connected`, 10_000)
  expect(await client.emitWithAck('enter', name)).toMatchObject({ notes: expect.any(Array) })
  members.push(m)
  return m
}

const page = (name: string): Promise<Page> => enterBoard(browser, cluster.url, name, problems, { console: false })

/** Posts from `senders` every few ms until `stop()`; resolves with the texts the server acknowledged. */
function traffic(senders: Member[], tag: string) {
  const acked: string[] = []
  let running = true
  let n = 0
  const loops = senders.map(async (m) => {
    while (running) {
      const text = `${tag}-${m.name}-${++n}`
      const answer = await m.client.emitWithAck('post', text).catch(() => null)
      if (answer && 'ok' in (answer as object)) acked.push(text)
      await new Promise((r) => setTimeout(r, 25)) // a pace, not a wait for anything
    }
  })
  return {
    acked,
    stop: async () => {
      running = false
      await Promise.all(loops)
      return acked
    },
  }
}

/** Every acknowledged note reached every member once; the pages show them. */
async function expectDelivered(acked: string[], pages: Page[]) {
  expect(acked.length).toBeGreaterThan(10)
  await waitFor(() => members.every((m) => acked.every((t) => m.seen.includes(t))), 'every acknowledged note at every member', 15_000).catch((error) => {
    for (const m of members) console.log(m.name, 'missing', acked.filter((t) => !m.seen.includes(t)))
    console.log(logs.slice(-40).join('\n'))
    throw error
  })
  for (const m of members) {
    const twice = m.seen.filter((t, i) => m.seen.indexOf(t) !== i)
    if (twice.length) console.log(`${m.name} (${m.dropped ? 'moved' : 'stayed'}) got twice: ${twice.join(', ')}`)
    expect(m.seen.length, `${m.name}: a note twice`).toBe(new Set(m.seen).size)
  }
  // A page lists the last 50 notes.
  const last = acked.slice(-40)
  for (const p of pages) {
    await p.waitForFunction((texts) => { const shown = [...document.querySelectorAll('#notes li')].map((li) => li.textContent ?? ''); return texts.every((t) => shown.some((s) => s.endsWith(`: ${t}`))) }, last, { timeout: 15_000 })
    const shown = await p.$$eval('#notes li', (items) => items.map((li) => li.textContent ?? ''))
    for (const text of last) expect(shown.filter((s) => s.endsWith(`: ${text}`)), text).toHaveLength(1)
  }
}

const everyone = () => [...members.map((m) => m.name), 'pia', 'pol'].sort()

describe('the live board as a cluster (3 Nitro processes, Redis, HAProxy)', () => {
  it('kill -9 of a node under traffic: its clients recover on another node; nothing lost among acked notes, nothing twice; presence right', async () => {
    for (let i = 1; i <= 9; i++) await member(`n${i}`)
    const pages = [await page('pia'), await page('pol')]
    await waitFor(() => members.every((m) => m.presence.join() === everyone().join()), 'presence: everyone', 10_000)
    for (const m of members) m.dropped = false
    const posts = traffic(members.slice(0, 3), 'kill')
    await waitFor(() => posts.acked.length >= 5, 'traffic flowing')
    await cluster.kill('board-1')
    const moved = () => members.filter((m) => m.dropped)
    await waitFor(() => moved().length > 0, 'the clients of board-1 dropped', 10_000)
    await waitFor(() => members.every((m) => m.client.getState().status === 'connected'), 'everyone connected again', 15_000)
    await waitFor(() => posts.acked.length >= 25, 'traffic after the failover', 15_000)
    const acked = await posts.stop()
    // Each moved client took its session back from Redis: same id, room and name, the notes posted meanwhile replayed.
    for (const m of moved()) expect(m.client.getState(), m.name).toMatchObject({ status: 'connected', recovered: true })
    await expectDelivered(acked, pages)
    console.log(`kill -9: ${moved().length} of ${members.length} Node clients moved, ${moved().filter((m) => m.client.getState().recovered).length} recovered; ${acked.length} acknowledged notes, each at all ${members.length} Node clients once and on both pages (0 lost, 0 twice)`)
    await waitFor(() => members.every((m) => m.presence.join() === everyone().join()), 'presence: everyone again', 10_000)
    for (const p of pages) await p.waitForFunction((names) => document.querySelector('#present')?.textContent === names, everyone().join(', '))
    expect(problems).toEqual([])
    await cluster.revive('board-1')
  })

  it('SIGTERM of a node: every one of its clients recovers (recovered: true)', async () => {
    for (const m of members) m.dropped = false
    const posts = traffic(members.slice(0, 2), 'term')
    await waitFor(() => posts.acked.length >= 5, 'traffic flowing')
    await cluster.terminate('board-2')
    await waitFor(() => members.some((m) => m.dropped), 'the clients of board-2 dropped', 10_000)
    await waitFor(() => members.every((m) => m.client.getState().status === 'connected'), 'everyone connected again', 15_000)
    await waitFor(() => posts.acked.length >= 20, 'traffic after it', 15_000)
    const acked = await posts.stop()
    const moved = members.filter((m) => m.dropped)
    expect(moved.length).toBeGreaterThan(0)
    for (const m of moved) expect(m.client.getState(), m.name).toMatchObject({ recovered: true })
    await expectDelivered(acked, [])
    console.log(`SIGTERM: ${moved.length} of ${members.length} Node clients moved, ${moved.filter((m) => m.client.getState().recovered).length} recovered; ${acked.length} acknowledged notes, each at every client once`)
    await waitFor(() => members.every((m) => m.presence.join() === everyone().join()), 'presence: everyone', 10_000)
    for (const m of members.splice(0)) m.client.dispose()
    await cluster.revive('board-2')
  })
})
