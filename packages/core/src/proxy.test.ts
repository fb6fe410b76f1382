// The client behind a real reverse proxy (Debian's nginx, started per test on 127.0.0.1).
// Public API only: these cases must hold for any implementation of the client.
import { afterEach, describe, expect, it } from 'vitest'
import { startNginx, type Proxy as Nginx } from '../../../test/proxies'
import { waitFor } from './testing.js'
import { useCleanup } from './testFixtures.js'

const fx = useCleanup()
const proxies: Nginx[] = []
afterEach(async () => {
  for (const p of proxies.splice(0)) await p.stop()
})

describe('a proxy that drops the WebSocket Upgrade headers', () => {
  it("stays on polling and records the refused upgrade: upgradeErrors >= 1 and an 'upgrade-refused' error", async () => {
    const server = await fx.server()
    // No `proxy_set_header Upgrade/Connection`: nginx forwards the upgrade request as a plain GET, the server
    // answers 400, so long-polling works and the WebSocket probe fails. The probe starts as soon as the
    // engine opens, often before the socket.io CONNECT, so its failure must be seen whenever it comes.
    const nginx = await startNginx((port) => `server { listen 127.0.0.1:${port}; location /socket.io/ { proxy_pass http://127.0.0.1:${server.port}; } }`)
    proxies.push(nginx)
    const client = fx.open({ url: `http://127.0.0.1:${nginx.port}`, reconnection: false })
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected through nginx')
    expect(client.getState().transport).toBe('polling')
    await waitFor(() => client.getDiagnostics().upgradeErrors >= 1, 'the refused upgrade to be counted in getDiagnostics().upgradeErrors')
    expect(client.getDiagnostics().errors.map((e) => e.kind)).toContain('upgrade-refused')
    // A refused upgrade is not a lost connection.
    expect(client.getState().status).toBe('connected')
    expect(client.getDiagnostics().transport).toBe('polling')
  })
})
