import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/**
 * Starts a benchmark server in its own process (bench/server.mjs, socket.io; or `script`, e.g. ws-server.mjs) on
 * `port` (0: any); resolves with { url, port, stop }.
 */
export function startServer(port = 0, script = 'server.mjs') {
  const child = fork(fileURLToPath(new URL(`./${script}`, import.meta.url)), [String(port)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('message', ({ port }) =>
      resolve({
        port,
        url: `http://127.0.0.1:${port}`,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done()
            child.once('exit', done)
            child.send('stop')
            setTimeout(() => child.kill('SIGKILL'), 3000).unref()
          }),
      }),
    )
  })
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// The same polling wait the tests use.
export { waitFor as until } from '../packages/core/dist/testing.js'

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

/** Nearest-rank quantile (q in 0..1); quantile(v, 0.5) is median(v) for an odd count. */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) * q)]
}

export function heap() {
  globalThis.gc?.()
  globalThis.gc?.()
  return process.memoryUsage().heapUsed
}
