// What the server's own test files share: a socket server on crossws's Node adapter on 127.0.0.1 (port 0), and a raw
// `ws` client that says hello and records every frame. Each returns what must be cleaned up, and pushes it onto the
// file's `cleanups` (run in reverse after each test).
import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import crossws from 'crossws/adapters/node'
import { WebSocket } from 'ws'
import { waitFor } from '@ssr-socket/core/testing'
import type { SocketServer } from '../src/index'

export type Cleanups = Array<() => unknown>

/**
 * Serves `app`'s hooks on an HTTP server of its own. `close()` ends it once: the server's close (or dispose, when
 * `dispose` is set: its adapter too), every socket cut, the listener closed.
 */
export async function serve(app: SocketServer, cleanups: Cleanups, dispose = false) {
  const ws = crossws({ hooks: app.hooks })
  const sockets = new Set<Socket>()
  const http: HttpServer = createServer((_req, res) => res.end('not a socket'))
  http.on('upgrade', (req, socket: Socket, head) => void ws.handleUpgrade(req, socket, head))
  http.on('connection', (s: Socket) => (sockets.add(s), s.once('close', () => sockets.delete(s))))
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
  const port = (http.address() as AddressInfo).port
  let closed = false
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    if (dispose) await app.dispose()
    else app.close()
    for (const s of sockets) s.destroy()
    await new Promise<void>((r) => http.close(() => r()))
  }
  cleanups.push(close)
  return { close, url: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/_ws` }
}

export type Frame = [string, ...unknown[]]

/**
 * A raw client that sends `hello` (with `resume` as its third element unless undefined: a client without recovery),
 * then waits for the welcome or a close. `offset()`: the last event's offset, else the welcome's.
 */
export async function hello(url: string, cleanups: Cleanups, resume?: unknown) {
  const socket = new WebSocket(url, 'ssr-socket.v1')
  const frames: Frame[] = []
  let code: number | null = null
  socket.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame))
  socket.on('close', (c) => (code = c))
  socket.on('error', () => {})
  cleanups.push(() => socket.terminate())
  await new Promise<void>((resolve) => socket.once('open', () => resolve()))
  socket.send(JSON.stringify(resume === undefined ? ['hello', null] : ['hello', null, resume]))
  await waitFor(() => frames.some((f) => f[0] === 'welcome') || code !== null, 'welcome')
  const welcome = frames.find((f) => f[0] === 'welcome')?.[1] as { id: string; session?: string; offset?: string; recovered?: boolean } | undefined
  const events = () => frames.filter((f) => f[0] === 'e')
  const offset = () => (events().at(-1)?.[4] as string | undefined) ?? welcome?.offset
  return { socket, frames, welcome: welcome!, events, offset, closed: () => code }
}
