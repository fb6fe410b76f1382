import { afterEach, describe, expect, it, vi } from 'vitest'

const loads = vi.hoisted(() => ({ count: 0 }))
vi.mock('socket.io-client', async (importOriginal) => {
  loads.count++
  return importOriginal()
})

import { createTestServer, waitFor, type TestServer } from './testServer.js'
import { createSocketClient, createSocketRegistry } from './index.js'

let server: TestServer | null = null
afterEach(async () => {
  await server?.close()
  server = null
})

describe('lazy loading of socket.io-client in a browser-like environment', () => {
  it('is imported on the first connect(), not when the registry, client and handlers are created', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {}) // two owners of one URL, on purpose
    server = await createTestServer()
    const registry = createSocketRegistry({ url: server.url, isServer: false })
    const client = registry.acquire()
    client.on('x', () => {})
    client.subscribe(() => {})
    client.emit('queued')
    expect(client.socket).toBeNull()
    await new Promise((r) => setTimeout(r, 50))
    expect(loads.count).toBe(0)
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected')
    expect(loads.count).toBe(1)
    const second = createSocketClient({ url: server.url, isServer: false })
    second.connect()
    await waitFor(() => second.getState().status === 'connected', 'second connected')
    expect(loads.count).toBe(1)
    second.dispose()
    registry.dispose()
    expect(warn).toHaveBeenCalledTimes(1)
    warn.mockRestore()
  })

  it('an io loader option replaces the import; a failing loader gives failed + config error saying what to install', async () => {
    server = await createTestServer()
    const real = await import('socket.io-client')
    let calls = 0
    const client = createSocketClient({ url: server.url, isServer: false, io: () => (calls++, real) })
    client.connect()
    await waitFor(() => client.getState().status === 'connected', 'connected')
    expect(calls).toBe(1)
    client.dispose()
    const broken = createSocketClient({ url: server.url, isServer: false, io: () => Promise.reject(new Error('Cannot find module')) })
    broken.connect()
    await waitFor(() => broken.getState().status === 'failed', 'failed')
    expect(broken.getState().error).toMatchObject({ kind: 'config' })
    expect(broken.getState().error?.message).toMatch(/npm i socket\.io-client/)
    broken.dispose()
  })
})
