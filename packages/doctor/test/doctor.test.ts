import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { tmpdir } from 'node:os'
import { createConnection, createServer as createNetServer, type AddressInfo } from 'node:net'
import { Server } from 'socket.io'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createTestServer, waitFor, type TestServer } from '@ssr-socket/core/testing'
import { main } from '../src/cli'
import { probe, type ProbeReport } from '../src/probe'
import { startNginx, type Proxy as Nginx } from '../../../test/proxies'

const running: Array<Nginx | TestServer> = []
afterAll(async () => {
  for (const r of running.splice(0)) await ('stop' in r && 'dir' in r ? r.stop() : (r as TestServer).close())
})

async function backend(): Promise<TestServer> {
  const server = await createTestServer()
  running.push(server)
  return server
}
async function nginx(server: (port: number, dir: string) => string): Promise<Nginx> {
  const n = await startNginx(server)
  running.push(n)
  return n
}
const status = (report: ProbeReport, id: string, target = 'url') => report.checks.find((c) => c.id === id && c.target === target)

// Node warns once per process when a TLS server name is an IP address (DEP0123, RFC 6066): the doctor must not set one.
const ipServernameWarnings: string[] = []
const onWarning = (warning: Error & { code?: string }): void => void (warning.code === 'DEP0123' && ipServernameWarnings.push(warning.message))
process.on('warning', onWarning)
afterAll(() => void process.off('warning', onWarning))

const WS_HEADERS = `proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";`

