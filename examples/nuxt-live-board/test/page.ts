// The board in Chromium, as its Chromium tests use it: a page of its own (a fresh context) that loads the board,
// waits for the connection and enters under `name`. What goes wrong on the page is pushed onto `problems`: page
// errors always, and console errors (and hydration messages) unless `console` is false. A failed WebSocket attempt
// and a failed request are expected around a restart and are not problems.
import type { Browser, Page } from 'playwright-core'

export async function enterBoard(browser: Browser, url: string, name: string, problems: string[], { console = true } = {}): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  if (console) page.on('console', (m) => (m.type() === 'error' || /hydration/i.test(m.text())) && !/WebSocket connection to .* failed|Failed to load resource/.test(m.text()) && problems.push(`${name}: ${m.text()}`))
  page.on('pageerror', (e) => problems.push(`${name}: ${e.message}`))
  await page.goto(url)
  await page.waitForSelector('#status:text("connected")')
  await page.fill('input[name="name"]', name)
  await page.click('#enter button')
  await page.waitForSelector('#post')
  return page
}
