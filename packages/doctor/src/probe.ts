import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { randomBytes } from 'node:crypto'
import { connect as netConnect, isIP, type Socket } from 'node:net'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import { FIX_HINTS } from '@ssr-socket/core/hints'

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip'

export interface Check {
  id: 'reach' | 'alpn' | 'polling' | 'websocket' | 'session' | 'cors' | 'idle' | 'direct'
  target: 'url' | 'direct'
  title: string
  status: CheckStatus
  /** What was seen: status codes, headers, timings. */
  evidence: string
  /** When not passing: the likely cause and the fix, in a line or two. */
  fix?: string
}

export interface ProbeOptions {
  /** The public URL of the app or socket server, e.g. https://chat.example.com (ws:// and wss:// read as http(s)://). */
  url: string
  /** The backend behind the proxy, checked the same way for a side-by-side verdict. */
  direct?: string
  /** @default '/socket.io' */
  path?: string
  /** Origin to send (CORS check). */
  origin?: string
  /** Cookie header to send (checks credentials headers with --origin). */
  cookie?: string
  /** Hold an idle WebSocket this many seconds and report when the path closes it. */
  idleSeconds?: number
  /** Accept self-signed or otherwise invalid certificates (reported as a warning). @default false */
  insecure?: boolean
  /**
   * The proxy in front, for proxy-specific fixes: 'nginx' | 'apache' | 'caddy' | 'haproxy' | 'traefik' | 'cloudflare'.
   * @default read from the `Server:` header of the answers
   */
  proxy?: ProxyKind
  /** Per network operation. @default 5000 */
  timeoutMs?: number
}

export interface ProbeReport {
  url: string
  direct?: string
  checks: Check[]
  /** true when no check failed. */
  ok: boolean
  /** How long the whole run took: each probe ends at its deadline (timeoutMs), so the run is bounded. */
  elapsedMs: number
}

interface Response {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

export type ProxyKind = 'nginx' | 'apache' | 'caddy' | 'haproxy' | 'traefik' | 'cloudflare'
export const PROXY_KINDS: readonly ProxyKind[] = ['nginx', 'apache', 'caddy', 'haproxy', 'traefik', 'cloudflare']

/** How each proxy is told to pass the WebSocket upgrade on the socket.io path. */
const UPGRADE_FIX: Record<ProxyKind, string> = {
  nginx:
    'nginx drops the WebSocket upgrade. In the location serving the socket.io path: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade"; (a location with its own proxy_set_header does not inherit the server-level ones).',
  apache:
    'Apache drops the WebSocket upgrade. Enable mod_proxy_wstunnel (a2enmod proxy_wstunnel) and proxy the path with upgrade: ProxyPass /socket.io/ http://backend/socket.io/ upgrade=websocket (Apache 2.4.47+), or a RewriteCond %{HTTP:Upgrade} websocket [NC] + RewriteRule to ws://backend.',
  caddy:
    'Caddy passes WebSocket upgrades by itself: something between changes the request. Check that reverse_proxy serves the socket.io path, that no header_up removes Connection/Upgrade, and that the upstream speaks HTTP/1.1 (not h2c) for it.',
  haproxy:
    'HAProxy drops the upgrade. Use mode http with HTTP/1.1 to the server, no http-request rule that deletes or rewrites the Connection/Upgrade headers on the socket.io path, and set "timeout tunnel 1h" so the WebSocket lives after the upgrade.',
  traefik:
    'Traefik passes WebSocket upgrades by itself: check that the router for the socket.io path reaches the service, and that no middleware (headers, forwardAuth, compress) changes the upgrade request.',
  cloudflare: 'Cloudflare drops the WebSocket upgrade: turn on Network > WebSockets for the zone, and keep the path proxied over HTTP/1.1 to the origin.',
}

/** Which setting closes an idle WebSocket, per proxy. */
const IDLE_FIX: Record<ProxyKind, string> = {
  nginx: 'nginx closes the idle WebSocket: in the location serving the socket.io path, raise proxy_read_timeout (and proxy_send_timeout) above pingInterval + pingTimeout, e.g. 75s.',
  apache: 'Apache closes the idle WebSocket after the longer of Timeout and ProxyTimeout (or timeout= on the ProxyPass/BalancerMember of the socket.io path): raise them above pingInterval + pingTimeout, e.g. 75 s.',
  caddy: 'Caddy closes the idle WebSocket: raise or remove read_timeout in the reverse_proxy transport (and stream_timeout in Caddy 2.7+) for the socket.io path.',
  haproxy: 'HAProxy closes the idle WebSocket: set "timeout tunnel 1h" in the backend (without it, timeout client/server apply to the WebSocket after the upgrade).',
  traefik: 'Traefik closes the idle WebSocket: raise the entrypoint transport respondingTimeouts.readTimeout / idleTimeout above pingInterval + pingTimeout.',
  cloudflare: 'Cloudflare closes WebSockets after 100 s without a message: keep socket.io pingInterval below that (the default 25 s does).',
}

/** The proxy that names itself in a `Server:` header, if any. */
export function proxyFromServerHeader(server: unknown): ProxyKind | undefined {
  const s = String(server ?? '').toLowerCase()
  if (s.includes('cloudflare')) return 'cloudflare'
  if (s.includes('nginx') || s.includes('openresty')) return 'nginx'
  if (s.includes('apache')) return 'apache'
  if (s.includes('caddy')) return 'caddy'
  if (s.includes('haproxy')) return 'haproxy'
  if (s.includes('traefik')) return 'traefik'
  return undefined
}

/** The fix for an upgrade that did not give 101, from the status and whichever proxy answered. */
function upgradeFixFor(status: number | null, proxy: ProxyKind | undefined): string {
  if (status === 502 || status === 503 || status === 504) {
    return `The proxy answered ${status}: it could not get an answer from the backend for the upgrade (the backend is down, a wrong upstream address, or the proxy speaks HTTP/2 or h2c to a backend that needs HTTP/1.1 for WebSockets). Check the proxy's error log for this request.`
  }
  return proxy ? UPGRADE_FIX[proxy] : FIX.upgrade
}

/** The fixes, in the same words the DevTools tab shows next to a classified error (one text, in core). */
const FIX = { ...FIX_HINTS, idle: `${FIX_HINTS.idle} Pass --proxy to name yours.` }

/** `promise` or an error after `ms`; on the error, `abandon` runs (destroy the socket: nothing may outlive a probe). */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string, abandon?: () => void): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => {
        abandon?.()
        reject(new Error(`${what}: no answer within ${ms} ms`))
      }, ms)
    }),
  ])
}

