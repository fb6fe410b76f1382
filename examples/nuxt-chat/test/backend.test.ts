// The chat backend against hostile events (issue: "one event from any signed-in user kills the chat backend"): each
// gets an error ack, and the backend stays up for a well-behaved client. Real backend on 127.0.0.1, real
// socket.io-client, nothing mocked.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { connect as netConnect, type Socket as NetSocket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { Manager, type Socket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '@ssr-socket/core/testing'
import { createChatBackend } from '../backend/chat.mjs'

const ORIGIN = 'http://app.test'
let backend: ReturnType<typeof createChatBackend>
let url: string
const sockets: Socket[] = []
/** Hand-made socket.io clients over raw TCP (slow readers). */
const rawSockets: NetSocket[] = []

async function signIn(name: string): Promise<string> {
  const res = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify({ name }) })
  const cookie = res.headers.get('set-cookie')
  if (!cookie) throw new Error(`no session cookie for ${name}`)
  return cookie.split(';')[0]!
}

/** One session per name (a second sign-in of a name online in another session is refused). */
const cookies = new Map<string, string>()

async function connect(name: string, cookie?: string): Promise<Socket> {
  if (!cookie) {
    cookie = cookies.get(name) ?? (await signIn(name))
    cookies.set(name, cookie)
  }
  const socket = new Manager(url, { transports: ['websocket'], extraHeaders: { origin: ORIGIN, cookie }, reconnection: false }).socket('/')
  sockets.push(socket)
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', reject)
  })
  return socket
}

const ask = (socket: Socket, event: string, ...args: unknown[]): Promise<{ error?: string } & Record<string, unknown>> =>
  socket.timeout(2000).emitWithAck(event, ...args) as Promise<{ error?: string } & Record<string, unknown>>

beforeAll(async () => {
  backend = createChatBackend({ allowedOrigins: [ORIGIN] })
  url = `http://127.0.0.1:${await backend.listen(0)}`
})
afterAll(async () => {
  for (const s of sockets) s.disconnect()
  for (const s of rawSockets) s.destroy()
  await backend.close()
})

describe('hostile events', () => {
  it('objects whose toString throws, and the socket id as a room, get error acks; the backend stays up', async () => {
    const mallory = await connect('mallory')
    const hostile = { toString: 1 }
    expect((await ask(mallory, 'join', hostile)).error).toMatch(/room/i)
    expect((await ask(mallory, 'join', 'general')).error).toBeUndefined()
    expect((await ask(mallory, 'message', 'general', hostile)).error).toMatch(/text/i)
    expect((await ask(mallory, 'message', hostile, 'hi')).error).toMatch(/join/i)
    // socket.rooms holds the socket's own id too: it is no room of the chat.
    expect((await ask(mallory, 'message', mallory.id, 'hi')).error).toMatch(/join/i)
    mallory.emit('typing', hostile)
    mallory.emit('typing', mallory.id)

    // A well-behaved user, after all of that, is served as usual.
    const alice = await connect('alice')
    const joined = await ask(alice, 'join', 'general')
    expect(joined.error).toBeUndefined()
    const seen: string[] = []
    alice.on('message', (m: { text: string }) => seen.push(m.text))
    expect((await ask(alice, 'message', 'general', 'still here')).ok).toBe(true)
    await waitFor(() => seen.includes('still here'), 'own message delivered')
    expect(mallory.connected).toBe(true)
  })
})

