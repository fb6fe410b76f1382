import { parseArgs } from 'node:util'
import { probe, PROXY_KINDS, type Check, type ProbeReport, type ProxyKind } from './probe'

export const USAGE = `Usage: ssr-socket-doctor <url> [--direct <backend-url>] [--path /socket.io] [--origin <origin>]
                         [--cookie <cookie>] [--idle <seconds>] [--proxy <kind>] [--timeout <seconds>]
                         [--insecure] [--json]

Checks a socket.io endpoint the way it is debugged by hand: TCP/TLS, ALPN, the Engine.IO polling handshake,
the WebSocket upgrade (101 expected), one session over several requests (sticky sessions), CORS, an idle hold,
and with --direct the same against the backend, side by side. Exit code 0 only when no check fails.

  --direct <url>    the backend behind the proxy, e.g. http://127.0.0.1:8000
  --path <path>     socket.io path (default /socket.io)
  --origin <o>      send this Origin and check the CORS answer
  --cookie <c>      send this Cookie header (then credentials must be allowed for --origin)
  --idle <s>        hold an idle WebSocket for s seconds and report when the path closes it
  --proxy <kind>    the proxy in front, for its own fixes: nginx, apache, caddy, haproxy, traefik or cloudflare
                    (default: read from the Server: header of the answers)
  --timeout <s>     the hard deadline of each probe, 1-60 s (default 5): a silent or trickling path ends there
  --insecure        accept an invalid TLS certificate (reported as a warning)
  --json            print the report as JSON`

function validUrl(value: string | undefined, name: string): string {
  if (!value) throw new Error(`${name} is required`)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error(`${name} "${value}" is not a URL with a scheme, e.g. https://${value}`)
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) throw new Error(`${name} "${value}" must start with http://, https://, ws:// or wss://`)
  return url.protocol === 'ws:' ? value.replace(/^ws:/, 'http:') : url.protocol === 'wss:' ? value.replace(/^wss:/, 'https:') : value
}

const COLOURS: Record<Check['status'], string> = { pass: '\x1b[32m', warn: '\x1b[33m', fail: '\x1b[31m', skip: '\x1b[90m' }

export function formatReport(report: ProbeReport, colour: boolean): string {
  const lines: string[] = [`ssr-socket-doctor ${report.url}${report.direct ? ` (backend ${report.direct})` : ''}`, '']
  for (const c of report.checks) {
    const status = c.status.toUpperCase().padEnd(4)
    const badge = colour ? `${COLOURS[c.status]}${status}\x1b[0m` : status
    lines.push(`${badge}  ${(c.target === 'direct' ? 'backend: ' : '') + c.title}`)
    lines.push(`      ${c.evidence}`)
    if (c.fix) lines.push(`      fix: ${c.fix}`)
  }
  const failed = report.checks.filter((c) => c.status === 'fail').length
  const warned = report.checks.filter((c) => c.status === 'warn').length
  lines.push('', `${failed ? `${failed} check(s) failed, ${warned} warning(s).` : `All checks passed${warned ? ` (${warned} warning(s))` : ''}.`} (${(report.elapsedMs / 1000).toFixed(1)} s)`)
  return lines.join('\n')
}

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: string[], out: (text: string) => void = (t) => process.stdout.write(`${t}\n`), err: (text: string) => void = (t) => process.stderr.write(`${t}\n`), isTTY = Boolean(process.stdout.isTTY)): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        direct: { type: 'string' },
        path: { type: 'string' },
        origin: { type: 'string' },
        cookie: { type: 'string' },
        idle: { type: 'string' },
        proxy: { type: 'string' },
        timeout: { type: 'string' },
        insecure: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
    if (parsed.values.help) {
      out(USAGE)
      return 0
    }
    if (parsed.positionals.length !== 1) throw new Error(parsed.positionals.length ? 'give exactly one URL' : 'the URL to check is missing')
    const url = validUrl(parsed.positionals[0], 'the URL')
    const direct = parsed.values.direct === undefined ? undefined : validUrl(parsed.values.direct, '--direct')
    const idle = parsed.values.idle === undefined ? undefined : Number(parsed.values.idle)
    if (idle !== undefined && !(idle >= 1 && idle <= 600)) throw new Error('--idle takes a number of seconds between 1 and 600')
    const timeout = parsed.values.timeout === undefined ? undefined : Number(parsed.values.timeout)
    if (timeout !== undefined && !(timeout >= 1 && timeout <= 60)) throw new Error('--timeout takes a number of seconds between 1 and 60')
    const path = parsed.values.path ?? '/socket.io'
    if (!path.startsWith('/')) throw new Error(`--path must start with "/", e.g. /${path}`)
    const proxy = parsed.values.proxy as ProxyKind | undefined
    if (proxy !== undefined && !PROXY_KINDS.includes(proxy)) throw new Error(`--proxy is one of ${PROXY_KINDS.join(', ')}`)
    const report = await probe({ url, direct, path, origin: parsed.values.origin, cookie: parsed.values.cookie, idleSeconds: idle, insecure: parsed.values.insecure ?? false, ...(proxy ? { proxy } : {}), ...(timeout ? { timeoutMs: timeout * 1000 } : {}) })
    out(parsed.values.json ? JSON.stringify(report, null, 2) : formatReport(report, isTTY))
    return report.ok ? 0 : 1
  } catch (error) {
    err(`ssr-socket-doctor: ${(error as Error).message}\n\n${USAGE}`)
    return 2
  }
}
