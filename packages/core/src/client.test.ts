import { afterEach, describe, expect, it } from 'vitest'
import { startTestServer, waitFor, type TestServer } from '../test/testServer'
import { createSocketClient } from './client'
import type { SocketClient, SocketStatus } from './types'

let server: TestServer | null = null
const clients: SocketClient[] = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.dispose()
  await server?.close()
  server = null
})

function track(client: SocketClient): { statuses: SocketStatus[] } {
  clients.push(client)
  const statuses: SocketStatus[] = [client.getState().status]
  client.subscribe((s) => statuses.push(s.status))
  return { statuses }
}

describe('createSocketClient against a real server', () => {
  it('connects and reports connected with an id and transport', async () => {
    server = await startTestServer()
    const client = createSocketClient({ url: server.url, isServer: false })
    const { statuses } = track(client)
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected')
    expect(statuses).toEqual(['idle', 'connecting', 'connected'])
    expect(client.getState().id).toBeTruthy()
    expect(client.getState().transport).toBe('polling')
    expect(server.connectionCount()).toBe(1)
  })
})
