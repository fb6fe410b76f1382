// The board rendered by its own server and hydrated in Chromium, with @nuxt/test-utils' e2e setup and hydratePage()
// of @ssr-socket/nuxt/testing: the server HTML shows the socket idle, the browser hydrates it with no mismatch, then
// connects to the handler in the same process.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createPage, setup, url } from '@nuxt/test-utils/e2e'
import { describe, expect, it } from 'vitest'
import { hydratePage } from '@ssr-socket/nuxt/testing'
import { CHROMIUM, chromiumArgs, requireChromium } from '../../../test/chromium'

const rootDir = fileURLToPath(new URL('..', import.meta.url))
requireChromium()
await setup({
  rootDir,
  // The app as the test command builds it (npm run build here): served from its .output, not built again.
  build: false,
  nuxtConfig: { nitro: { output: { dir: join(rootDir, '.output') } } },
  browser: true,
  browserOptions: { type: 'chromium', launch: { executablePath: CHROMIUM, args: chromiumArgs } },
})

describe('the board: server render, then hydration in Chromium', () => {
  it('the server HTML shows the socket idle; hydration reports no mismatch; then the page connects', async () => {
    const page = await createPage()
    try {
      const { html, mismatches, errors } = await hydratePage(page, url('/'))
      expect(html).toContain('<span id="status">idle</span>')
      expect(mismatches).toEqual([])
      expect(errors).toEqual([])
      await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'connected')
    } finally {
      await page.close()
    }
  })
})
