// The chat backend against hostile events (issue: "one event from any signed-in user kills the chat backend"): each
// gets an error ack, and the backend stays up for a well-behaved client. Real backend on 127.0.0.1, real
// socket.io-client, nothing mocked.
import { Manager, type Socket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '@ssr-socket/core/testing'
import { createChatBackend } from '../backend/chat.mjs'

const ORIGIN = 'http://app.test'
let backend: ReturnType<typeof createChatBackend>
let url: string
const sockets: Socket[] = []

async function signIn(name: string): Promise<string> {
  const res = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify({ name }) })
  const cookie = res.headers.get('set-cookie')
  if (!cookie) throw new Error(`no session cookie for ${name}`)
  return cookie.split(';')[0]!
}

async function connect(name: string): Promise<Socket> {
  const cookie = await signIn(name)
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
