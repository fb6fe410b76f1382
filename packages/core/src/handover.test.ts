// Edge cases of the facade -> engine handover and of the socket.io transport's close, found by an independent
// review of the core split. Real socket.io server on 127.0.0.1 unless the mock transport says otherwise.
import { describe, expect, it } from 'vitest'
import { createSocketClient } from './client.js'
import { createMockTransport } from './mockTransport.js'
import { waitFor } from './testServer.js'
import { sleep, twoNamespaces, useCleanup } from './testFixtures.js'
import type { SocketState } from './types.js'

const fx = useCleanup()

describe('facade -> engine handover', () => {
  it('a state listener that emits while connect() runs does not strand the connect (engine chunk already loaded)', async () => {
    const received: string[] = []
    const server = await fx.server({ onConnection: (s) => s.on('hello', () => received.push('hello')) })
    await fx.open({ url: server.url }).preload() // the engine chunk is loaded from here on
    const client = fx.open({ url: server.url })
    client.subscribe((s) => {
      if (s.status === 'connecting') client.emit('hello')
    })
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected')
    await waitFor(() => received.length === 1, 'hello delivered')
  })

  it('getState and subscribe work unbound, as useSyncExternalStore calls them', async () => {
    const server = await fx.server()
    const client = fx.open({ url: server.url })
    const { getState, subscribe } = client
    const seen: SocketState['status'][] = []
    const unsubscribe = subscribe(() => seen.push(getState().status))
    client.connect()
    await waitFor(() => getState().status === 'connected', 'connected')
    unsubscribe()
    expect(seen.at(-1)).toBe('connected')
  })

  it('a failed preload of socket.io-client does not make the next connect() fail: it loads again', async () => {
    const server = await fx.server()
    const real = await import('socket.io-client')
    let calls = 0
    const client = fx.open({ url: server.url, io: () => (++calls === 1 ? Promise.reject(new Error('chunk failed')) : real) })
    await client.preload()
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected after the failed preload')
    expect(calls).toBe(2)
  })
})

describe('socket.io transport close', () => {
  it('a getToken that fails leaves nothing stuck: reconnect() connects, dispose() leaves no Engine.IO connection', async () => {
    const server = await fx.server()
    let n = 0
    const getToken = (): Promise<string> => (++n === 1 ? Promise.reject(new Error('token service down')) : Promise.resolve('t'))
    const client = fx.open({ url: server.url, auth: { mode: 'token', getToken } })
    client.connect()
    await waitFor(() => client.getState().status === 'unauthorized', 'unauthorized by the failed getToken')
    client.reconnect()
    await waitFor(() => client.getState().status === 'connected', 'connected with the next token')

    const failing = createSocketClient({ url: server.url, isServer: false, auth: { mode: 'token', getToken: () => Promise.reject(new Error('down')) } })
    failing.connect()
    await waitFor(() => failing.getState().status === 'unauthorized', 'unauthorized')
    failing.dispose()
    client.dispose()
    await waitFor(() => server.io.engine.clientsCount === 0, 'no Engine.IO connection left')
  })

  it('two namespaces on one Manager: disconnect() during the CONNECT then connect() again connects', async () => {
    const server = await fx.server()
    const { registry, a } = await twoNamespaces(server)
    try {
      a.disconnect()
      a.connect()
      a.disconnect()
      a.connect() // the handshake still on the wire is taken back
      await waitFor(() => a.getState().status === 'connected', 'a connected again')
      await sleep(100)
      expect(server.io.of('/a').sockets.size).toBe(1)
    } finally {
      registry.dispose()
    }
  })
})

describe('mock transport', () => {
  it('acks in flight when the connection drops fail with a network error instead of hanging', async () => {
    const mock = createMockTransport()
    mock.on('slow', () => new Promise(() => {})) // never answers
    const client = fx.open({ url: 'http://mock.test', transport: mock.transport, ackTimeoutMs: 60_000 })
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected')
    const ack = client.emitWithAck('slow')
    mock.drop()
    await expect(ack).rejects.toMatchObject({ kind: 'network' })
    expect(client.getDiagnostics().pendingAcks).toBe(0)
  })
})
