// Shared fixture of the core test files (not part of any published entry): servers and clients made
// through it are closed and disposed after each test, by one afterEach.
import { afterEach } from 'vitest'
import { createSocketClient } from './client.js'
import { createSocketRegistry } from './registry.js'
import { createTestServer, waitFor, type TestServer, type TestServerOptions } from './testServer.js'
import type { SocketClient, SocketClientOptions } from './types.js'
import type { SocketRegistry } from './registry.js'

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

/** A real EventTarget standing in for window/document in node, counting attached listeners. */
export class CountingTarget extends EventTarget {
  listeners = 0
  override addEventListener(...args: Parameters<EventTarget['addEventListener']>): void {
    this.listeners++
    super.addEventListener(...args)
  }
  override removeEventListener(...args: Parameters<EventTarget['removeEventListener']>): void {
    this.listeners--
    super.removeEventListener(...args)
  }
}

/**
 * Two namespaces ('/' and '/a') of one registry, sharing one Manager, both connected: the setup in which a
 * namespace closed while its CONNECT is on the wire would leave a server socket nobody owns. Dispose the registry.
 */
export async function twoNamespaces(
  server: TestServer,
  make: (options: { url: string; isServer: false; graceMs: number }) => SocketRegistry = createSocketRegistry,
): Promise<{ registry: SocketRegistry; root: SocketClient; a: SocketClient }> {
  server.io.of('/a')
  const registry = make({ url: server.url, isServer: false, graceMs: 0 })
  const root = registry.acquire()
  const a = registry.acquire({ namespace: '/a' })
  root.connect()
  a.connect()
  await waitFor(() => root.getState().status === 'connected' && a.getState().status === 'connected', 'both namespaces connected')
  return { registry, root, a }
}
