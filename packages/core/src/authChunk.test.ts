// The auth lifecycle is a chunk of its own (engine/auth.ts): fetched with the wire library by a client that has
// `auth`, by no other; a fetch that fails is said as such (not as a missing socket.io-client), and tried again.
import { afterEach, describe, expect, it, vi } from 'vitest'

const chunk = vi.hoisted(() => ({ loads: 0, fail: false }))
vi.mock('./engine/auth.js', async (importOriginal) => {
  chunk.loads++
  if (chunk.fail) throw new Error('Failed to fetch dynamically imported module: /assets/auth-X.js')
  return importOriginal()
})

import { createSocketClient } from './index.js'
import { createTestServer, waitFor, type TestServer } from './testServer.js'

let server: TestServer | null = null
afterEach(async () => {
  await server?.close()
  server = null
})

describe('the auth chunk', () => {
  it('a client without auth never fetches it; one whose fetch fails says so, and reconnect() fetches it again', async () => {
    server = await createTestServer()
    const plain = createSocketClient({ url: server.url, isServer: false })
    plain.connect()
    await waitFor(() => plain.getState().status === 'connected', 'connected without auth')
    expect(chunk.loads).toBe(0)
    plain.dispose()

    chunk.fail = true
    vi.resetModules() // a fresh module graph: the chunk is fetched again, and fails
    const core = await import('./index.js')
    const client = core.createSocketClient({ url: server.url, isServer: false, auth: { mode: 'token', getToken: () => 'abc-secret-123' } })
    client.connect()
    await waitFor(() => client.getState().status === 'failed', 'failed')
    expect(client.getState().error).toMatchObject({ kind: 'config', code: 'no-engine' })
    const failedLoads = chunk.loads
    expect(failedLoads).toBeGreaterThan(0)
    chunk.fail = false
    client.reconnect()
    await waitFor(() => client.getState().status === 'connected', 'connected once the chunk is there')
    expect(chunk.loads).toBe(failedLoads + 1)
    client.dispose()
  })
})
