// Pinned npm packages (runtimes, tools) installed on first use into a cache directory ignored by git, then reused, as
// test/runtimes.test.ts does for Bun and Deno: `npm install --no-save --prefix` into a staging directory moved into
// place once complete, so that an interrupted install is never taken for a cached one.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface Pinned {
  readonly name: string
  readonly version: string
  /** A file that must be there after the install (the binary, the CLI), relative to the package. */
  readonly file: string
}

/** One install prefix per pinned package: a new pin installs beside the old one, never over it. */
export const prefixOf = (cache: string, p: Pinned): string => `${cache}/${p.name.replace('/', '+')}@${p.version}`
const packageDir = (p: Pinned, prefix: string): string => `${prefix}/node_modules/${p.name}`

export const versionAt = (dir: string): string | null => {
  try {
    return (JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { version?: string }).version ?? null
  } catch {
    return null
  }
}
const installed = (p: Pinned, prefix: string): boolean => versionAt(packageDir(p, prefix)) === p.version && existsSync(`${packageDir(p, prefix)}/${p.file}`)

/** The package's directory in `cache`, installed first unless the cache already holds the pinned version. */
export async function ensurePinned(cache: string, p: Pinned): Promise<{ dir: string; how: 'cached' | 'installed' }> {
  const prefix = prefixOf(cache, p)
  if (installed(p, prefix)) return { dir: packageDir(p, prefix), how: 'cached' }
  mkdirSync(cache, { recursive: true })
  const npm = { env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' }, timeout: 240_000 }
  // That the version exists (a clear message rather than npm's ETARGET in the middle of an install).
  const { stdout } = await run('npm', ['view', `${p.name}@${p.version}`, 'version'], npm)
  if (stdout.trim() !== p.version) throw new Error(`${p.name}@${p.version} is not on the registry (npm view: "${stdout.trim()}")`)
  const staging = `${prefix}.installing-${process.pid}`
  rmSync(staging, { recursive: true, force: true })
  mkdirSync(staging, { recursive: true })
  try {
    await run('npm', ['install', '--no-save', '--no-package-lock', '--prefix', staging, `${p.name}@${p.version}`], npm)
    if (!installed(p, staging)) throw new Error(`npm installed ${p.name}@${p.version} without ${p.file} (found version ${versionAt(packageDir(p, staging))})`)
    rmSync(prefix, { recursive: true, force: true })
    renameSync(staging, prefix)
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
  return { dir: packageDir(p, prefix), how: 'installed' }
}
