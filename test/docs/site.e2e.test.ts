// The built documentation site in Chromium: every page renders (its heading, no console error, no failed request),
// every internal link leads to a page and an anchor that exist, and the local search finds a known term, also in the
// generated troubleshooting texts. `npm test` builds the site first (npm run docs:build); alone, this builds it when
// docs/.vitepress/dist is missing.
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, relative, sep } from 'node:path'
import { promisify } from 'node:util'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM, chromiumArgs, requireChromium } from '../chromium'

const ROOT = join(__dirname, '../..')
const DIST = join(ROOT, 'docs/.vitepress/dist')

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
}

/** The built folder over HTTP on 127.0.0.1, as a static host serves it: `/x/` is `/x/index.html`, else 404.html. */
function serve(): Promise<Server> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    const file = normalize(join(DIST, path.endsWith('/') ? `${path}index.html` : path))
    const inside = file.startsWith(DIST + sep)
    if (inside && existsSync(file) && !file.endsWith(sep)) {
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
      return res.end(readFileSync(file))
    }
    res.writeHead(404, { 'content-type': TYPES['.html']! })
    res.end(readFileSync(join(DIST, '404.html')))
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

/** Every page of the build, as the path a browser asks for. */
function pages(dir = DIST): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'assets' ? [] : pages(path)
    return entry.name.endsWith('.html') && entry.name !== '404.html' ? [`/${relative(DIST, path).split(sep).join('/')}`] : []
  })
}

let server: Server
let browser: Browser
let page: Page
let origin: string
/** What each page holds, from the crawl: its element ids and the internal links on it. */
const crawled = new Map<string, { ids: Set<string>; links: string[] }>()

beforeAll(async () => {
  requireChromium()
  if (!existsSync(join(DIST, 'index.html'))) {
    await promisify(execFile)('npm', ['run', 'docs:build'], { cwd: ROOT, timeout: 110_000 })
  }
  server = await serve()
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs, timeout: 30_000 })
  page = await browser.newPage()
  page.setDefaultTimeout(10_000)
})

afterAll(async () => {
  await browser?.close()
  server?.closeAllConnections()
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
})

describe('the documentation site, built, in Chromium', () => {
  it('every page renders: its heading, no console error, no failed request', async () => {
    const all = pages()
    expect(all.length).toBeGreaterThanOrEqual(25)
    const problems: string[] = []
    let current = ''
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${current}: console error: ${message.text()}`)
    })
    page.on('pageerror', (error) => problems.push(`${current}: ${error.message}`))
    page.on('response', (response) => {
      if (response.status() >= 400 && response.url().startsWith(origin)) problems.push(`${current}: ${response.status()} for ${response.url()}`)
    })
    for (const path of all) {
      current = path
      await page.goto(origin + path, { waitUntil: 'load', timeout: 15_000 })
      // Hydrated: Vue marks the container it mounted on (and reports a mismatch as a console error before that).
      await page.waitForFunction(() => !!(document.querySelector('#app') as { __vue_app__?: unknown } | null)?.__vue_app__, undefined, { timeout: 10_000 })
      const seen = await page.evaluate(() => ({
        heading: document.querySelector('.vp-doc h1')?.textContent?.trim() ?? '',
        ids: [...document.querySelectorAll('[id]')].map((e) => e.id),
        links: [...document.querySelectorAll<HTMLAnchorElement>('a[href]')].map((a) => a.href),
      }))
      if (!seen.heading) problems.push(`${path}: no heading`)
      crawled.set(path, { ids: new Set(seen.ids), links: seen.links.filter((href) => href.startsWith(origin)) })
    }
    expect(problems).toEqual([])
  })

  it('every internal link leads to a page of the site, and its anchor exists there', async () => {
    expect(crawled.size).toBeGreaterThanOrEqual(25)
    const broken: string[] = []
    let checked = 0
    for (const [from, { links }] of crawled) {
      for (const href of new Set(links)) {
        const url = new URL(href)
        const path = url.pathname.endsWith('/') ? `${url.pathname}index.html` : decodeURIComponent(url.pathname)
        const target = crawled.get(path)
        checked++
        if (!target) {
          // not a page (an image, a file): it must be there
          if (!existsSync(join(DIST, path))) broken.push(`${from} -> ${href}: no such page`)
          continue
        }
        const anchor = decodeURIComponent(url.hash.slice(1))
        if (anchor && !target.ids.has(anchor)) broken.push(`${from} -> ${href}: no #${anchor} on ${path}`)
      }
    }
    expect(broken).toEqual([])
    expect(checked).toBeGreaterThan(500)
  })

  it('the local search finds a known term, in a guide and in the generated troubleshooting texts', async () => {
    await page.goto(`${origin}/index.html`, { waitUntil: 'load' })
    await page.waitForFunction(() => !!(document.querySelector('#app') as { __vue_app__?: unknown } | null)?.__vue_app__)
    await page.click('.VPNavBarSearch button')
    await page.fill('#localsearch-input', 'proxy_read_timeout')
    await page.waitForSelector('.VPLocalSearchBox a.result')
    const results = await page.$$eval('.VPLocalSearchBox a.result', (links) => links.map((a) => a.getAttribute('href') ?? ''))
    expect(results.some((href) => href.startsWith('/guide/deploying.html'))).toBe(true)
    expect(results.some((href) => href.startsWith('/troubleshooting.html'))).toBe(true)

    // A result leads to its page.
    await page.click('.VPLocalSearchBox a.result[href^="/guide/deploying.html"]')
    await page.waitForURL(/\/guide\/deploying\.html/)
    expect(await page.textContent('.vp-doc h1')).toContain('Deploying behind a proxy')
  })
})