function endpoint(base: string, path: string, query: string): URL {
  const url = new URL(base)
  url.pathname = `${path.replace(/\/$/, '')}/`
  url.search = query
  return url
}

function send(url: URL, options: { method?: string; headers?: Record<string, string>; body?: string; insecure: boolean; timeoutMs: number }): Promise<Response & { upgraded?: Socket }> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest
    const req = request(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      timeout: options.timeoutMs,
      rejectUnauthorized: !options.insecure,
      // One connection per request: round-robin backends must be able to show themselves.
      agent: false,
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)))
    // `timeout` above measures idle time only: a server trickling a byte a second would never trip it. One hard
    // deadline for the whole answer destroys the request and its socket.
    const deadline = setTimeout(() => req.destroy(new Error(`no complete answer within ${options.timeoutMs} ms`)), options.timeoutMs)
    const done = <T>(settle: (value: T) => void) => (value: T): void => {
      clearTimeout(deadline)
      settle(value)
    }
    req.on('error', done(reject))
    req.on('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) => {
      // The first frames (Engine.IO's open packet) may come with the 101 answer: back into the socket's stream.
      if (head.length) socket.unshift(head)
      done(resolve)({ status: res.statusCode ?? 0, headers: res.headers, body: '', upgraded: socket })
    })
    req.on('response', (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d.length + body.length > 4096 ? '' : d))
      res.on('end', () => done(resolve)({ status: res.statusCode ?? 0, headers: res.headers, body }))
      res.on('error', done(reject))
    })
    req.end(options.body)
  })
}

