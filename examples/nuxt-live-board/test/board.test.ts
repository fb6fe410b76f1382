// The live board (its socket server inside Nitro), built, in Chromium: two users see each other and each other's
// notes at once; hostile events get an error answer and the process keeps serving; a restart of the one process
// reconnects the pages, which enter the board again by themselves.
import { chromium, type Browser, type Page } from 'playwright-core'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSocketClient } from '@ssr-socket/core'
import { freePort, waitFor } from '@ssr-socket/core/testing'
import { CHROMIUM, chromiumArgs, requireChromium } from '../../../test/chromium'
import { startBoard } from '../demo.mjs'
import { enterBoard } from './page'

let board: Awaited<ReturnType<typeof startBoard>>
let browser: Browser
const problems: string[] = []

beforeAll(async () => {
  requireChromium()
  board = await startBoard({ port: await freePort() })
  browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await board?.stop()
})

const enter = (name: string): Promise<Page> => enterBoard(browser, board.url, name, problems)

const present = (page: Page) => page.textContent('#present')

describe('the live board (Nitro WebSockets) in Chromium', () => {
  it('two users: presence and notes reach the other at once; a closed tab leaves the presence list', async () => {
    const html = await fetch(board.url).then((r) => r.text())
    expect(html).toContain('<span id="status">idle</span>')
    const ada = await enter('ada')
    const bob = await enter('bob')
    await ada.waitForFunction(() => document.querySelector('#present')?.textContent === 'ada, bob')
    await ada.fill('input[name="note"]', 'hello from ada')
    await ada.click('#post button')
    await bob.waitForFunction(() => document.querySelector('#notes')?.textContent?.includes('ada: hello from ada'))
    await bob.close()
    await ada.waitForFunction(() => document.querySelector('#present')?.textContent === 'ada')
    expect(await present(ada)).toBe('ada')
    await ada.close()
    expect(problems).toEqual([])
  })

  it('hostile events get an error answer; the process keeps serving', async () => {
    const url = board.url
    // A client that skips the protocol: garbage, a frame before hello, an oversized name, an unknown event.
    const raw = new WebSocket(`${url.replace('http', 'ws')}/_ws`, 'ssr-socket.v1')
    const closed = new Promise<number>((resolve) => raw.on('close', (code) => resolve(code)))
    await new Promise((resolve) => raw.on('open', resolve))
    raw.send('{not json')
    expect(await closed).toBe(4400)

    const client = createSocketClient({ url, isServer: false, transport: 'websocket', websocket: { WebSocket }, reconnection: false })
    try {
      client.connect()
      await waitFor(() => client.getState().status === 'connected', 'connected')
      expect(await client.emitWithAck('enter', 'x'.repeat(500))).toMatchObject({ error: expect.stringContaining('1 to 24') })
      expect(await client.emitWithAck('enter', { toString: null })).toMatchObject({ error: expect.any(String) })
      expect(await client.emitWithAck('post', 'before entering')).toMatchObject({ error: 'Enter the board first.' })
      const unknown = await client.emitWithAck('drop-tables').catch((e: Error) => e)
      expect(unknown).toMatchObject({ kind: 'server', message: expect.stringContaining('no handler for "drop-tables"') })
      expect(await client.emitWithAck('enter', 'eve')).toMatchObject({ notes: expect.any(Array) })
      expect(await client.emitWithAck('post', 'still here')).toEqual({ ok: true })
    } finally {
      client.dispose()
    }
    expect(board.process()?.exitCode).toBe(null)
    expect((await fetch(url)).status).toBe(200)
  })

  it('the process restarts: the page reconnects and enters the board again by itself', async () => {
    const ada = await enter('ada')
    await board.restart()
    await ada.waitForFunction(() => document.querySelector('#status')?.textContent === 'connected' && document.querySelector('#present')?.textContent === 'ada', undefined, { timeout: 30_000 })
    await ada.fill('input[name="note"]', 'after the restart')
    await ada.click('#post button')
    await ada.waitForFunction(() => document.querySelector('#notes')?.textContent?.includes('ada: after the restart'))
    await ada.close()
  })
})
