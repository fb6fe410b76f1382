import { afterAll, describe, expect, it, vi } from 'vitest'

// Counts every import of socket.io-client by this module graph. The server must never load it.
const loads = vi.hoisted(() => ({ count: 0 }))
vi.mock('socket.io-client', async (importOriginal) => {
  loads.count++
  return importOriginal()
})

import { activeResources as resources } from './testServer.js'
import { createSocketClient, createSocketRegistry, INITIAL_STATE, isSocketError } from './index.js'

describe('on the server (node, no window)', () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  afterAll(() => warn.mockRestore())

  it('has no window: environment detection sees a server', () => {
    expect(typeof window).toBe('undefined')
    expect(createSocketRegistry().isServer).toBe(true)
  })

  it('1,000 registries and clients with every method called: no throw, initial state, no import, no resource left', async () => {
    await new Promise((r) => setTimeout(r, 20)) // let vitest's own start-up handles settle
    const before = resources()
    const rejections: unknown[] = []
    for (let i = 0; i < 1000; i++) {
      const registry = createSocketRegistry({ url: 'http://localhost:8000', auth: { mode: 'token', getToken: () => `secret-${i}` } })
      const client = registry.acquire()
      const standalone = createSocketClient({ url: 'https://example.test', auth: { mode: 'cookie' } })
      for (const c of [client, standalone]) {
        const seen: unknown[] = []
        const unsubscribe = c.subscribe((s) => seen.push(s))
        c.connect()
        c.on('message', () => {})()
        c.once('message', () => {})
        c.off('message')
        c.emit('message', 'hello')
        c.volatile.emit('message', 'hello')
        await c.emitWithAck('message', 'hello').then(
          () => rejections.push('resolved?!'),
          (error: unknown) => rejections.push(error),
        )
        c.reconnect()
        c.disconnect()
        expect(c.getState()).toBe(INITIAL_STATE)
        expect(c.socket).toBeNull()
        expect(c.getDiagnostics()).toMatchObject({ createdOn: 'server', hasSocket: false, status: 'idle' })
        unsubscribe()
        c.dispose()
        expect(seen).toEqual([])
      }
      registry.release(client)
      expect(registry.getDiagnostics()).toMatchObject({ clients: [], managers: 0, windowListeners: 0, pendingReleases: 0 })
      registry.dispose()
    }
    await new Promise((r) => setTimeout(r, 20))
    // Nothing of ours may be left: no resource type grows (vitest's own test timer may come and go).
    const after = resources()
    for (const [type, count] of Object.entries(after)) expect(count, type).toBeLessThanOrEqual(before[type] ?? 0)
    expect(loads.count).toBe(0)
    expect(rejections).toHaveLength(2000)
    for (const r of rejections) {
      expect(isSocketError(r) && r.kind).toBe('config')
      expect((r as Error).message).toMatch(/not available during server-side rendering/)
    }
  })

  it('emit during SSR warns once per registry in development, naming what to do', () => {
    warn.mockClear()
    const registry = createSocketRegistry({ url: 'http://localhost:8000' })
    const client = registry.acquire()
    client.emit('a')
    client.emit('b')
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/emit\(\) was called during server-side rendering.*onMounted/)
    registry.dispose()
  })

  it('the state is the same constant a browser client starts with', () => {
    const browser = createSocketClient({ url: 'http://localhost:8000', isServer: false })
    expect(browser.getState()).toBe(INITIAL_STATE)
    expect(createSocketRegistry().acquire().getState()).toBe(INITIAL_STATE)
    browser.dispose()
    expect(loads.count).toBe(0)
  })
})
