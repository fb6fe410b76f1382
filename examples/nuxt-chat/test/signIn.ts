import type { Page } from 'playwright-core'

/** Signs in on the chat's start page (already open) and waits for the room page to be connected. */
export async function signInOnPage(page: Page, name: string, timeoutMs = 10_000): Promise<Page> {
  // Hydrated first: a click before that would submit the form natively (a reload, no sign-in); seen under load.
  await page.waitForFunction(() => Boolean((document.querySelector('#__nuxt') as { __vue_app__?: unknown } | null)?.__vue_app__))
  await page.fill('#name', name)
  await page.click('button[type=submit]')
  await page.waitForURL(/\/rooms\/general$/)
  await page.waitForSelector('.badge[data-status="connected"]', { timeout: timeoutMs })
  return page
}
