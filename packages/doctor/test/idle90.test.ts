// The audit's case as given: `--idle 90` against a socket.io server with no proxy and socket.io's default
// heartbeat (pingInterval 25 s, pingTimeout 20 s). A held WebSocket that did not answer the server's pings was
// closed by the server at 45 s and blamed on a proxy. In a file of its own: it waits 90 s, next to the others.
import { afterAll, expect, it } from 'vitest'
import { createTestServer, type TestServer } from '@ssr-socket/core/testing'
import { main } from '../src/cli'

let server: TestServer | undefined
afterAll(async () => server?.close())

it('--idle 90 with no proxy and the default heartbeat passes: three pings answered, the connection still open', async () => {
  server = await createTestServer()
  let pongs = 0
  server.io.engine.on('connection', (socket: { on(event: string, f: () => void): void }) => socket.on('heartbeat', () => pongs++))
  const lines: string[] = []
  const code = await main([server.url, '--idle', '90', '--json'], (t) => lines.push(t), () => {}, false)
  const report = JSON.parse(lines.join('\n')) as { checks: Array<{ id: string; status: string; evidence: string }>; elapsedMs: number }
  expect(report.checks.find((c) => c.id === 'idle')).toMatchObject({ status: 'pass', evidence: 'still open after 90 s' })
  expect(code).toBe(0)
  expect(pongs).toBeGreaterThanOrEqual(3) // at 25, 50 and 75 s
  expect(report.elapsedMs).toBeGreaterThanOrEqual(90_000)
}, 120_000)
