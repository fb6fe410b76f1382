// Shared fixture of the core test files (not part of any published entry): servers and clients made
// through it are closed and disposed after each test, by one afterEach.
import { afterEach } from 'vitest'
import { createSocketClient } from './client.js'
import { createTestServer, type TestServer, type TestServerOptions } from './testServer.js'
import type { SocketClient, SocketClientOptions } from './types.js'

export function useCleanup() {
  const clients: SocketClient[] = []
  const servers: TestServer[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.dispose()
    for (const s of servers.splice(0)) await s.close()
  })
  return {
    /** A browser-side client (isServer: false), disposed after the test. */
    open(options: SocketClientOptions): SocketClient {
      const client = createSocketClient({ isServer: false, ...options })
      clients.push(client)
      return client
    },
    /** A real socket.io server on 127.0.0.1, closed after the test. */
    async server(options?: TestServerOptions): Promise<TestServer> {
      const server = await createTestServer(options)
      servers.push(server)
      return server
    },
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
