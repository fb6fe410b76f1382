// The chat backend as a cluster on this machine: redis-server, N backend nodes (server.mjs with REDIS_URL) and
// HAProxy in front, all on 127.0.0.1, each on a free port, each a child process stopped by stop().
// HAProxy keeps a browser on its node with an inserted cookie (every browser here comes from 127.0.0.1, so an
// address hash could not tell them apart), which Engine.IO's polling needs; WebSocket-only clients need none.
// A node that dies is taken out by the health check (every second) and, before that, by redispatching a
// connection it refuses to another node.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REDIS_SERVER = '/usr/bin/redis-server'
export const HAPROXY = '/usr/sbin/haproxy'
const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url))
/** The balancer's health-check interval (ms): a dead node is out after two failed checks. */
export const HEALTH_CHECK_MS = 1000

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Resolves once something accepts on the port; rejects when `child` exits first or after `timeoutMs`. */
export async function waitForPort(port, child, what, timeoutMs = 15_000) {
  const started = Date.now()
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.signalCode ?? `code ${child.exitCode}`}) before it listened; see its log`)
    const ok = await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1')
      s.once('connect', () => (s.destroy(), resolve(true)))
      s.once('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() - started > timeoutMs) throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms`)
    await sleep(50)
  }
}

/** Stops a child process (SIGKILL after 3 s); resolves when it has exited. */
export function stopChild(child, signal = 'SIGTERM') {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill(signal)
    setTimeout(() => child.kill('SIGKILL'), 3000).unref()
  })
}

/**
 * HAProxy in front of `nodes` ({ name, port }): round robin, health checks on `health` (a path outside the socket
 * path: each check would otherwise open a session), a dead node redispatched; `sticky` inserts a cookie (Engine.IO's
 * polling needs one; WebSocket-only clients do not).
 */
export function haproxyConfig({ dir, port, nodes, sticky, health = '/api/rooms' }) {
  return `global
  pidfile ${dir}/haproxy.pid
defaults
  mode http
  timeout connect 2s
  # Above socket.io's pingInterval + pingTimeout (25 s + 20 s): a quiet connection is never cut by the balancer.
  timeout client 60s
  timeout server 60s
  timeout tunnel 1h
  # A node that refuses the connection (it died, the health check has not seen it yet): try another at once.
  retries 2
  option redispatch 1
frontend chat
  bind 127.0.0.1:${port}
  default_backend nodes
backend nodes
  balance roundrobin
${sticky ? '  cookie SIO_NODE insert indirect nocache httponly\n' : ''}  option httpchk GET ${health}
  default-server check inter ${HEALTH_CHECK_MS}ms fall 2 rise 2
${nodes.map((n) => `  server ${n.name} 127.0.0.1:${n.port}${sticky ? ` cookie ${n.name}` : ''}`).join('\n')}
`
}

/**
 * What a cluster on this machine runs on: Debian's redis-server and haproxy checked (`command` is what installs
 * them), a temporary directory, and child processes whose output goes to `log` as `[name] line`. `stop()` ends every
 * child and removes the directory: the one cleanup path.
 */
export function processGroup({ prefix, command, log }) {
  for (const [path, pkg] of [[REDIS_SERVER, 'redis-server'], [HAPROXY, 'haproxy']]) {
    if (!existsSync(path)) throw new Error(`${path} is missing: install it from Debian (apt-get install ${pkg}); ${command} and npm test do so when run as root.`)
  }
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const children = new Set()
  const spawnLogged = (name, program, args, env) => {
    const child = spawn(program, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    children.add(child)
    child.once('exit', () => children.delete(child))
    for (const stream of [child.stdout, child.stderr]) stream.on('data', (d) => log(`[${name}] ${String(d).trimEnd()}`))
    return child
  }
  const stop = async () => {
    await Promise.all([...children].map((c) => stopChild(c)))
    rmSync(dir, { recursive: true, force: true })
  }
  return { dir, spawnLogged, stop }
}

/** One backend node alone (history in memory, no adapter), as a child process: the baseline of bench:cluster. */
export async function startSingle({ allowedOrigins, secret, log = () => {} }) {
  const port = await freePort()
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: String(port), NODE_NAME: 'single', CHAT_SECRET: secret, ALLOWED_ORIGINS: allowedOrigins.join(','), REDIS_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (d) => log(`[single] ${String(d).trimEnd()}`))
  try {
    await waitForPort(port, child, 'the backend')
  } catch (error) {
    await stopChild(child)
    throw error
  }
  return { url: `http://127.0.0.1:${port}`, nodes: [{ name: 'single', port, child }], stop: () => stopChild(child) }
}

/**
 * Starts Redis, `nodes` backend nodes and HAProxy. `sticky: false` builds the balancer without stickiness (the
 * misconfiguration the doctor names). Returns the balancer's URL, the nodes, and kill/restart/stop controls.
 */
export async function startCluster({ nodes: count = 3, allowedOrigins, secret, sticky = true, log = () => {}, port } = {}) {
  const { dir, spawnLogged, stop } = processGroup({ prefix: 'chat-cluster-', command: 'npm run demo:cluster', log })
  const redisPort = await freePort()
  let redis
  const startRedis = async () => {
    // Its own directory and port, no config file: the append-only file keeps history across a restart.
    redis = spawnLogged('redis', REDIS_SERVER, ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--loglevel', 'warning'], {})
    await waitForPort(redisPort, redis, 'redis-server')
  }
  try {
    await startRedis()
    const redisUrl = `redis://127.0.0.1:${redisPort}`
    const nodes = []
    for (let i = 1; i <= count; i++) nodes.push({ name: `node-${i}`, port: await freePort() })
    const startNode = (node) => {
      node.child = spawnLogged(node.name, process.execPath, [SERVER], {
        PORT: String(node.port),
        NODE_NAME: node.name,
        REDIS_URL: redisUrl,
        CHAT_SECRET: secret,
        ALLOWED_ORIGINS: allowedOrigins.join(','),
      })
      return waitForPort(node.port, node.child, node.name)
    }
    await Promise.all(nodes.map(startNode))
    const lbPort = port ?? (await freePort())
    writeFileSync(join(dir, 'haproxy.cfg'), haproxyConfig({ dir, port: lbPort, nodes, sticky }))
    const lb = spawnLogged('haproxy', HAPROXY, ['-db', '-f', join(dir, 'haproxy.cfg')], {})
    await waitForPort(lbPort, lb, 'haproxy')
    return {
      url: `http://127.0.0.1:${lbPort}`,
      port: lbPort,
      redisUrl,
      nodes,
      /** kill -9 a node: no goodbye to its clients, its sessions not saved. */
      kill: (name) => stopChild(nodes.find((n) => n.name === name).child, 'SIGKILL'),
      /** Starts a node that was killed again, on its port. */
      revive: (name) => startNode(nodes.find((n) => n.name === name)),
      /** Stops Redis (SHUTDOWN on SIGTERM: the append-only file is complete), waits `downMs`, starts it again. */
      async restartRedis(downMs = 2000) {
        await stopChild(redis)
        await sleep(downMs)
        await startRedis()
      },
      stopRedis: () => stopChild(redis),
      startRedis,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