function upgradeHeaders(extra: Record<string, string>): Record<string, string> {
  return { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'), ...extra }
}

/** Engine.IO's own refusal (error code 4, "Forbidden": its allowRequest check said no), not a proxy's. */
function refused(res: Response): boolean {
  return (res.status === 400 || res.status === 403) && (/^\s*Forbidden\s*$/.test(res.body) || /"code"\s*:\s*4\b/.test(res.body))
}

function headerLine(headers: IncomingHttpHeaders): string {
  return `Upgrade: ${String(headers.upgrade ?? '(none)')}, Connection: ${String(headers.connection ?? '(none)')}`
}

interface TargetResult {
  checks: Check[]
  websocketStatus: number | null
  /** The upgrade was refused by Engine.IO itself (Forbidden: its allowRequest check). */
  websocketRefused: boolean
  /** The body of a refused upgrade (an allowRequest message comes back as it). */
  websocketBody: string
}

async function checkReach(base: URL, o: Required<Pick<ProbeOptions, 'insecure' | 'timeoutMs'>>, target: Check['target']): Promise<Check[]> {
  const port = Number(base.port || (base.protocol === 'https:' || base.protocol === 'wss:' ? 443 : 80))
  // URL keeps an IPv6 literal in brackets ("[::1]"); sockets want the bare address, and the evidence shows it as the URL
  // does ("[::1]:3000", not the ambiguous "::1:3000").
  const host = base.hostname.replace(/^\[(.*)\]$/, '$1')
  const where = `${base.hostname}:${port}`
  const secure = base.protocol === 'https:' || base.protocol === 'wss:'
  const started = Date.now()
  if (!secure) {
    try {
      let pending: Socket | undefined
      const socket = await withTimeout(
        new Promise<Socket>((resolve, reject) => {
          const s = (pending = netConnect({ host, port }, () => resolve(s)))
          s.on('error', reject)
        }),
        o.timeoutMs,
        'TCP connect',
        () => pending?.destroy(),
      )
      socket.destroy()
      return [
        { id: 'reach', target, title: 'TCP reach', status: 'pass', evidence: `${where} accepted a connection in ${Date.now() - started} ms` },
        { id: 'alpn', target, title: 'ALPN / HTTP/2', status: 'skip', evidence: 'plain HTTP: no TLS, no ALPN' },
      ]
    } catch (error) {
      return [{ id: 'reach', target, title: 'TCP reach', status: 'fail', evidence: `${where}: ${(error as Error).message}`, fix: 'Nothing listens there, or a firewall drops it: check the host, the port and that the server runs.' }]
    }
  }
  try {
    let pending: TLSSocket | undefined
    const socket = await withTimeout(
      new Promise<TLSSocket>((resolve, reject) => {
        // No SNI for an address (RFC 6066; Node warns DEP0123): the certificate is then checked against the address.
        const s = (pending = tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ALPNProtocols: ['h2', 'http/1.1'], rejectUnauthorized: false }, () => resolve(s)))
        s.on('error', reject)
      }),
      o.timeoutMs,
      'TLS connect',
      () => pending?.destroy(),
    )
    const protocol = socket.alpnProtocol || 'none'
    const authorized = socket.authorized
    const certError = socket.authorizationError ? String(socket.authorizationError) : ''
    socket.destroy()
    const reach: Check = authorized
      ? { id: 'reach', target, title: 'TCP/TLS reach', status: 'pass', evidence: `TLS to ${where} in ${Date.now() - started} ms, certificate valid` }
      : {
          id: 'reach',
          target,
          title: 'TCP/TLS reach',
          status: o.insecure ? 'warn' : 'fail',
          evidence: `TLS to ${where}: certificate problem ${certError}`,
          fix: 'Browsers refuse this certificate: install a certificate for this host name from a trusted CA (e.g. Let\'s Encrypt).',
        }
    const alpn: Check =
      protocol === 'h2'
        ? { id: 'alpn', target, title: 'ALPN / HTTP/2', status: 'warn', evidence: 'the server offers HTTP/2 (ALPN h2)', fix: FIX.alpn }
        : { id: 'alpn', target, title: 'ALPN / HTTP/2', status: 'pass', evidence: `ALPN: ${protocol}` }
    return [reach, alpn]
  } catch (error) {
    return [{ id: 'reach', target, title: 'TCP/TLS reach', status: 'fail', evidence: `${where}: ${(error as Error).message}`, fix: 'TLS failed: check the port speaks TLS and the server has a certificate.' }]
  }
}

