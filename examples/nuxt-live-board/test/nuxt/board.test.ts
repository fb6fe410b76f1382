// The board's page in @nuxt/test-utils' Nuxt environment, its connection on a mock server that the test scripts
// (@ssr-socket/nuxt/testing): no Nitro, no network. The test plays the server: acks, events, an error answer, a drop,
// a refused handshake, an ack that never comes.
import { mountSuspended } from '@nuxt/test-utils/runtime'
import { afterEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { mockSocketServer, waitFor } from '@ssr-socket/nuxt/testing'
import App from '../../app/app.vue'
import type { Note } from '../../shared/events'

// Retries at once: a drop comes back on the next tick instead of after the default second.
const client = { reconnection: { delayMs: 5, maxDelayMs: 5, jitter: 0 } }
const note = (id: number, author: string, text: string): Note => ({ id, author, text, at: 0 })

type Wrapper = Awaited<ReturnType<typeof mountSuspended>>
// Every page mounted by a test is unmounted after it (before the kit restores its mock server).
const mounted: Wrapper[] = []
const mount = async (...args: Parameters<typeof mountSuspended>): Promise<Wrapper> => {
  const wrapper = await mountSuspended(...args)
  mounted.push(wrapper)
  return wrapper
}
afterEach(() => {
  for (const wrapper of mounted.splice(0)) wrapper.unmount()
})
const text = (wrapper: Wrapper, selector: string): string => (wrapper.find(selector).exists() ? wrapper.find(selector).text() : '')
const connected = (wrapper: Wrapper) => waitFor(() => text(wrapper, '#status') === 'connected', 'the page shows connected')

async function enter(wrapper: Wrapper, name: string): Promise<void> {
  await wrapper.find('input[name="name"]').setValue(name)
  await wrapper.find('#enter').trigger('submit')
  await waitFor(() => wrapper.find('#post').exists() || wrapper.find('#problem').exists(), `${name} entered, or was refused`)
}

describe('the board page against a scripted mock server', () => {
  it('enters with the ack of the server, shows its events, posts, and shows an error answer', async () => {
    const server = mockSocketServer({ client })
    server.on('enter', (name) => ({ notes: [note(1, 'bob', `hello ${String(name)}`)] }))
    server.on('post', (text) => (String(text).length > 5 ? { error: 'A note is 1 to 280 characters.' } : { ok: true }))
    const wrapper = await mount(App)
    await connected(wrapper)

    await enter(wrapper, 'ada')
    expect(text(wrapper, '#notes')).toBe('bob: hello ada')
    server.emit('presence', ['ada', 'bob'])
    server.emit('note', note(2, 'bob', 'a second note'))
    await nextTick()
    expect(text(wrapper, '#present')).toBe('ada, bob')
    expect(wrapper.findAll('#notes li').map((li) => li.text())).toEqual(['bob: hello ada', 'bob: a second note'])

    await wrapper.find('input[name="note"]').setValue('hi')
    await wrapper.find('#post').trigger('submit')
    // The ack said ok: the draft is cleared.
    await waitFor(() => (wrapper.find('input[name="note"]').element as HTMLInputElement).value === '', 'the draft cleared after the ack')

    await wrapper.find('input[name="note"]').setValue('too long for this server')
    await wrapper.find('#post').trigger('submit')
    await waitFor(() => text(wrapper, '#problem') === 'A note is 1 to 280 characters.', 'the error answer shown')
    expect(server.received.map((r) => [r.event, ...r.args])).toEqual([
      ['enter', 'ada'],
      ['post', 'hi'],
      ['post', 'too long for this server'],
    ])
  })

  it('a dropped connection comes back, and the page enters the board again by itself (onResync)', async () => {
    const server = mockSocketServer({ client })
    server.on('enter', () => ({ notes: [] }))
    const wrapper = await mount(App)
    await connected(wrapper)
    await enter(wrapper, 'ada')

    server.drop()
    await nextTick()
    expect(text(wrapper, '#status')).toBe('reconnecting')
    await connected(wrapper)
    await waitFor(() => server.received.filter((r) => r.event === 'enter').length === 2, 'entered again after the reconnect')
    expect(server.received.map((r) => [r.event, ...r.args])).toEqual([
      ['enter', 'ada'],
      ['enter', 'ada'],
    ])
    expect(server.connections).toBe(1)
  })

  it('a refused handshake shows unauthorized; an ack that never comes shows the timeout', async () => {
    const refusing = mockSocketServer({ client, authorize: () => false })
    const refused = await mount(App)
    await waitFor(() => text(refused, '#status') === 'unauthorized', 'unauthorized shown')
    expect(refusing.connections).toBe(0)
    refusing.restore()

    // No handler for 'enter': the client's own deadline (ackTimeoutMs) ends the wait.
    const silent = mockSocketServer({ client: { ...client, ackTimeoutMs: 50 } })
    const wrapper = await mount(App)
    await connected(wrapper)
    await enter(wrapper, 'ada')
    expect(text(wrapper, '#problem')).toMatch(/enter/)
    expect(wrapper.find('#post').exists()).toBe(false)
    expect(silent.received).toEqual([{ event: 'enter', args: ['ada'] }])
  })

  it("useSocketModuleDiagnostics().connects counts connect requests: the page's useSocket and useSocketEvent make 2, on one connection", async () => {
    const server = mockSocketServer({ client })
    const wrapper = await mount(App)
    await connected(wrapper)
    const before = useSocketModuleDiagnostics().connects
    const again = await mount(App, { attachTo: document.body })
    await connected(again)
    const diagnostics = useSocketModuleDiagnostics()
    // A second page: 2 more requests (its useSocket and its useSocketEvent), still one connection with 4 holders.
    expect(diagnostics.connects - before).toBe(2)
    expect(diagnostics.connectsWhileHydrating).toBe(0)
    expect(diagnostics.registry.clients).toEqual([expect.objectContaining({ refs: 4, status: 'connected' })])
    expect(server.connections).toBe(1)
    expect(server.handshakes).toHaveLength(1)
  })

  it('the newest mockSocketServer() serves the page until restored, in any order; then the app has its own registry back', async () => {
    // The previous test's mock was restored when that test ended (its registry disposed, its connection closed).
    expect(useSocketModuleDiagnostics().registry).toMatchObject({ name: 'ssr-socket Nuxt plugin', clients: [] })
    const first = mockSocketServer({ client })
    const second = mockSocketServer({ client })
    const wrapper = await mount(App)
    await connected(wrapper)
    expect([first.connections, second.connections]).toEqual([0, 1])
    first.restore()
    expect(useSocketModuleDiagnostics().registry).toMatchObject({ name: 'ssr-socket mock server', clients: [expect.objectContaining({ status: 'connected' })] })
    second.restore()
    expect(second.connections).toBe(0) // its registry disposed: the connection ended
    expect(useSocketModuleDiagnostics().registry).toMatchObject({ name: 'ssr-socket Nuxt plugin', clients: [] })
  })

  it('a mock made by a synchronous test is restored when that test ends…', () => {
    mockSocketServer({ client })
    expect(useSocketModuleDiagnostics().registry.name).toBe('ssr-socket mock server')
  })

  it('…so the next test has the app its own registry again', () => {
    expect(useSocketModuleDiagnostics().registry.name).toBe('ssr-socket Nuxt plugin')
  })
})
