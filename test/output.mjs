// What the scans of a build's output share (the Nuxt module's e2e tests, the DevTools and WebSocket tests, the
// compatibility matrix): the strings only socket.io-client / engine.io-client carry, and the files under a folder.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** Strings that exist only in engine.io-client / socket.io-client code. */
export const SOCKET_IO_CLIENT_MARKERS = ['xhr poll error', 'It seems you are trying to reach a Socket.IO server']

/**
 * Every file under `dir` whose name matches `names` (all files by default), depth first.
 * @param {string} dir
 * @param {RegExp} [names]
 * @returns {string[]}
 */
export function filesUnder(dir, names = /(?:)/) {
  const out = []
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, names))
    else if (names.test(entry)) out.push(path)
  }
  return out
}

/**
 * The .js/.mjs files under `dir` that are, or carry, socket.io-client or engine.io-client code.
 * @param {string} dir
 * @returns {string[]}
 */
export function socketIoClientFiles(dir) {
  return filesUnder(dir, /\.m?js$/).filter((f) => /(socket|engine)\.io-client/.test(f) || SOCKET_IO_CLIENT_MARKERS.some((m) => readFileSync(f, 'utf8').includes(m)))
}