async function probeTarget(given: string, target: Check['target'], options: ProbeOptions): Promise<TargetResult> {
  // ws:// and wss:// as the CLI takes them: the same server over http(s) (Engine.IO starts with a polling request).
  const base = given.replace(/^ws(s?):/i, 'http$1:')
  const o = { insecure: options.insecure ?? false, timeoutMs: options.timeoutMs ?? 5000 }
  const path = options.path ?? '/socket.io'
  const url = new URL(base)
  const checks = await checkReach(url, o, target)
  if (checks.some((c) => c.id === 'reach' && c.status === 'fail')) return { checks, websocketStatus: null, websocketRefused: false, websocketBody: '' }
  const common: Record<string, string> = {}
  if (options.origin) common.Origin = options.origin
  if (options.cookie) common.Cookie = options.cookie

  // 3. Engine.IO polling handshake
  let sid: string | null = null
  // The session's cookie jar, as a browser keeps one: a balancer's affinity cookie (HAProxy `cookie ... insert`,
  // Apache ROUTEID, a Caddy/Traefik sticky cookie) set on the handshake must come back on the session's requests.
  const jar = new Map<string, string>()
  const withJar = (headers: Record<string, string>): Record<string, string> => {
    if (!jar.size) return headers
    const cookies = [...jar].map(([k, v]) => `${k}=${v}`)
    return { ...headers, Cookie: [headers.Cookie, ...cookies].filter(Boolean).join('; ') }
  }
  const keep = (res: Response): void => {
    const set = res.headers['set-cookie']
    for (const line of Array.isArray(set) ? set : set ? [set] : []) {
      const pair = /^\s*([^=;\s]+)=([^;]*)/.exec(line)
      if (pair) jar.set(pair[1]!, pair[2]!)
    }
  }
  try {
    const res = await send(endpoint(base, path, `EIO=4&transport=polling&t=${Date.now()}`), { headers: common, ...o })
    keep(res)
    const match = /^0(\{.*\})/.exec(res.body)
    sid = match ? ((JSON.parse(match[1]!) as { sid?: string }).sid ?? null) : null
    checks.push(
      res.status === 200 && sid
        ? { id: 'polling', target, title: 'Engine.IO polling handshake', status: 'pass', evidence: `200, sid ${sid.slice(0, 6)}…` }
        : {
            id: 'polling',
            target,
            title: 'Engine.IO polling handshake',
            status: 'fail',
            evidence: `HTTP ${res.status}${res.body ? `: ${res.body.slice(0, 120)}` : ''}`,
            fix: refused(res) ? FIX.origin : res.status === 403 ? FIX.access : FIX.polling,
          },
    )
    // 6. CORS
    if (options.origin) {
      const allowOrigin = String(res.headers['access-control-allow-origin'] ?? '')
      const allowCredentials = String(res.headers['access-control-allow-credentials'] ?? '')
      const originOk = allowOrigin === options.origin || (allowOrigin === '*' && !options.cookie)
      const credentialsOk = !options.cookie || allowCredentials === 'true'
      checks.push({
        id: 'cors',
        target,
        title: 'CORS for the origin',
        status: originOk && credentialsOk ? 'pass' : 'fail',
        evidence: `Access-Control-Allow-Origin: ${allowOrigin || '(none)'}, Access-Control-Allow-Credentials: ${allowCredentials || '(none)'}`,
        ...(originOk && credentialsOk ? {} : { fix: FIX.cors }),
      })
    }
  } catch (error) {
    checks.push({ id: 'polling', target, title: 'Engine.IO polling handshake', status: 'fail', evidence: (error as Error).message, fix: FIX.polling })
  }

  // 4. WebSocket upgrade
  let proxyHint: ProxyKind | undefined = options.proxy
  let websocketStatus: number | null = null
  let websocketRefused = false
  let websocketBody = ''
  try {
    const res = await send(endpoint(base, path, 'EIO=4&transport=websocket'), { headers: upgradeHeaders(common), ...o })
    res.upgraded?.destroy()
    websocketStatus = res.status
    websocketRefused = refused(res)
    websocketBody = res.body
    proxyHint = options.proxy ?? proxyFromServerHeader(res.headers.server)
    checks.push(
      res.status === 101
        ? { id: 'websocket', target, title: 'WebSocket upgrade', status: 'pass', evidence: `101 Switching Protocols (${headerLine(res.headers)})` }
        : {
            id: 'websocket',
            target,
            title: 'WebSocket upgrade',
            status: 'fail',
            evidence: `HTTP ${res.status} instead of 101 (${headerLine(res.headers)}${res.headers.server ? `, Server: ${String(res.headers.server)}` : ''})${res.body ? `: ${res.body.slice(0, 80)}` : ''}`,
            fix: websocketRefused ? FIX.origin : res.status === 403 ? FIX.access : upgradeFixFor(res.status, proxyHint),
          },
    )
  } catch (error) {
    checks.push({ id: 'websocket', target, title: 'WebSocket upgrade', status: 'fail', evidence: (error as Error).message, fix: upgradeFixFor(null, options.proxy) })
  }

  // 5. The same session over several requests (and its upgrade)
  if (sid) {
    const q = (transport: string) => `EIO=4&transport=${transport}&sid=${encodeURIComponent(sid!)}`
    const seen: string[] = []
    let unknown = false
    try {
      const steps: Array<() => Promise<Response>> = [
        () => send(endpoint(base, path, q('polling')), { method: 'POST', body: '40', headers: withJar({ ...common, 'Content-Type': 'text/plain;charset=UTF-8' }), ...o }),
        () => send(endpoint(base, path, q('polling')), { headers: withJar(common), ...o }),
        ...Array.from({ length: 4 }, () => () => send(endpoint(base, path, q('polling')), { method: 'POST', body: '6', headers: withJar({ ...common, 'Content-Type': 'text/plain;charset=UTF-8' }), ...o })),
      ]
      for (const step of steps) {
        const res = await step()
        keep(res)
        seen.push(String(res.status))
        if (res.status !== 200 && /Session ID unknown/i.test(res.body)) unknown = true
        if (res.status !== 200) break
      }
      let upgradeNote = ''
      if (!unknown) {
        const up = await send(endpoint(base, path, q('websocket')), { headers: upgradeHeaders(withJar(common)), ...o })
        up.upgraded?.destroy()
        upgradeNote = `, upgrade of the session: ${up.status}`
        if (up.status !== 101 && /Session ID unknown/i.test(up.body)) unknown = true
      }
      checks.push(
        unknown
          ? { id: 'session', target, title: 'Same session over several requests', status: 'fail', evidence: `statuses ${seen.join(', ')}: "Session ID unknown"`, fix: FIX.sticky }
          : seen.every((s) => s === '200')
            ? { id: 'session', target, title: 'Same session over several requests', status: 'pass', evidence: `${seen.length} requests on one sid: ${seen.join(', ')}${upgradeNote}` }
            : { id: 'session', target, title: 'Same session over several requests', status: 'fail', evidence: `statuses ${seen.join(', ')}`, fix: FIX.polling },
      )
    } catch (error) {
      checks.push({ id: 'session', target, title: 'Same session over several requests', status: 'fail', evidence: (error as Error).message, fix: FIX.sticky })
    }
  }

  // 7. Idle hold
  if (options.idleSeconds && options.idleSeconds > 0) {
    checks.push(await holdIdle(base, path, target, options.idleSeconds, common, o, proxyHint))
  }
  return { checks, websocketStatus, websocketRefused, websocketBody }
}

