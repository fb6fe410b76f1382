import { readFileSync, writeFileSync } from 'node:fs'
import type { Page } from 'playwright-core'

// Shared by the hot-update tests (nuxi dev in packages/nuxt-module, Vite in examples/vue-spa): their apps have the
// same component (#status, #component v0) and composable (label: 'v0').

const SAME_DOCUMENT = '__sameDocument'
const marked = (page: Page): Promise<boolean> => page.evaluate((key) => (window as unknown as Record<string, unknown>)[key] === true, SAME_DOCUMENT).catch(() => false)

/**
 * Waits out the dev server's own reload: on a first visit Vite may optimise the dependencies it discovers and reload
 * the page once (a dev-server step, not a hot update). Returns once the page, connected, stayed the same document
 * for `quietMs`; `sameDocument()` then tells whether it still is.
 */
export async function settleDevReloads(page: Page, quietMs: number, what: string): Promise<{ sameDocument: () => Promise<boolean> }> {
  for (let tries = 0; ; tries++) {
    await page.waitForSelector('#status:text("connected")', { timeout: 60_000 })
    await page.evaluate((key) => ((window as unknown as Record<string, unknown>)[key] = true), SAME_DOCUMENT)
    await new Promise((r) => setTimeout(r, quietMs))
    if (await marked(page)) return { sameDocument: () => marked(page) }
    if (tries === 3) throw new Error(`the page kept reloading under ${what}`)
  }
}

/** Edits a file and waits for the page to show the result of the hot update. */
async function hotUpdate(page: Page, file: string, from: string, to: string, selector: string, expected: string): Promise<void> {
  // A change right after the previous one can be folded into it by the file watcher: let it settle first.
  await new Promise((r) => setTimeout(r, 500))
  const text = readFileSync(file, 'utf8')
  if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`)
  writeFileSync(file, text.replace(from, to))
  await page.waitForFunction(([s, e]) => document.querySelector(s!)?.textContent === e, [selector, expected] as const, { timeout: 30_000 })
}

/** The five hot updates: three of the component, two of the composable; then connected again. */
export async function fiveHotUpdates(page: Page, component: string, composable: string): Promise<void> {
  await hotUpdate(page, component, '>v0<', '>v1<', '#component', 'v1')
  await hotUpdate(page, component, '>v1<', '>v2<', '#component', 'v2')
  await hotUpdate(page, component, '>v2<', '>v3<', '#component', 'v3')
  await hotUpdate(page, composable, "label: 'v0'", "label: 'v1'", '#composable', 'v1')
  await hotUpdate(page, composable, "label: 'v1'", "label: 'v2'", '#composable', 'v2')
  await page.waitForSelector('#status:text("connected")')
}
