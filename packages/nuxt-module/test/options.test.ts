// Every option a config file can hold (the core's one schema, CONFIG_KEYS) reaches the client through the
// module's runtime plugin and runtime config, as JSON carries it (Infinity as null). The real plugin code, with
// Nuxt's #app stubbed: a Vue app, its registry, the client it hands out.
import { createApp } from 'vue'
import { describe, expect, it, vi } from 'vitest'
import { CONFIG_KEYS } from '@ssr-socket/core'
import { validateOptions } from '@ssr-socket/core/validate'

const runtime = vi.hoisted(() => ({ config: {} as Record<string, unknown> }))
vi.mock('#app', () => ({
  defineNuxtPlugin: (plugin: unknown) => plugin,
  useRuntimeConfig: () => ({ public: { socket: runtime.config } }),
  useNuxtApp: () => ({}),
}))

describe('nuxt.config socket options', () => {
  it('every core option a config can hold reaches the client, as the core takes it', async () => {
    // What `socket: { ... }` in nuxt.config becomes in runtime config: JSON (Infinity -> null).
    const socket = {
      url: 'http://127.0.0.1:8000',
      path: '/ws',
      namespace: '/chat',
      auth: { mode: 'cookie', retries: 1 },
      reconnection: { attempts: Infinity, delayMs: 100, maxDelayMs: 400, jitter: 0.1 },
      buffer: { max: 7, ttlMs: Infinity },
      ackTimeoutMs: 2500,
      reconnectOnServerDisconnect: true,
      debug: false,
      maxPayloadBytes: 65536,
      transport: 'socket.io',
      websocket: { framing: 'raw', idleTimeoutMs: 30_000 },
      socketOptions: { transports: ['websocket'], timeout: 4000 },
      autoConnect: false,
      graceMs: 500,
    }
    expect(Object.keys(socket).filter((k) => (CONFIG_KEYS as readonly string[]).includes(k)).sort()).toEqual([...CONFIG_KEYS].sort())
    runtime.config = JSON.parse(JSON.stringify(socket)) as Record<string, unknown>
    const { default: plugin } = (await import('../src/runtime/plugin')) as unknown as { default: { setup: (app: unknown) => { provide: { socketRegistry: { acquire: () => { _o: { input: Record<string, unknown> } }; getDiagnostics: () => unknown } } } } }
    const vueApp = createApp({})
    const nuxtApp = { isHydrating: false, hooks: { hookOnce: () => {} }, vueApp }
    const { socketRegistry } = plugin.setup(nuxtApp).provide
    const input = socketRegistry.acquire()._o.input
    const { autoConnect: _a, graceMs: _g, ...client } = socket
    for (const key of CONFIG_KEYS) expect(input[key], key).toEqual(client[key as keyof typeof client])
    validateOptions(input)
  })
})