describe('limits', () => {
  it('answers 413 to a large body and 404 to unknown paths, instead of resetting or holding the connection', async () => {
    const large = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(5000) }) })
    expect(large.status).toBe(413)
    for (const path of ['/', '/admin', '/api/nothing']) expect((await fetch(`${url}${path}`)).status, path).toBe(404)
  })

  it('message, join and typing limits are per user across their sockets; a well-behaved user is served all along', async () => {
    const [flood1, flood2, bob, carol] = [await connect('flood'), await connect('flood'), await connect('bob'), await connect('carol')]
    for (const s of [flood1, flood2, bob, carol]) expect((await ask(s, 'join', 'general')).error).toBeUndefined()
    let typingSeen = 0
    bob.on('typing', () => typingSeen++)
    const carolSeen: string[] = []
    carol.on('message', (m: { name: string; text: string }) => m.name === 'carol' && carolSeen.push(m.text))

    // Two sockets of one user share one message window.
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => ask(i % 2 ? flood2 : flood1, 'message', 'general', `flood ${i}`)))
    expect(answers.filter((a) => a.ok)).toHaveLength(5)
    expect(answers.filter((a) => /slow down/i.test(String(a.error)))).toHaveLength(3)
    // Typing is relayed at most typingPerWindow times per user and window; the rest is dropped.
    for (let i = 0; i < 500; i++) (i % 2 ? flood2 : flood1).emit('typing', 'general')
    // Joins: the same per user.
    const joins = await Promise.all(Array.from({ length: 12 }, () => ask(flood1, 'join', 'random')))
    expect(joins.filter((a) => /slow down/i.test(String(a.error))).length).toBeGreaterThanOrEqual(2)

    // Meanwhile a well-behaved user gets every one of its messages through.
    for (let i = 0; i < 3; i++) expect((await ask(carol, 'message', 'general', `carol ${i}`)).ok).toBe(true)
    await waitFor(() => carolSeen.length === 3, "carol's own messages")
    expect(typingSeen).toBeLessThanOrEqual(10)
    expect(typingSeen).toBeGreaterThan(0)
  })

  it('one user holds at most socketsPerUser sockets; the next is refused with a reason', async () => {
    const held: Socket[] = []
    for (let i = 0; i < 10; i++) held.push(await connect('many'))
    await expect(connect('many')).rejects.toThrow(/too many connections/)
    const before = backend.io.of('/').sockets.size
    held[0]!.disconnect()
    // A slot is free again once the server has seen the disconnect.
    await waitFor(() => backend.io.of('/').sockets.size === before - 1, 'the server saw one close')
    expect((await connect('many')).connected).toBe(true)
  })
})

