import { afterAll, describe, expect, it, vi } from 'vitest'

const loads = vi.hoisted(() => ({ count: 0 }))
vi.mock('socket.io-client', async (importOriginal) => {
  loads.count++
  return importOriginal()
})

import { activeResources as resources } from '@ssr-socket/core/testing'
import { renderOnServer } from './testing'
import { NewsTicker, StatusBadge } from './__fixtures__/components'
import { useSocketEvent } from './useSocketEvent'
import { createSocketRegistry } from '@ssr-socket/core'
import { defineComponent, getCurrentInstance, h, provide, reactive } from 'vue'
import { SOCKET_CONTEXT_KEY } from './plugin'
import { useSocket } from './useSocket'

describe('SSR isolation (node, no window)', () => {
  const warn = vi.spyOn(console, 'warn')
  afterAll(() => warn.mockRestore())

  it('500 interleaved renders of two apps with different tokens share nothing, create no socket and leave no handle', async () => {
    await new Promise((r) => setTimeout(r, 20))
    const before = resources()
    const tokenCalls = { alice: 0, bob: 0 }
    const render = (user: 'alice' | 'bob') =>
      renderOnServer(NewsTicker, {
        props: { user },
        plugin: {
          url: `http://${user}.example.test`,
          auth: { mode: 'token', getToken: () => (tokenCalls[user]++, `token-of-${user}`) },
        },
      })
    const jobs: Array<Promise<{ user: 'alice' | 'bob'; html: string; clients: number }>> = []
    for (let i = 0; i < 500; i++) {
      const user = i % 2 === 0 ? 'alice' : 'bob'
      jobs.push(render(user).then(({ html, registry }) => ({ user, html, clients: registry.getDiagnostics().managers })))
    }
    const results = await Promise.all(jobs)
    expect(results).toHaveLength(500)
    for (const { user, html, clients } of results) {
      const other = user === 'alice' ? 'bob' : 'alice'
      expect(html).toContain(`<h1>${user}</h1>`)
      expect(html).toContain(`no news for ${user}`)
      expect(html).not.toContain(other)
      expect(html).not.toContain('token-of')
      expect(html).toContain('<pre>idle</pre>')
      expect(clients).toBe(0)
    }
    // Tokens are never even asked for on the server, and nothing was loaded, scheduled or left open.
    expect(tokenCalls).toEqual({ alice: 0, bob: 0 })
    expect(loads.count).toBe(0)
    await new Promise((r) => setTimeout(r, 20))
    const after = resources()
    for (const [type, count] of Object.entries(after)) expect(count, type).toBeLessThanOrEqual(before[type] ?? 0)
    expect(warn).not.toHaveBeenCalled()
  })

  it('each render gets its own inert registry', async () => {
    const a = await renderOnServer(StatusBadge, { plugin: { url: 'http://a.test' } })
    const b = await renderOnServer(StatusBadge, { plugin: { url: 'http://a.test' } })
    expect(a.registry).not.toBe(b.registry)
    expect(a.registry.isServer).toBe(true)
    expect(a.registry.getDiagnostics().clients).toEqual([expect.objectContaining({ status: 'idle' })])
  })

  it('what useSocket() returns works as a setup() result and inside reactive(), as Vue users write it', async () => {
    const AsSetupResult = defineComponent({
      setup: () => useSocket(),
      render(this: { status: string; isConnected: boolean }) {
        return h('p', `${this.status} ${String(this.isConnected)}`)
      },
    })
    const InReactive = defineComponent({
      setup() {
        const socket = reactive(useSocket())
        return () => h('p', `${socket.status} ${String(socket.isConnected)}`)
      },
    })
    expect((await renderOnServer(AsSetupResult, { plugin: { url: 'http://a.test' } })).html).toBe('<p>idle false</p>')
    expect((await renderOnServer(InReactive, { plugin: { url: 'http://a.test' } })).html).toBe('<p>idle false</p>')
  })

  it('useSocketEvent returns its initial value during SSR', async () => {
    const Comp = defineComponent({
      setup() {
        const last = useSocketEvent('price', undefined, { initial: 42 })
        return () => h('b', String(last.value))
      },
    })
    const { html } = await renderOnServer(Comp, { plugin: { url: 'http://a.test' } })
    expect(html).toBe('<b>42</b>')
  })

  it("a subtree that provides its own socket context gets it, its siblings the app's, app.runWithContext the app's; no render sees another's", async () => {
    const keysOf = (registry: { getDiagnostics(): { clients: Array<{ key: string }> } }) => registry.getDiagnostics().clients.map((c) => c.key)
    const Child = defineComponent({ setup: () => () => h('i', useSocket().client.key) })
    // As a Pinia setup store calls it: inside app.runWithContext, where inject() reads the app's provides first.
    const InAppContext = defineComponent({
      setup() {
        const key = getCurrentInstance()!.appContext.app.runWithContext(() => useSocket().client.key)
        return () => h('b', key)
      },
    })
    const children = () => Array.from({ length: 3 }, (_, i) => h(Child, { key: i }))
    const sub = createSocketRegistry({ url: 'http://sub.test', isServer: true })
    const Subtree = defineComponent({
      setup() {
        provide(SOCKET_CONTEXT_KEY, { registry: sub, autoConnect: true, scheduleConnect: (connect) => connect(), ssr: new Map() })
        return () => h('section', [h(InAppContext), ...children()])
      },
    })
    const Page = defineComponent({ setup: () => () => h('main', [...children(), h(Subtree), ...children()]) })
    const first = await renderOnServer(Page, { plugin: { url: 'http://app-one.test' } })
    const second = await renderOnServer(Page, { plugin: { url: 'http://app-two.test' } })
    const app = (n: string) => `<i>http://app-${n}.test/socket.io#/</i>`.repeat(3)
    const inSub = `<b>http://app-one.test/socket.io#/</b>${'<i>http://sub.test/socket.io#/</i>'.repeat(3)}`
    expect(first.html).toBe(`<main>${app('one')}<section>${inSub}</section>${app('one')}</main>`)
    expect(second.html).toBe(`<main>${app('two')}<section>${inSub.replace('app-one', 'app-two')}</section>${app('two')}</main>`)
    expect(keysOf(first.registry)).toEqual(['http://app-one.test/socket.io#/'])
    expect(keysOf(second.registry)).toEqual(['http://app-two.test/socket.io#/'])
    expect(keysOf(sub)).toEqual(['http://sub.test/socket.io#/'])
  })
})
