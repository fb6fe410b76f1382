// The compatibility matrix: consumer apps as users make them, from the packed tarballs, installed with npm, for
// Nuxt 3 and 4 (production build and server, and `nuxi dev`) and Vite SPAs on Vue 3.4 and 3.5, each checked in
// Chromium against a real socket.io server on 127.0.0.1: the server render shows `idle`, hydration gives no
// warning, the page reaches `connected` with exactly one connection, and dev does not reload the page.
// Prints a table; exit code 1 when a cell fails. Run by the test command after the build (needs Chromium).
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { Server } from 'socket.io'
import { socketIoClientFiles } from '../test/output.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const templates = join(root, 'test/compat')
const typedFixture = join(root, 'packages/nuxt-module/test/fixtures/typed/app')
const PNPM = process.env.PNPM ?? join(root, '.tools/node_modules/.bin/pnpm')
const only = process.argv[2] // a cell name filter, for working on one cell

const CELLS = [
  { name: 'Nuxt 3.21.11', kind: 'nuxt', layout: 'root', deps: { nuxt: '3.21.11', typescript: '5.9.3' } },
  { name: 'Nuxt 4.4.5', kind: 'nuxt', layout: 'app', deps: { nuxt: '4.4.5', typescript: '5.9.3' } },
  // transport 'websocket' with the server inside Nitro, socket.io-client not installed: built and served only.
  { name: 'Nuxt 4.4.5 WebSocket only', kind: 'nuxt', template: 'nuxt-ws', websocket: true, layout: 'root', deps: { nuxt: '4.4.5' } },
  { name: 'Vue 3.4.38 + Vite 5', kind: 'vite', deps: { vue: '3.4.38', vite: '5.4.21', '@vitejs/plugin-vue': '5.2.4' } },
  { name: 'Vue 3.5.45 + Vite 7', kind: 'vite', deps: { vue: '3.5.45', vite: '7.3.8', '@vitejs/plugin-vue': '6.0.11' } },
].filter((c) => !only || c.name.toLowerCase().includes(only.toLowerCase()))

const started = Date.now()
const log = (text) => console.log(`[compat ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${text}`)

/**
 * Starts a command in a process group of its own (so that ending it ends npm's or nuxi's children too), collecting
 * everything it prints. `signal(name)` signals the whole group; a spawn error is reported through `failed`.
 */