/** A masked client frame (RFC 6455: clients mask), small payloads only. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4)
  const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!))
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, body])
}

/**
 * Acts as a socket.io client on an upgraded WebSocket held idle: joins the default namespace after Engine.IO's
 * open packet (socket.io closes a connection that joins none after its connectTimeout, 45 s by default), answers
 * Engine.IO's ping ("2", a text frame) with its pong ("3") and a WebSocket ping with its pong. A close frame is the
 * path (or server) closing: `onClose`, at once (the TCP connection itself may stay up for the server's close
 * timeout). `joined` records the server's answer to the namespace CONNECT. Frames from a server are unmasked.
 */
function answerPings(socket: Socket, onClose: () => void, joined: { ok?: boolean; refusal?: string }): void {
  let pending = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk])
    for (;;) {
      if (pending.length < 2) return
      const opcode = pending[0]! & 0x0f
      let length = pending[1]! & 0x7f
      let offset = 2
      if (length === 126) {
        if (pending.length < 4) return
        length = pending.readUInt16BE(2)
        offset = 4
      } else if (length === 127) {
        if (pending.length < 10) return
        length = Number(pending.readBigUInt64BE(2))
        offset = 10
      }
      if (pending.length < offset + length) return
      const payload = pending.subarray(offset, offset + length)
      pending = pending.subarray(offset + length)
      const text = opcode === 0x1 ? payload.toString() : ''
      if (text === '2') socket.write(clientFrame(0x1, Buffer.from('3')))
      else if (text.startsWith('0{')) socket.write(clientFrame(0x1, Buffer.from('40')))
      else if (text.startsWith('40')) joined.ok = true
      else if (text.startsWith('44')) joined.refusal = text.slice(2, 160)
      else if (opcode === 0x9 && payload.length < 126) socket.write(clientFrame(0xa, payload))
      else if (opcode === 0x8) return onClose()
    }
  })
}

