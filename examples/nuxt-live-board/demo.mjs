// Starts the live board: the built Nuxt app, whose Nitro server also serves the WebSockets (one process, one port).
// `node demo.mjs` after `nuxi build`; the root `npm run demo:nitro` builds everything first. PORT (3000) picks the port.
// `--cluster` (`npm run demo:nitro -- --cluster`): three processes on Redis behind HAProxy (cluster.mjs), PORT the balancer's.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const here = (path) => fileURLToPath(new URL(path, import.meta.url))

/** Starts the built app on 127.0.0.1:`port`; resolves once it answers. `stop()` ends it (the one cleanup path). */
export async function startBoard({ port, log = () => {} }) {
  const entry = here('.output/server/index.mjs')
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build the board first (npm run build in examples/nuxt-live-board, or npm run demo:nitro at the root).`)
  let child
  const start = async () => {
    child = spawn(process.execPath, [entry], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.on('data', (d) => log(`[board] ${String(d).trimEnd()}`))
    child.stderr.on('data', (d) => log(`[board] ${String(d).trimEnd()}`))
    const started = Date.now()
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the board exited with code ${child.exitCode}`)
      if (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.status === 200, () => false)) return
      if (Date.now() - started > 30_000) throw new Error(`the board did not answer on port ${port} within 30 s`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  const stop = () =>
    new Promise((resolve) => {
      if (!child || child.exitCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
  await start()
  return {
    url: `http://127.0.0.1:${port}`,
    /** Stops the process and starts it again on the same port (the board's notes are kept in memory: they go). */
    restart: async () => {
      await stop()
      await start()
    },
    /** The process as it runs now, e.g. to kill it abruptly. */
    process: () => child,
    stop,
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 3000)
  const cluster = process.argv.includes('--cluster')
  const { startBoardCluster } = await import('./cluster.mjs')
  const board = cluster ? await startBoardCluster({ port, log: (line) => console.log(line) }) : await startBoard({ port, log: (line) => console.log(line) })
  console.log(
    cluster
      ? `\nThe live board runs at http://localhost:${port}: HAProxy in front of ${board.nodes.map((n) => `${n.name} (:${n.port}, pid ${n.child.pid})`).join(', ')}, on Redis (${board.redisUrl}). Open it in two windows, kill a node (kill -9 its pid), and watch the pages move to another; Ctrl-C stops everything.\n`
      : `\nThe live board runs at http://localhost:${port} (its WebSockets at /_ws, same process). Open it in two windows; Ctrl-C stops it.\n`,
  )
  const quit = async () => {
    await board.stop()
    process.exit(0)
  }
  process.on('SIGINT', quit)
  process.on('SIGTERM', quit)
}
