// The live board as a cluster on this machine: redis-server, N processes of the built board (each a Nitro server with
// its own socket server, on the Redis adapter: REDIS_URL) and HAProxy in front, all on 127.0.0.1, each on a free port,
// each a child process stopped by stop(). WebSocket only: the balancer needs no stickiness, only to pass the upgrade.
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, HAPROXY, haproxyConfig, processGroup, REDIS_SERVER, stopChild, waitForPort } from '../nuxt-chat/backend/cluster.mjs'

const ENTRY = fileURLToPath(new URL('./.output/server/index.mjs', import.meta.url))

/**
 * Starts Redis, `nodes` board processes and HAProxy on `port` (a free one by default). Returns the balancer's URL, the
 * nodes and controls: kill (-9), terminate (SIGTERM), revive, stop.
 */
export async function startBoardCluster({ nodes: count = 3, port, log = () => {} } = {}) {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: build the board first (npm run build in examples/nuxt-live-board, or npm run demo:nitro at the root).`)
  const { dir, spawnLogged, stop } = processGroup({ prefix: 'board-cluster-', command: 'npm run demo:nitro -- --cluster', log })
  try {
    const redisPort = await freePort()
    const redis = spawnLogged('redis', REDIS_SERVER, ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], {})
    await waitForPort(redisPort, redis, 'redis-server')
    const redisUrl = `redis://127.0.0.1:${redisPort}`
    const nodes = []
    for (let i = 1; i <= count; i++) nodes.push({ name: `board-${i}`, port: await freePort() })
    const startNode = async (node) => {
      node.child = spawnLogged(node.name, process.execPath, [ENTRY], { PORT: String(node.port), HOST: '127.0.0.1', NODE_ENV: 'production', REDIS_URL: redisUrl })
      await waitForPort(node.port, node.child, node.name, 30_000)
    }
    await Promise.all(nodes.map(startNode))
    const lbPort = port ?? (await freePort())
    writeFileSync(join(dir, 'haproxy.cfg'), haproxyConfig({ dir, port: lbPort, nodes, sticky: false, health: '/healthz' }))
    const lb = spawnLogged('haproxy', HAPROXY, ['-db', '-f', join(dir, 'haproxy.cfg')], {})
    await waitForPort(lbPort, lb, 'haproxy')
    const node = (name) => nodes.find((n) => n.name === name)
    return {
      url: `http://127.0.0.1:${lbPort}`,
      redisUrl,
      nodes,
      /** kill -9: no goodbye to its clients, nothing saved at the end (their sessions' live copies are in Redis). */
      kill: (name) => stopChild(node(name).child, 'SIGKILL'),
      /** SIGTERM: the process ends as a deploy ends it. */
      terminate: (name) => stopChild(node(name).child, 'SIGTERM'),
      /** Starts a stopped node again on its port. */
      revive: (name) => startNode(node(name)),
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