async function holdIdle(
  base: string,
  path: string,
  target: Check['target'],
  seconds: number,
  headers: Record<string, string>,
  o: { insecure: boolean; timeoutMs: number },
  /** --proxy, or the proxy named by the Server: header of the upgrade check */
  proxy: ProxyKind | undefined,
): Promise<Check> {
  const title = `Idle WebSocket for ${seconds} s`
  const fix = proxy ? IDLE_FIX[proxy] : FIX.idle
  try {
    const res = await send(endpoint(base, path, 'EIO=4&transport=websocket'), { headers: upgradeHeaders(headers), ...o })
    if (!res.upgraded) return { id: 'idle', target, title, status: 'skip', evidence: `no WebSocket to hold (HTTP ${res.status})` }
    const socket = res.upgraded
    const started = Date.now()
    const joined: { ok?: boolean; refusal?: string } = {}
    // Engine.IO pings are answered, as a client would: only the path (a proxy's idle timeout) may close it then.
    const closedAfter = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), seconds * 1000)
      const done = () => {
        clearTimeout(timer)
        resolve(Date.now() - started)
      }
      answerPings(socket, done, joined)
      socket.on('close', done)
      socket.on('end', done)
      socket.on('error', done)
      socket.resume()
    })
    socket.destroy()
    return closedAfter === null
      ? { id: 'idle', target, title, status: 'pass', evidence: `still open after ${seconds} s` }
      : joined.ok
        ? { id: 'idle', target, title, status: 'fail', evidence: `the path closed the idle connection after ${(closedAfter / 1000).toFixed(1)} s`, fix }
        : {
            id: 'idle',
            target,
            title,
            status: 'fail',
            evidence: `closed after ${(closedAfter / 1000).toFixed(1)} s; the server did not let the doctor join the namespace${joined.refusal ? ` (${joined.refusal})` : ''}, and socket.io closes such connections after its connectTimeout (45 s by default)`,
            fix: `Give the doctor what a client needs to connect (--cookie, --origin), or hold it shorter than the server's connectTimeout. If the close came before that: ${fix}`,
          }
  } catch (error) {
    return { id: 'idle', target, title, status: 'fail', evidence: (error as Error).message, fix }
  }
}

/** Probes a socket.io endpoint (and, with `direct`, its backend) the way one does by hand with curl. */
export async function probe(options: ProbeOptions): Promise<ProbeReport> {
  const started = Date.now()
  const main = await probeTarget(options.url, 'url', options)
  const checks = [...main.checks]
  if (options.direct) {
    const direct = await probeTarget(options.direct, 'direct', { ...options, idleSeconds: undefined })
    checks.push(...direct.checks)
    const a = main.websocketStatus
    const b = direct.websocketStatus
    if (b === 101 && a !== null && a !== 101) {
      checks.push({ id: 'direct', target: 'url', title: 'Proxy vs backend', status: 'fail', evidence: `the backend answers 101, the proxy answers ${a}: the proxy is dropping the upgrade`, fix: FIX.upgrade })
    } else if ((main.websocketRefused && direct.websocketRefused) || (b !== null && b !== 101 && a === b && main.websocketBody === direct.websocketBody)) {
      // The same refusal through the proxy and directly (Engine.IO's "Forbidden", or allowRequest's own message): the backend's.
      checks.push({ id: 'direct', target: 'url', title: 'Proxy vs backend', status: 'fail', evidence: `the backend refuses the upgrade itself, through the proxy (${a}) and directly (${b}): not the proxy`, fix: FIX.origin })
    } else if (b === 101 && a === 101) {
      checks.push({ id: 'direct', target: 'url', title: 'Proxy vs backend', status: 'pass', evidence: 'both answer 101' })
    } else {
      checks.push({ id: 'direct', target: 'url', title: 'Proxy vs backend', status: b === 101 ? 'warn' : 'fail', evidence: `backend: ${b ?? 'unreachable'}, proxy: ${a ?? 'unreachable'}`, fix: b === 101 ? undefined : 'The backend itself does not upgrade: check the socket.io server and its path first.' })
    }
  }
  return { url: options.url, ...(options.direct ? { direct: options.direct } : {}), checks, ok: !checks.some((c) => c.status === 'fail'), elapsedMs: Date.now() - started }
}