describe('ssr-socket-doctor against real nginx', () => {
  it('1. a correct WebSocket proxy: every check passes, exit 0', async () => {
    const b = await backend()
    const n = await nginx((port) => `server { listen 127.0.0.1:${port}; location /socket.io/ { proxy_pass http://127.0.0.1:${b.port}; ${WS_HEADERS} } }`)
    const report = await probe({ url: `http://127.0.0.1:${n.port}`, direct: b.url })
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([])
    expect(report.ok).toBe(true)
    expect(status(report, 'websocket')?.status).toBe('pass')
    expect(status(report, 'session')?.status).toBe('pass')
    const lines: string[] = []
    expect(await main([`http://127.0.0.1:${n.port}`], (t) => lines.push(t), () => {}, false)).toBe(0)
    expect(lines.join('\n')).toMatch(/All checks passed/)
  })

  it('2. no proxy_set_header Upgrade/Connection: the upgrade fails, the fix names the directives; --direct shows the backend passing', async () => {
    const b = await backend()
    const n = await nginx((port) => `server { listen 127.0.0.1:${port}; location /socket.io/ { proxy_pass http://127.0.0.1:${b.port}; } }`)
    const report = await probe({ url: `http://127.0.0.1:${n.port}`, direct: b.url })
    const ws = status(report, 'websocket')!
    expect(ws.status).toBe('fail')
    expect(ws.evidence).toMatch(/HTTP 400 instead of 101/)
    expect(ws.fix).toMatch(/proxy_set_header Upgrade \$http_upgrade/)
    expect(ws.fix).toMatch(/proxy_set_header Connection "upgrade"/)
    expect(status(report, 'websocket', 'direct')?.status).toBe('pass')
    expect(status(report, 'direct')?.evidence).toBe('the backend answers 101, the proxy answers 400: the proxy is dropping the upgrade')
    expect(report.ok).toBe(false)
  })

  it('3. WebSocket headers at server level, a location /socket.io with its own proxy_set_header: detected the same way', async () => {
    const b = await backend()
    const n = await nginx(
      (port) => `server { listen 127.0.0.1:${port}; ${WS_HEADERS}
        location /socket.io/ { proxy_set_header Host $host; proxy_pass http://127.0.0.1:${b.port}; } }`,
    )
    const report = await probe({ url: `http://127.0.0.1:${n.port}`, direct: b.url })
    expect(status(report, 'websocket')?.status).toBe('fail')
    expect(status(report, 'websocket')?.fix).toMatch(/does not inherit the server-level ones/)
    expect(status(report, 'direct')?.status).toBe('fail')
  })

  it('4. two backends round-robin without stickiness: the session check fails with "Session ID unknown"', async () => {
    const [a, c] = [await backend(), await backend()]
    const n = await nginx(
      (port) => `upstream pool { server 127.0.0.1:${a.port}; server 127.0.0.1:${c.port}; }
        server { listen 127.0.0.1:${port}; location /socket.io/ { proxy_pass http://pool; ${WS_HEADERS} } }`,
    )
    const report = await probe({ url: `http://127.0.0.1:${n.port}` })
    const session = status(report, 'session')!
    expect(session.status).toBe('fail')
    expect(session.evidence).toMatch(/Session ID unknown/)
    expect(session.fix).toMatch(/sticky sessions.*ip_hash/)
  })

  it('5. proxy_read_timeout 3s with --idle 6: the path closed the idle connection after about 3 s', async () => {
    const b = await backend()
    const n = await nginx((port) => `server { listen 127.0.0.1:${port}; location /socket.io/ { proxy_pass http://127.0.0.1:${b.port}; ${WS_HEADERS} proxy_read_timeout 3s; } }`)
    const report = await probe({ url: `http://127.0.0.1:${n.port}`, idleSeconds: 6 })
    const idle = status(report, 'idle')!
    expect(idle.status).toBe('fail')
    const seconds = Number(/after ([\d.]+) s/.exec(idle.evidence)?.[1])
    expect(seconds).toBeGreaterThanOrEqual(2.5)
    expect(seconds).toBeLessThan(5)
    expect(idle.fix).toMatch(/proxy_read_timeout/)
  })

  it('6. deny all on the location: 403 reported as an access rule', async () => {
    const b = await backend()
    const n = await nginx((port) => `server { listen 127.0.0.1:${port}; location /socket.io/ { deny all; proxy_pass http://127.0.0.1:${b.port}; ${WS_HEADERS} } }`)
    const report = await probe({ url: `http://127.0.0.1:${n.port}` })
    for (const id of ['polling', 'websocket']) {
      expect(status(report, id)?.status).toBe('fail')
      expect(status(report, id)?.evidence).toMatch(/HTTP 403/)
      expect(status(report, id)?.fix).toMatch(/access rule/)
    }
  })

  it('7. TLS with HTTP/2 (listen ... ssl http2, a self-signed certificate made here): ALPN warns', async () => {
    const b = await backend()
    const n = await nginx((port, dir) => {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
      return `server { listen 127.0.0.1:${port} ssl http2; ssl_certificate ${dir}/cert.pem; ssl_certificate_key ${dir}/key.pem;
        location /socket.io/ { proxy_pass http://127.0.0.1:${b.port}; ${WS_HEADERS} } }`
    })
    const report = await probe({ url: `https://127.0.0.1:${n.port}`, insecure: true })
    expect(status(report, 'alpn')).toMatchObject({ status: 'warn', evidence: 'the server offers HTTP/2 (ALPN h2)' })
    expect(status(report, 'alpn')?.fix).toMatch(/HTTP\/1\.1 Upgrade/)
    expect(status(report, 'reach')?.status).toBe('warn') // self-signed, accepted by --insecure
    const strict = await probe({ url: `https://127.0.0.1:${n.port}` })
    expect(status(strict, 'reach')?.status).toBe('fail')
  })

  it('9. an IPv6 literal (http://[::1]:port, ws://, https://) is reached and checked like any other address, by the API and the CLI', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'doctor-ipv6-'))
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:::1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
    const plain = createServer()
    const secure = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) })
    const servers = [new Server(plain), new Server(secure)]
    for (const server of [plain, secure]) await new Promise<void>((resolve) => server.listen(0, '::1', () => resolve()))
    try {
      const port = (plain.address() as AddressInfo).port
      for (const url of [`http://[::1]:${port}`, `ws://[::1]:${port}`]) {
        const report = await probe({ url })
        expect(report.checks.filter((c) => c.status !== 'pass' && c.id !== 'alpn'), url).toEqual([])
        expect(report.checks.map((c) => c.id)).toEqual(['reach', 'alpn', 'polling', 'websocket', 'session'])
        // The address as the URL writes it, not the ambiguous "::1:port".
        expect(status(report, 'reach')?.evidence).toMatch(new RegExp(`^\\[::1\\]:${port} accepted a connection`))
      }
      const lines: string[] = []
      expect(await main([`http://[::1]:${port}`], (t) => lines.push(t), (t) => lines.push(t), false)).toBe(0)
      expect(lines.join('\n')).toMatch(/All checks passed/)

      // TLS to ::1: no SNI for an address (RFC 6066), so Node's DEP0123 warning never comes; self-signed, --insecure.
      const tlsPort = (secure.address() as AddressInfo).port
      const tls = await probe({ url: `https://[::1]:${tlsPort}`, insecure: true })
      expect(status(tls, 'reach')).toMatchObject({ status: 'warn', evidence: expect.stringMatching(/^TLS to \[::1\]:\d+: certificate problem DEPTH_ZERO_SELF_SIGNED_CERT/) })
      for (const id of ['alpn', 'polling', 'websocket', 'session']) expect(status(tls, id)?.status, id).toBe('pass')
      expect(ipServernameWarnings).toEqual([])
    } finally {
      for (const io of servers) io.close()
      for (const server of [plain, secure]) server.closeAllConnections()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('10. a server trickling one byte at a time: every check ends at its deadline, nothing left open', async () => {
    const sockets = new Set<import('node:net').Socket>()
    const trickle = createNetServer((socket) => {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.on('close', () => sockets.delete(socket))
      const reply = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n0{"sid":"'
      let i = 0
      const drip = setInterval(() => (socket.destroyed ? clearInterval(drip) : socket.write(reply[i++ % reply.length]!)), 100)
      socket.on('close', () => clearInterval(drip))
    })
    await new Promise<void>((resolve) => trickle.listen(0, '127.0.0.1', () => resolve()))
    try {
      const { port } = trickle.address() as AddressInfo
      const report = await probe({ url: `http://127.0.0.1:${port}`, timeoutMs: 700 })
      expect(status(report, 'reach')?.status).toBe('pass')
      expect(status(report, 'polling')?.status).toBe('fail')
      expect(status(report, 'polling')?.evidence).toMatch(/within 700 ms/)
      // The doctor destroyed what it opened: the server sees every connection closed.
      await waitFor(() => sockets.size === 0, 'every probe connection closed', 3000)
    } finally {
      for (const s of sockets) s.destroy()
      trickle.close()
    }
  }, 15_000)

  it('14. a SYN black hole (a listener whose accept queue is full drops every SYN): the run ends at the probe deadline and says how long it took', async () => {
    // Linux drops a SYN when the listener's accept queue is full: backlog 0 and one connection that is never
    // accepted make a port that never answers, on 127.0.0.1, with no firewall rule. Python holds it (its socket
    // API can listen without accepting; Node's cannot).
    const holder = spawn('python3', ['-c', [
      'import socket, sys',
      's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)',
      'port = s.getsockname()[1]',
      'f = socket.create_connection(("127.0.0.1", port), timeout=5)',
      'print(port, flush=True)',
      'sys.stdin.read()',
    ].join('\n')], { stdio: ['pipe', 'pipe', 'inherit'] })
    try {
      const port = await new Promise<number>((resolve, reject) => {
        holder.stdout!.once('data', (d) => resolve(Number(String(d).trim())))
        holder.once('exit', (code) => reject(new Error(`python3 exited with ${code}`)))
        holder.once('error', (error) => reject(new Error(`python3 could not be started (npm test installs it from Debian): ${error.message}`)))
      })
      // The hole is real: a plain connect gets no answer at all.
      const syn = createConnection(port, '127.0.0.1')
      let answered = false
      syn.on('connect', () => (answered = true)).on('error', () => (answered = true))
      await new Promise((r) => setTimeout(r, 300))
      syn.destroy()
      expect(answered).toBe(false)

      const report = await probe({ url: `http://127.0.0.1:${port}`, timeoutMs: 1000 })
      expect(status(report, 'reach')?.status).toBe('fail')
      expect(status(report, 'reach')?.evidence).toMatch(/TCP connect: no answer within 1000 ms/)
      expect(report.elapsedMs).toBeGreaterThanOrEqual(950)
      expect(report.elapsedMs).toBeLessThan(2500)
      const lines: string[] = []
      expect(await main([`http://127.0.0.1:${port}`, '--timeout', '1'], (t) => lines.push(t), () => {}, false)).toBe(1)
      expect(lines.join('\n')).toMatch(/check\(s\) failed.*\((1|2)\.\d s\)/)
    } finally {
      holder.stdin!.end()
      holder.kill()
    }
  }, 15_000)

  it('15. --idle where the server refuses the namespace CONNECT: the close is put down to socket.io\'s connectTimeout, not to a proxy', async () => {
    const server = await createTestServer({ server: { connectTimeout: 1000 } })
    running.push(server)
    server.io.use((_socket, next) => next(new Error('unauthorized: sign in first')))
    const report = await probe({ url: server.url, idleSeconds: 4 })
    const idle = status(report, 'idle')!
    expect(idle.status).toBe('fail')
    expect(idle.evidence).toMatch(/did not let the doctor join the namespace .*unauthorized: sign in first.*connectTimeout/)
    expect(idle.fix).toMatch(/--cookie/)
    expect(Number(/closed after ([\d.]+) s/.exec(idle.evidence)?.[1])).toBeLessThan(3)
  })

  it('11. --idle with no proxy passes: the doctor answers the server\'s pings, so only a proxy can close the path', async () => {
    const server = await createTestServer({ server: { pingInterval: 400, pingTimeout: 400 } })
    running.push(server)
    let pongs = 0
    server.io.engine.on('connection', (socket: { on(event: string, f: () => void): void }) => socket.on('heartbeat', () => pongs++))
    const report = await probe({ url: server.url, idleSeconds: 2 })
    expect(status(report, 'idle')).toMatchObject({ status: 'pass' })
    expect(pongs).toBeGreaterThanOrEqual(2) // the held socket answered the server's pings
  })

  it('12. the upgrade fix names the proxy that answered (Server: header or --proxy), and a 502 is a backend the proxy could not reach', async () => {
    // Stand-ins that answer the upgrade the way those proxies do when misconfigured; only the answer matters here.
    const posing = async (server: string, status: number) => {
      const http = createServer((_req, res) => res.writeHead(status, { server, 'content-type': 'text/plain' }).end('no'))
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()))
      const { port } = http.address() as AddressInfo
      return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => http.close(() => r())) }
    }
    const apache = await posing('Apache/2.4.57 (Debian)', 400)
    const caddy = await posing('Caddy', 502)
    const plain = await posing('', 400)
    try {
      expect(status(await probe({ url: apache.url }), 'websocket')?.fix).toMatch(/mod_proxy_wstunnel/)
      const badGateway = status(await probe({ url: caddy.url }), 'websocket')
      expect(badGateway?.fix).toMatch(/answered 502: it could not get an answer from the backend/)
      expect(badGateway?.fix).not.toMatch(/drops the WebSocket upgrade/)
      expect(status(await probe({ url: plain.url, proxy: 'haproxy' }), 'websocket')?.fix).toMatch(/timeout tunnel/)
      const err: string[] = []
      expect(await main([plain.url, '--proxy', 'iis'], () => {}, (t) => err.push(t), false)).toBe(2)
      expect(err.join('\n')).toMatch(/--proxy is one of nginx, apache/)
    } finally {
      await Promise.all([apache.close(), caddy.close(), plain.close()])
    }
  })

  it('13. cookie stickiness (a balancer\'s affinity cookie) passes: the doctor keeps the cookies of the session', async () => {
    // nginx as a cookie-sticky balancer: a request without the cookie goes to either backend (by request id) and is
    // told which one served it; a request with the cookie goes back to that one. HAProxy's `cookie SRV insert` does this.
    const [a, c] = [await backend(), await backend()]
    const n = await nginx(
      (port) => `upstream a { server 127.0.0.1:${a.port}; }
        upstream c { server 127.0.0.1:${c.port}; }
        split_clients "\${request_id}" $fresh { 50% a; * c; }
        map $cookie_srv $pool { a a; c c; default $fresh; }
        server { listen 127.0.0.1:${port}; location /socket.io/ { proxy_pass http://$pool; add_header Set-Cookie "srv=$pool; Path=/" always; ${WS_HEADERS} } }`,
    )
    const report = await probe({ url: `http://127.0.0.1:${n.port}` })
    expect(status(report, 'session')).toMatchObject({ status: 'pass' })
  })

  it('8. --json prints valid JSON with one entry per check; exit codes 0 / 1 / 2', async () => {
    const b = await backend()
    const out: string[] = []
    expect(await main([b.url, '--json', '--origin', 'http://app.example'], (t) => out.push(t), () => {}, false)).toBe(0)
    const report = JSON.parse(out.join('')) as ProbeReport
    const ids = report.checks.map((c) => c.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual(['reach', 'alpn', 'polling', 'cors', 'websocket', 'session'])
    const dead = await backend()
    const url = dead.url
    await dead.close()
    expect(await main([url, '--json'], () => {}, () => {}, false)).toBe(1)
    for (const args of [[], ['localhost:8000'], [b.url, '--bogus'], [b.url, '--idle', 'x'], [b.url, '--idle', '0.5'], [b.url, '--idle', '601']]) {
      const err: string[] = []
      expect(await main(args, () => {}, (t) => err.push(t), false)).toBe(2)
      expect(err.join('\n')).toMatch(/Usage: ssr-socket-doctor/)
    }
  })
})
