// A runnable example for users' own suites: a component tested with @vue/test-utils against the mock transport,
// with no server and no network. The test plays the server: it sends events, answers acks, drops the
// connection, restarts and refuses a token. (README: "Testing components without a server".)
import { flushPromises, mount } from '@vue/test-utils'
import { defineComponent, h } from 'vue'
import { afterEach, describe, expect, it } from 'vitest'
import { createSocketPlugin, useSocket, useSocketEvent } from './index'
import { createMockTransport, waitFor, type MockTransport } from './testing'

const Chat = defineComponent({
  setup() {
    const { status, emitWithAck } = useSocket()
    const last = useSocketEvent<{ message: (text: string) => void }>('message', { initial: '(none)' })
    const send = async () => {
      const answer = (await emitWithAck('send', 'hi')) as { ok: boolean }
      sent.push(answer.ok)
    }
    const sent: boolean[] = []
    return () => h('div', [h('p', `status: ${status.value}`), h('p', `last: ${last.value}`), h('button', { onClick: send }), h('p', `sent: ${sent.length}`)])
  },
})

function mountChat(server: MockTransport, options: Parameters<typeof createSocketPlugin>[0] = {}) {
  return mount(Chat, {
    global: {
      plugins: [createSocketPlugin({ url: 'http://chat.test', transport: server.transport, reconnection: { delayMs: 10, maxDelayMs: 10, jitter: 0 }, ...options })],
    },
  })
}

let unmount: (() => void) | undefined
afterEach(() => unmount?.())

describe('a component against the mock transport (no server)', () => {
  it('shows server events, sends with an ack, and comes back after a drop and a restart', async () => {
    const server = createMockTransport()
    server.on('send', (text) => ({ ok: text === 'hi' }))
    const wrapper = mountChat(server)
    unmount = () => wrapper.unmount()
    await waitFor(() => wrapper.text().includes('status: connected'), 'connected')

    server.emit('message', 'hello')
    await flushPromises()
    expect(wrapper.text()).toContain('last: hello')

    await wrapper.find('button').trigger('click')
    await flushPromises()
    expect(server.received).toEqual([{ event: 'send', args: ['hi'] }])

    server.drop()
    await flushPromises()
    expect(wrapper.text()).toContain('status: reconnecting')
    await waitFor(() => wrapper.text().includes('status: connected'), 'reconnected after the drop')

    server.restart()
    await flushPromises()
    expect(wrapper.text()).toContain('status: reconnecting')
    await waitFor(() => wrapper.text().includes('status: connected'), 'reconnected after the restart')
    expect(server.connections).toBe(1)
  })

  it('shows an auth rejection as unauthorized after the fresh-token retries', async () => {
    const server = createMockTransport({ authorize: (auth) => auth?.token === 'valid' })
    const wrapper = mountChat(server, { auth: { mode: 'token', getToken: () => 'expired', retries: 2 } })
    unmount = () => wrapper.unmount()
    await waitFor(() => wrapper.text().includes('status: unauthorized'), 'unauthorized')
    expect(server.handshakes).toHaveLength(3) // the first try and two retries, each with a fresh getToken()
    expect(server.connections).toBe(0)
  })
})
