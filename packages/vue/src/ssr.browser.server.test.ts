// '#vue-ssr' as a browser build resolves it (ssr.browser.ts: no server-only path). Should such a build ever render on
// a server, useSocket() takes the browser's path there: the same HTML, an inert client, nothing scheduled or left open.
import { describe, expect, it, vi } from 'vitest'

vi.mock('#vue-ssr', () => import('./ssr.browser'))

import { activeResources as resources } from '@ssr-socket/core/testing'
import { defineComponent, h } from 'vue'
import { NewsTicker } from './__fixtures__/components'
import { serverScope } from '#vue-ssr'
import { renderOnServer } from './testing'
import { useSocket } from './useSocket'
import { useSocketEvent } from './useSocketEvent'

describe("useSocket() on a server with the browser build of '#vue-ssr'", () => {
  it('has no server path, and renders what the server build renders, leaving nothing behind', async () => {
    expect(serverScope).toBeUndefined()
    const warn = vi.spyOn(console, 'warn')
    await new Promise((r) => setTimeout(r, 20))
    const before = resources()
    const Both = defineComponent({
      setup() {
        const a = useSocket()
        const b = useSocket()
        const last = useSocketEvent('price', { initial: 42 })
        a.on('x', () => {})
        return () => h('p', `${a.status.value} ${String(b.isConnected.value)} ${String(last.value)} ${String(a.client === b.client)}`)
      },
    })
    const { html, registry } = await renderOnServer(Both, { plugin: { url: 'http://a.test' } })
    expect(html).toBe('<p>idle false 42 true</p>')
    expect(registry.isServer).toBe(true)
    expect(registry.getDiagnostics().managers).toBe(0)
    const ticker = await renderOnServer(NewsTicker, { props: { user: 'alice' }, plugin: { url: 'http://alice.test' } })
    expect(ticker.html).toContain('<h1>alice</h1>')
    expect(ticker.html).toContain('<pre>idle</pre>')
    await new Promise((r) => setTimeout(r, 20))
    const after = resources()
    for (const [type, count] of Object.entries(after)) expect(count, type).toBeLessThanOrEqual(before[type] ?? 0)
    expect(warn).not.toHaveBeenCalled()
    warn.mockRestore()
  })
})
