// Starts the chat demo: the socket.io backend and the built Nuxt app (production server), and stops both.
// `node demo.mjs` after `nuxi build`; the root `npm run demo` builds everything first.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { startCluster, stopChild } from './backend/cluster.mjs'

const here = (path) => fileURLToPath(new URL(path, import.meta.url))

/** Resolves when `port` can be listened on at 127.0.0.1; otherwise rejects with a message that says what to do. */
export function ensurePortFree(port, what, variable) {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', (error) =>
      reject(new Error(error.code === 'EADDRINUSE'
        ? `Port ${port} (${what}) is busy. Stop what uses it, or choose another port: ${variable}=<port> npm run demo`
        : `Port ${port} (${what}): ${error.message}`)),
    )
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()))
  })
}

function start(name, command, args, env, log) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.on('data', (d) => log(`[${name}] ${String(d).trimEnd()}`))
  child.stderr.on('data', (d) => log(`[${name}] ${String(d).trimEnd()}`))
  return child
}


async function waitForHttp(url, child, timeoutMs = 30_000) {
  const started = Date.now()
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with code ${child.exitCode}`)
    try {
      const res = await fetch(url)
      if (res.status < 500) return
    } catch {
      // not up yet: try again
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`)
}

/** The built Nuxt app (production server), talking to the backend (or the cluster's balancer) on `backendPort`. */
function startApp(appPort, backendPort, log) {
  return start('app', process.execPath, [here('.output/server/index.mjs')], {
    PORT: String(appPort),
    HOST: '127.0.0.1',
    NUXT_PUBLIC_SOCKET_URL: `http://localhost:${backendPort}`,
    NUXT_BACKEND_URL: `http://127.0.0.1:${backendPort}`,
  }, log)
}

/**
 * The cluster demo: redis-server, `nodes` backend nodes and HAProxy on `backendPort` (backend/cluster.mjs), and the
 * app in front. Returns the app URL, the cluster (kill a node, restart Redis) and `stop()`.
 */
export async function startClusterDemo({ appPort = 3000, backendPort = 8000, nodes = 3, sticky = true, log = () => {} } = {}) {
  if (!existsSync(here('.output/server/index.mjs'))) throw new Error('The chat app is not built: run `npm run demo:cluster` from the repository root (or nuxi build here).')
  await ensurePortFree(appPort, 'the chat app', 'PORT')
  await ensurePortFree(backendPort, 'the load balancer', 'BACKEND_PORT')
  const allowedOrigins = [`http://localhost:${appPort}`, `http://127.0.0.1:${appPort}`]
  const cluster = await startCluster({ nodes, allowedOrigins, secret: randomBytes(32).toString('hex'), sticky, port: backendPort, log })
  const app = startApp(appPort, backendPort, log)
  try {
    await waitForHttp(`http://127.0.0.1:${appPort}/`, app)
  } catch (error) {
    await Promise.all([stopChild(app), cluster.stop()])
    throw error
  }
  return {
    url: `http://localhost:${appPort}`,
    backendUrl: cluster.url,
    allowedOrigins,
    app,
    cluster,
    stop: () => Promise.all([stopChild(app), cluster.stop()]).then(() => {}),
  }
}

/**
 * Starts backend and app. Returns the app URL, `restartBackend()` (same port and secret: sessions survive)
 * and `stop()`.
 */
export async function startDemo({ appPort = 3000, backendPort = 8000, log = () => {} } = {}) {
  if (!existsSync(here('.output/server/index.mjs'))) throw new Error('The chat app is not built: run `npm run demo` from the repository root (or nuxi build here).')
  await ensurePortFree(appPort, 'the chat app', 'PORT')
  await ensurePortFree(backendPort, 'the socket.io backend', 'BACKEND_PORT')
  const appOrigins = [`http://localhost:${appPort}`, `http://127.0.0.1:${appPort}`]
  const secret = randomBytes(32).toString('hex')
  const backendEnv = { PORT: String(backendPort), ALLOWED_ORIGINS: appOrigins.join(','), CHAT_SECRET: secret }
  // The backend is supervised: if it dies (a crash, a kill), it is started again on the same port and secret, and
  // the log says so. At most 5 restarts a minute, then the demo reports it and stops trying.
  let stopping = false
  let restarting = false
  const restarts = []
  const startBackend = () => {
    const child = start('backend', process.execPath, [here('backend/server.mjs')], backendEnv, log)
    child.once('exit', (code, signal) => {
      if (stopping || restarting || child !== backend) return
      const now = Date.now()
      while (restarts.length && now - restarts[0] > 60_000) restarts.shift()
      if (restarts.length >= 5) {
        log(`[demo] the backend exited (${signal ?? `code ${code}`}) again: 5 restarts within a minute, not restarting it. See its log above.`)
        return
      }
      restarts.push(now)
      log(`[demo] the backend exited (${signal ?? `code ${code}`}); restarting it on port ${backendPort}`)
      backend = startBackend()
    })
    return child
  }
  let backend = startBackend()
  const app = startApp(appPort, backendPort, log)
  const url = `http://localhost:${appPort}`
  await Promise.all([waitForHttp(`http://127.0.0.1:${backendPort}/api/rooms`, backend), waitForHttp(`http://127.0.0.1:${appPort}/`, app)])
  return {
    url,
    backendUrl: `http://127.0.0.1:${backendPort}`,
    app,
    get backend() {
      return backend
    },
    /** How many times the supervisor restarted a backend that died. */
    get backendRestarts() {
      return restarts.length
    },
    async restartBackend(downMs = 500) {
      await this.stopBackend()
      await new Promise((r) => setTimeout(r, downMs))
      await this.startBackend()
    },
    /** Stops the backend until startBackend() (the supervisor does not restart it meanwhile). */
    async stopBackend() {
      restarting = true
      await stopChild(backend)
    },
    async startBackend() {
      backend = startBackend()
      restarting = false
      await waitForHttp(`http://127.0.0.1:${backendPort}/api/rooms`, backend)
    },
    async stop() {
      stopping = true
      await Promise.all([stopChild(app), stopChild(backend)])
    },
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const appPort = Number(process.env.PORT ?? 3000)
  const backendPort = Number(process.env.BACKEND_PORT ?? 8000)
  let demo
  const shutdown = async () => {
    console.log('\nstopping…')
    await demo?.stop()
    process.exit(0)
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
  const clusterMode = process.argv.includes('--cluster')
  const nodes = Number(process.env.NODES ?? 3)
  try {
    demo = clusterMode
      ? await startClusterDemo({ appPort, backendPort, nodes, log: (line) => console.log(line) })
      : await startDemo({ appPort, backendPort, log: (line) => console.log(line) })
  } catch (error) {
    console.error(`\n${error.message}`)
    await demo?.stop()
    process.exit(1)
  }
  if (clusterMode) {
    console.log(`\n  ssr-socket chat demo on a cluster: ${nodes} backend nodes on Redis behind HAProxy (${demo.backendUrl})`)
    console.log(`  open ${demo.url} in two browser windows; kill a node (kill -9 <pid>: ${demo.cluster.nodes.map((n) => `${n.name} ${n.child.pid}`).join(', ')})`)
    console.log('  and watch its users reconnect to another node with nothing lost (Ctrl-C stops everything)\n')
  } else console.log(`\n  ssr-socket chat demo: open ${demo.url} in two browser windows (Ctrl-C stops both servers)\n`)
  demo.app.once('exit', (code) => code && console.error(`the app server exited with code ${code}`))
}