function spawnGroup(command, args, cwd, env = {}) {
  const child = spawn(command, args, { cwd, env: { ...process.env, CI: 'true', NUXT_TELEMETRY_DISABLED: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  const group = { child, output: '', failed: null }
  child.stdout.on('data', (d) => (group.output += d))
  child.stderr.on('data', (d) => (group.output += d))
  child.on('error', (error) => (group.failed = new Error(`${command} could not be started: ${error.message}`)))
  group.signal = (name) => {
    try {
      process.kill(-child.pid, name)
    } catch {
      // ended already
    }
  }
  return group
}

/** Runs a command to completion; rejects with its output when it fails or outlives `timeoutMs`. */
function run(command, args, cwd, env = {}, timeoutMs = 300_000) {
  return new Promise((resolve, reject) => {
    const group = spawnGroup(command, args, cwd, env)
    const timer = setTimeout(() => group.signal('SIGKILL'), timeoutMs)
    group.child.on('close', (code) => {
      clearTimeout(timer)
      if (group.failed) reject(group.failed)
      else if (code === 0) resolve(group.output)
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${group.output.slice(-3000)}`))
    })
  })
}

/** Starts a server process; `stop()` ends its whole group (SIGTERM, then SIGKILL after 5 s). */
function start(command, args, cwd, env) {
  const group = spawnGroup(command, args, cwd, env)
  const { child } = group
  return {
    output: () => (group.failed ? `${group.output}\n${group.failed.message}` : group.output),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null || !child.pid) return resolve()
        const kill = setTimeout(() => group.signal('SIGKILL'), 5000)
        child.once('close', () => {
          clearTimeout(kill)
          resolve()
        })
        group.signal('SIGTERM')
      }),
  }
}

const freePort = () =>
  new Promise((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })

async function until(check, what, timeoutMs) {
  const end = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** The page's HTML once the server answers (any status). */
async function page(url, timeoutMs) {
  let html = null
  await until(async () => {
    try {
      const res = await fetch(url)
      if (res.status >= 500) return false
      html = await res.text()
      return true
    } catch {
      return false
    }
  }, `${url} to answer`, timeoutMs)
  return html
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'ssr-socket-compat-'))
  const servers = []
  let browser
  let io
  try {
    // The tarballs, as they would be published (workspace ranges replaced by versions).
    const packs = join(work, 'packs')
    mkdirSync(packs)
    for (const pkg of ['core', 'vue', 'server', 'nuxt-module']) await run(PNPM, ['pack', '--pack-destination', packs], join(root, 'packages', pkg))
    const tarball = (name) => `file:${join(packs, readdirSync(packs).find((f) => f.startsWith(`ssr-socket-${name}-`)))}`
    log(`packed ${readdirSync(packs).join(', ')}`)

    // The apps, installed with npm in parallel (the network part), as users install them.
    for (const cell of CELLS) {
      cell.dir = join(work, cell.name.replace(/\W+/g, '-').toLowerCase())
      cpSync(join(templates, cell.template ?? cell.kind), cell.dir, { recursive: true })
      if (cell.layout === 'app') {
        mkdirSync(join(cell.dir, 'app'))
        renameSync(join(cell.dir, 'app.vue'), join(cell.dir, 'app/app.vue'))
      }
      if (cell.kind === 'nuxt' && !cell.websocket) {
        // Typed events where the README says: Nuxt 3 (source at the root) types/, Nuxt 4 shared/types/.
        const src = cell.layout === 'app' ? 'app' : '.'
        const types = cell.layout === 'app' ? 'shared/types' : 'types'
        mkdirSync(join(cell.dir, types), { recursive: true })
        mkdirSync(join(cell.dir, src, 'utils'), { recursive: true })
        // The same augmentation and checks as the module's own type test (its `typed` fixture).
        cpSync(join(typedFixture, 'types/socket.d.ts'), join(cell.dir, types, 'socket.d.ts'))
        cpSync(join(typedFixture, 'utils/typed-check.ts'), join(cell.dir, src, 'utils/typed-check.ts'))
      }
      const ours =
        cell.kind === 'nuxt'
          ? { '@ssr-socket/nuxt': tarball('nuxt'), '@ssr-socket/vue': tarball('vue'), '@ssr-socket/core': tarball('core'), '@ssr-socket/server': tarball('server') }
          : { '@ssr-socket/vue': tarball('vue'), '@ssr-socket/core': tarball('core') }
      // The WebSocket-only app does not install socket.io-client (an optional peer): nothing may need it.
      const client = cell.websocket ? {} : { 'socket.io-client': '4.8.4' }
      writeFileSync(join(cell.dir, 'package.json'), JSON.stringify({ name: 'compat-app', private: true, type: 'module', dependencies: { ...cell.deps, ...ours, ...client } }, null, 2))
    }
    await Promise.all(CELLS.map((cell) => run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline'], cell.dir, {}, 600_000)))
    log(`installed ${CELLS.length} apps with npm`)

    // The socket.io server every app connects to; it counts connections.
    const http = createServer()
    io = new Server(http, { cors: { origin: true, credentials: true } })
    await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve))
    const socketUrl = `http://127.0.0.1:${http.address().port}`
    let opened = 0
    io.on('connection', () => opened++)

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic'] })

    const rows = []
    const extra = []
    /** One cell in one mode: the server render, then a page in Chromium. */
    async function check(cell, mode, url, { ssr, timeoutMs }) {
      const row = { app: cell.name, mode, ssr: ssr ? '' : 'n/a', hydration: '', connected: '', connections: '', reloads: '', typed: cell.extra?.typed ?? 'n/a', kit: cell.extra?.kit ?? 'n/a', ok: false, error: '' }
      rows.push(row)
      try {
        const html = await page(url, timeoutMs)
        if (ssr) row.ssr = /<p id="status">idle<\/p>/.test(html) ? 'idle' : `not idle: ${(/<p id="status">[^<]*<\/p>/.exec(html) ?? [html.slice(0, 80)])[0]}`
        const tab = await browser.newPage()
        const warnings = []
        let navigations = 0
        const before = opened
        // Connections this page opened: counted by the socket.io server, or (WebSocket transport) by the browser.
        let sockets = 0
        tab.on('websocket', (ws) => ws.url().includes('/_ws') && sockets++)
        const count = () => (cell.websocket ? sockets : opened - before)
        tab.on('console', (m) => (m.type() === 'warning' || m.type() === 'error') && warnings.push(m.text()))
        tab.on('pageerror', (e) => warnings.push(String(e)))
        tab.on('load', () => navigations++) // a document load: a reload would be a second one
        await tab.goto(url)
        try {
          await tab.waitForFunction(() => document.querySelector('#status')?.textContent === 'connected', null, { timeout: timeoutMs })
          row.connected = 'yes'
        } catch {
          row.connected = `no (${await tab.evaluate(() => document.querySelector('#status')?.textContent ?? 'no #status')})`
        }
        await until(() => count() > 0 || row.connected !== 'yes', 'the server to see the connection', 5000)
        if (cell.websocket && row.connected === 'yes') {
          // An ack round trip with the handler inside Nitro.
          await tab.waitForFunction(() => document.querySelector('#echoed')?.textContent === 'round trip', null, { timeout: 10_000 }).catch(() => (row.error = 'no ack from the Nitro handler'))
        }
        // A second copy that connects later, or a reload after `connected` (a late dependency discovery in dev),
        // shows within a moment: the counts must hold for 2 s.
        const settled = Date.now() + 2000
        while (Date.now() < settled && count() === 1 && navigations === 1) await new Promise((r) => setTimeout(r, 100))
        row.connections = String(count()) // connections this page opened: exactly one
        row.hydration = String(warnings.filter((w) => /hydrat/i.test(w)).length)
        row.reloads = String(navigations - 1)
        const errors = warnings.filter((w) => !/hydrat/i.test(w) && /error/i.test(w))
        await tab.close()
        row.ok = (!ssr || row.ssr === 'idle') && row.hydration === '0' && row.connected === 'yes' && row.connections === '1' && row.reloads === '0' && errors.length === 0 && row.typed !== 'no' && row.kit !== '2 (nested)' && !row.error
        if (errors.length) row.error = errors.slice(0, 2).join(' | ').slice(0, 200)
      } catch (error) {
        row.error = String(error.message ?? error).slice(0, 300)
      }
      log(`${row.ok ? 'PASS' : 'FAIL'} ${cell.name} ${mode}`)
    }

    for (const cell of CELLS) {
      const port = await freePort()
      const url = `http://127.0.0.1:${port}/`
      if (cell.kind === 'nuxt') {
        const nuxi = join(cell.dir, 'node_modules/.bin/nuxi')
        try {
          await run(nuxi, ['build'], cell.dir, {}, 300_000)
          // One @nuxt/kit (the app's), not a second one nested under the module.
          const nestedKit = existsSync(join(cell.dir, 'node_modules/@ssr-socket/nuxt/node_modules/@nuxt/kit'))
          // Typed events reach the auto-imported composables (tsc over the generated tsconfig of the app).
          const tsconfig = existsSync(join(cell.dir, '.nuxt/tsconfig.app.json')) ? '.nuxt/tsconfig.app.json' : '.nuxt/tsconfig.json'
          let typed = cell.websocket ? 'n/a' : 'yes'
          if (cell.websocket) {
            // Installed without socket.io-client, built, and no socket.io or engine.io code in the output.
            const problems = []
            if (existsSync(join(cell.dir, 'node_modules/socket.io-client'))) problems.push('socket.io-client was installed')
            const offenders = socketIoClientFiles(join(cell.dir, '.output'))
            if (offenders.length) problems.push(`socket.io code in ${offenders.join(', ')}`)
            for (const problem of problems) extra.push(`${cell.name}: ${problem}`)
            cell.failed = problems.length > 0
            if (!cell.failed) log(`${cell.name}: socket.io-client not installed, build passed, no socket.io or engine.io code in .output`)
          } else try {
            await run(join(cell.dir, 'node_modules/.bin/tsc'), ['--noEmit', '-p', tsconfig], cell.dir, {}, 180_000)
            // nuxt.config.ts types every `socket` option (Nuxt 4 checks it in tsconfig.node.json; Nuxt 3's tsconfig.json holds it).
            if (existsSync(join(cell.dir, '.nuxt/tsconfig.node.json'))) await run(join(cell.dir, 'node_modules/.bin/tsc'), ['--noEmit', '-p', '.nuxt/tsconfig.node.json'], cell.dir, {}, 180_000)
          } catch (error) {
            typed = 'no'
            extra.push(`${cell.name} typed events and options: ${String(error.message).slice(0, 400)}`)
          }
          cell.extra = { typed, kit: nestedKit ? '2 (nested)' : '1' }
          // The WebSocket-only app talks to its own Nitro route; the others to the socket.io server above.
          const socketEnv = cell.websocket ? {} : { NUXT_PUBLIC_SOCKET_URL: socketUrl }
          const server = start(process.execPath, ['.output/server/index.mjs'], cell.dir, { PORT: String(port), HOST: '127.0.0.1', ...socketEnv })
          servers.push(server)
          await check(cell, 'build + server', url, { ssr: true, timeoutMs: 30_000 })
          await server.stop()
        } catch (error) {
          rows.push({ app: cell.name, mode: 'build + server', ok: false, error: String(error.message).slice(0, 300) })
        }
        const devPort = await freePort()
        const dev = start(nuxi, ['dev', '--port', String(devPort), '--host', '127.0.0.1'], cell.dir, cell.websocket ? {} : { NUXT_PUBLIC_SOCKET_URL: socketUrl })
        servers.push(dev)
        await check(cell, 'nuxi dev', `http://127.0.0.1:${devPort}/`, { ssr: true, timeoutMs: 90_000 })
        const row = rows.at(-1)
        if (!row.ok && !row.error) row.error = dev.output().split('\n').filter((l) => /error|warn/i.test(l)).slice(-3).join(' | ').slice(0, 300)
        await dev.stop()
      } else {
        const vite = join(cell.dir, 'node_modules/.bin/vite')
        try {
          await run(vite, ['build'], cell.dir, { VITE_SOCKET_URL: socketUrl }, 180_000)
          const preview = start(vite, ['preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], cell.dir, {})
          servers.push(preview)
          await check(cell, 'build + preview', url, { ssr: false, timeoutMs: 30_000 })
          await preview.stop()
        } catch (error) {
          rows.push({ app: cell.name, mode: 'build + preview', ok: false, error: String(error.message).slice(0, 300) })
        }
      }
    }

    const header = ['app', 'mode', 'SSR', 'hydration warnings', 'connected', 'connections', 'reloads', 'typed events', '@nuxt/kit copies', 'result']
    const lines = rows.map((r) => [r.app, r.mode, r.ssr ?? '', r.hydration ?? '', r.connected ?? '', r.connections ?? '', r.reloads ?? '', r.typed ?? '', r.kit ?? '', r.ok ? 'PASS' : 'FAIL'])
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)))
    const fmt = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`
    console.log(`\nCompatibility matrix (${((Date.now() - started) / 1000).toFixed(0)} s; apps installed with npm from the packed tarballs)\n`)
    console.log(fmt(header))
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
    for (const l of lines) console.log(fmt(l))
    for (const r of rows.filter((x) => !x.ok && x.error)) console.log(`\n${r.app} (${r.mode}): ${r.error}`)
    for (const e of extra) console.log(`\n${e}`)
    return rows.every((r) => r.ok) && rows.length > 0 && CELLS.every((c) => !c.failed)
  } finally {
    for (const s of servers) await s.stop()
    await browser?.close()
    await new Promise((resolve) => (io ? io.close(() => resolve()) : resolve()))
    if (process.env.COMPAT_KEEP) log(`kept ${work}`)
    else rmSync(work, { recursive: true, force: true })
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error) => {
    console.error(`[compat] ${error.stack ?? error}`)
    process.exit(1)
  },
)