describe('sessions', () => {
  it('signing out revokes the session on the server: its sockets close and the cookie stops working', async () => {
    const cookie = await signIn('dave')
    const socket = await connect('dave', cookie)
    const out = await fetch(`${url}/api/session`, { method: 'DELETE', headers: { cookie, origin: ORIGIN } })
    expect(out.status).toBe(200)
    await waitFor(() => !socket.connected, 'the signed-out socket closed by the server')
    await expect(connect('dave', cookie)).rejects.toThrow(/unauthorized/)
    expect(await (await fetch(`${url}/api/session`, { headers: { cookie } })).json()).toEqual({ name: null })
  })

  it('a session expires on the server, whatever the browser keeps', async () => {
    const short = createChatBackend({ allowedOrigins: [ORIGIN], sessionTtlMs: 200 })
    const shortUrl = `http://127.0.0.1:${await short.listen(0)}`
    try {
      const res = await fetch(`${shortUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'erin' }) })
      const cookie = res.headers.get('set-cookie')!.split(';')[0]!
      expect(await (await fetch(`${shortUrl}/api/session`, { headers: { cookie } })).json()).toEqual({ name: 'erin' })
      // The server forgets it once the 200 ms are over (polled: the condition, not a sleep).
      let name: string | null = 'erin'
      await waitFor(() => {
        void fetch(`${shortUrl}/api/session`, { headers: { cookie } }).then((r) => r.json()).then((b: { name: string | null }) => (name = b.name))
          .catch(() => {}) // a poll still in flight when the server closes
        return name === null
      }, 'the session expired on the server', 3000)
    } finally {
      await short.close()
    }
  })

  it('a name online in another session cannot be taken; the same session may sign in again', async () => {
    const cookie = await signIn('frank')
    await connect('frank', cookie)
    const other = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'frank' }) })
    expect(other.status).toBe(409)
    expect((await other.json()).error).toMatch(/another session/)
    const again = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ name: 'frank' }) })
    expect(again.status).toBe(200)
  })
})

describe('slow readers', () => {
  it('four sockets that send 60,000 joins each and never read: dropped by the server, whose memory stays under 150 MiB; a well-behaved user gets all of its messages meanwhile', async () => {
    // The backend in a process of its own, so that its peak memory (VmHWM) is its own.
    const child = spawn(process.execPath, [fileURLToPath(new URL('../backend/server.mjs', import.meta.url))], {
      env: { ...process.env, PORT: '0', ALLOWED_ORIGINS: ORIGIN, CHAT_SECRET: 'slow-reader-test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let log = ''
    child.stderr!.on('data', (d) => (log += String(d)))
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(String(d))
          if (m) resolve(Number(m[1]))
        })
        child.once('exit', (code) => reject(new Error(`backend exited with ${code}: ${log}`)))
      })
      const base = `http://127.0.0.1:${port}`
      const session = async (name: string) =>
        (await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) })).headers.get('set-cookie')!.split(';')[0]!

      // The well-behaved user, through socket.io-client.
      const alice = new Manager(base, { transports: ['websocket'], extraHeaders: { origin: ORIGIN, cookie: await session('alice') }, reconnection: false }).socket('/')
      sockets.push(alice)
      await new Promise<void>((resolve, reject) => alice.once('connect', () => resolve()).once('connect_error', reject))
      expect((await ask(alice, 'join', 'general')).error).toBeUndefined()
      const seen: string[] = []
      alice.on('message', (m: { name: string; text: string }) => m.name === 'alice' && seen.push(m.text))

      // The attackers: a raw WebSocket each, which writes joins (each asks for an ack) and never reads.
      const readers = await Promise.all(['slow1', 'slow2', 'slow3', 'slow4'].map(async (name) => rawSocketIo(port, await session(name))))
      const closed = readers.map((s) => new Promise<void>((resolve) => s.once('close', () => resolve())))
      for (const s of readers) {
        s.pause() // never read again: the kernel's buffers fill, then the server's
        const frames: Buffer[] = []
        for (let id = 0; id < 60_000; id++) frames.push(clientFrame(`42${id}["join","no-such-room-${id % 10}"]`))
        s.write(Buffer.concat(frames))
      }
      for (let i = 0; i < 3; i++) expect((await ask(alice, 'message', 'general', `alice ${i}`)).ok).toBe(true)
      await waitFor(() => seen.length === 3, "alice's own messages")

      // Each reader, once it reads again, finds the server gone after what it had sent: dropped, not kept.
      for (const s of readers) s.resume()
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        Promise.all(closed).finally(() => clearTimeout(timer)),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('the server kept the slow readers open')), 15_000))),
      ])
      expect(log).toMatch(/dropped a connection that does not read/)
      const peakKiB = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1])
      expect(peakKiB / 1024).toBeLessThan(150)
      expect(alice.connected).toBe(true)
    } finally {
      child.kill()
    }
  }, 60_000)
})

/** A masked client text frame (RFC 6455). */
function clientFrame(text: string): Buffer {
  const payload = Buffer.from(text)
  const mask = randomBytes(4)
  const head = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff])
  return Buffer.concat([head, mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))])
}

/** A socket.io client by hand over a raw TCP socket: the WebSocket upgrade, Engine.IO open, then CONNECT to "/". */
async function rawSocketIo(port: number, cookie: string): Promise<NetSocket> {
  const s = netConnect(port, '127.0.0.1')
  rawSockets.push(s)
  s.on('error', () => {}) // the server drops it: that is the point
  s.write(
    `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nOrigin: ${ORIGIN}\r\nCookie: ${cookie}\r\n\r\n`,
  )
  let seen = ''
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      seen += d.toString('latin1')
      if (seen.includes('0{"sid"') && !seen.includes('sent-connect')) {
        seen += 'sent-connect'
        s.write(clientFrame('40'))
      }
      if (/40\{"sid"/.test(seen)) {
        s.off('data', onData)
        resolve()
      }
    }
    s.on('data', onData)
    s.once('close', () => reject(new Error(`closed before CONNECT: ${seen.slice(0, 200)}`)))
  })
  return s
}
