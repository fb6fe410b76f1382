// The published build, not the source: the ESM dist is unbundled and its internal `_x` members are renamed by the
// build (mangleProps), so what depends on a name (socket.io-client's own `_readyState`, the store methods called
// unbound) is checked here against dist/. `npm test` builds before it tests; run `npm run build` in packages/core
// before running this file alone.
import { describe, expect, it } from 'vitest'
import { waitFor } from './testServer.js'
import { sleep, twoNamespaces, useCleanup } from './testFixtures.js'

const fx = useCleanup()
type Core = typeof import('./index.js')
const dist = new URL('../dist/index.js', import.meta.url).href
const load = (): Promise<Core> => import(/* @vite-ignore */ dist) as Promise<Core>

describe('the ESM build (dist/)', () => {
  it('closing a namespace while its CONNECT is on the wire leaves no server socket (reads socket.io-client\'s _readyState)', async () => {
    const { createSocketRegistry } = await load()
    const server = await fx.server()
    const { registry, a } = await twoNamespaces(server, createSocketRegistry)
    try {
      a.disconnect()
      await waitFor(() => server.io.of('/a').sockets.size === 0, 'a gone')
      a.connect()
      a.disconnect()
      await sleep(300) // the server's answer to the CONNECT, then the DISCONNECT that follows it
      expect(server.io.of('/a').sockets.size).toBe(0)
    } finally {
      registry.dispose()
    }
  })

  it('getState and subscribe work unbound; the other methods through the client', async () => {
    const { createSocketClient } = await load()
    const server = await fx.server()
    const client = createSocketClient({ url: server.url, isServer: false })
    try {
      const { getState, subscribe } = client
      const seen: string[] = []
      subscribe((s) => seen.push(s.status))
      client.connect()
      await waitFor(() => getState().status === 'connected', 'connected')
      expect(seen.at(-1)).toBe('connected')
    } finally {
      client.dispose()
    }
  })
})
