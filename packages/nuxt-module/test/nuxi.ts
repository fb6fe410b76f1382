import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { freePort } from '@ssr-socket/core/testing'

export const NUXI = fileURLToPath(new URL('../node_modules/.bin/nuxi', import.meta.url))
export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

/** The environment of a nuxi child: this process's, minus what vitest adds (consola goes quiet under a test runner). */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra }
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'TEST' || key === 'NODE_ENV') delete env[key]
  return env
}

export const TSC = fileURLToPath(new URL('../../../node_modules/.bin/tsc', import.meta.url))
/** vue-tsc: tsc with .vue files, as `nuxi typecheck` runs it. */
export const VUE_TSC = fileURLToPath(new URL('../node_modules/.bin/vue-tsc', import.meta.url))

/** Runs `nuxi <args>` in a fixture; resolves with its exit code and everything it printed. */
export function runNuxi(args: string[], cwd: string, env: Record<string, string> = {}, timeoutMs = 120_000): Promise<{ code: number | null; output: string }> {
  return run(NUXI, args, cwd, env, timeoutMs)
}

/** Runs a command to completion; resolves with its exit code and everything it printed. */
export function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}, timeoutMs = 120_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv({ CI: 'true', ...env }), stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d) => (output += String(d)))
    child.stderr.on('data', (d) => (output += String(d)))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

/** Starts a long-running nuxi command (dev) in its own process group, so that stop() ends all of it. */
export function startNuxi(args: string[], cwd: string, env: Record<string, string> = {}): { child: ChildProcess; output: () => string; stop: () => Promise<void> } {
  const child = spawn(NUXI, args, { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let output = ''
  child.stdout?.on('data', (d) => (output += String(d)))
  child.stderr?.on('data', (d) => (output += String(d)))
  return {
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('close', () => resolve())
        try {
          process.kill(-child.pid!, 'SIGTERM')
        } catch {
          resolve()
        }
        setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL')
          } catch {
            // the group is gone already
          }
        }, 5000).unref()
      }),
  }
}

/** Resolves once `url` answers 200 (nuxi dev: once Vite and Nitro are up, about 15-30 s here the first time). */
export async function untilAnswers(url: string, what: () => string = () => '', timeoutMs = 120_000): Promise<void> {
  const started = Date.now()
  for (;;) {
    if (await fetch(url).then((r) => r.status === 200, () => false)) return
    if (Date.now() - started > timeoutMs) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s:\n${what()}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** `nuxi dev` of a fixture on a free port of 127.0.0.1, answering; `stop()` ends it. */
export async function startDev(dir: string, env: Record<string, string> = {}): Promise<ReturnType<typeof startNuxi> & { url: string; port: number }> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const dev = startNuxi(['dev', '--port', String(port), '--host', '127.0.0.1'], dir, env)
  await untilAnswers(url, dev.output)
  return Object.assign(dev, { url, port })
}
