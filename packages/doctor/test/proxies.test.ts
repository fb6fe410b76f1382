// The doctor against the proxies it was not first tuned to: real HAProxy, Apache (mod_proxy + proxy_wstunnel) and
// Caddy from Debian, each in front of real socket.io backends on 127.0.0.1, in the four cases that matter: a correct
// configuration with cookie stickiness over two backends, a dropped upgrade, a short idle timeout and two backends
// without stickiness. Plus a backend that refuses the Origin, told apart from a proxy.
import type { ServerOptions } from 'socket.io'
import { afterAll, describe, expect, it } from 'vitest'
import { createTestServer, type TestServer } from '@ssr-socket/core/testing'
import { probe, type ProbeReport } from '../src/probe'
import { startApache, startCaddy, startHaproxy, startNginx, type Proxy } from '../../../test/proxies'

const running: Array<{ stop(): Promise<void> }> = []
afterAll(async () => {
  for (const r of running.splice(0).reverse()) await r.stop()
})

async function backends(n: number): Promise<TestServer[]> {
  const out: TestServer[] = []
  for (let i = 0; i < n; i++) {
    const server = await createTestServer()
    running.push({ stop: () => server.close() })
    out.push(server)
  }
  return out
}
async function proxy(started: Promise<Proxy>): Promise<Proxy> {
  const p = await started
  running.push(p)
  return p
}
const check = (report: ProbeReport, id: string, target = 'url') => report.checks.find((c) => c.id === id && c.target === target)
const url = (p: Proxy) => `http://127.0.0.1:${p.port}`

/** The idle check failed, the evidence says when (about `seconds`), and the fix names the proxy's own setting. */
function expectIdleClosed(report: ProbeReport, seconds: number, setting: RegExp): void {
  const idle = check(report, 'idle')!
  expect(idle.status).toBe('fail')
  const after = Number(/after ([\d.]+) s/.exec(idle.evidence)?.[1])
  expect(after).toBeGreaterThanOrEqual(seconds - 0.5)
  expect(after).toBeLessThan(seconds + 2.5)
  expect(idle.fix).toMatch(setting)
}

interface Case {
  name: string
  /** Two backends behind a cookie-sticky balancer. */
  sticky(a: TestServer, b: TestServer): Promise<Proxy>
  /** One backend, the upgrade dropped on the way. */
  noUpgrade(a: TestServer): Promise<Proxy>
  /** One backend, the idle WebSocket closed after 2 s. */
  idle(a: TestServer): Promise<Proxy>
  /** Two backends, round robin, no stickiness. */
  roundRobin(a: TestServer, b: TestServer): Promise<Proxy>
  /** HAProxy does not name itself in a Server: header: the user says which proxy with --proxy. */
  proxyFlag?: 'haproxy'
  upgradeFix: RegExp
  idleSetting: RegExp
}

const NGINX_WS = 'proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";'
const HAPROXY_TIMEOUTS = 'timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n  timeout tunnel 1h'
const APACHE_STICKY_COOKIE = 'Header add Set-Cookie "ROUTEID=.%{BALANCER_WORKER_ROUTE}e; path=/" env=BALANCER_ROUTE_CHANGED'

const cases: Case[] = [
  {
    name: 'HAProxy 2.6',
    sticky: (a, b) =>
      proxy(startHaproxy(`balance roundrobin\n  cookie SRV insert indirect nocache\n  server a 127.0.0.1:${a.port} cookie a\n  server b 127.0.0.1:${b.port} cookie b`, HAPROXY_TIMEOUTS)),
    noUpgrade: (a) => proxy(startHaproxy(`http-request del-header Upgrade\n  http-request del-header Connection\n  server a 127.0.0.1:${a.port}`, HAPROXY_TIMEOUTS)),
    idle: (a) => proxy(startHaproxy(`server a 127.0.0.1:${a.port}`, 'timeout connect 2s\n  timeout client 2s\n  timeout server 2s')),
    roundRobin: (a, b) => proxy(startHaproxy(`balance roundrobin\n  server a 127.0.0.1:${a.port}\n  server b 127.0.0.1:${b.port}`, HAPROXY_TIMEOUTS)),
    proxyFlag: 'haproxy',
    upgradeFix: /HAProxy drops the upgrade.*Connection\/Upgrade headers/,
    idleSetting: /timeout tunnel/,
  },
  {
    name: 'Apache 2.4 (mod_proxy_http with upgrade=websocket, mod_proxy_balancer)',
    sticky: (a, b) =>
      proxy(
        startApache(`${APACHE_STICKY_COOKIE}
<Proxy "balancer://pool">
  BalancerMember "http://127.0.0.1:${a.port}" route=a upgrade=websocket
  BalancerMember "http://127.0.0.1:${b.port}" route=b upgrade=websocket
  ProxySet stickysession=ROUTEID
</Proxy>
ProxyPass "/socket.io/" "balancer://pool/socket.io/"`),
      ),
    noUpgrade: (a) => proxy(startApache(`ProxyPass "/socket.io/" "http://127.0.0.1:${a.port}/socket.io/"`)),
    idle: (a) => proxy(startApache(`Timeout 2\nProxyTimeout 2\nProxyPass "/socket.io/" "http://127.0.0.1:${a.port}/socket.io/" upgrade=websocket`)),
    roundRobin: (a, b) =>
      proxy(
        startApache(`<Proxy "balancer://pool">
  BalancerMember "http://127.0.0.1:${a.port}" upgrade=websocket
  BalancerMember "http://127.0.0.1:${b.port}" upgrade=websocket
</Proxy>
ProxyPass "/socket.io/" "balancer://pool/socket.io/"`),
      ),
    upgradeFix: /Apache drops the WebSocket upgrade.*upgrade=websocket/,
    idleSetting: /ProxyTimeout/,
  },
  {
    name: 'Caddy 2.6',
    sticky: (a, b) => proxy(startCaddy(`reverse_proxy 127.0.0.1:${a.port} 127.0.0.1:${b.port} {\n    lb_policy cookie\n  }`)),
    noUpgrade: (a) => proxy(startCaddy(`reverse_proxy 127.0.0.1:${a.port} {\n    header_up -Upgrade\n    header_up -Connection\n  }`)),
    idle: (a) => proxy(startCaddy(`reverse_proxy 127.0.0.1:${a.port} {\n    transport http {\n      read_timeout 2s\n    }\n  }`)),
    roundRobin: (a, b) => proxy(startCaddy(`reverse_proxy 127.0.0.1:${a.port} 127.0.0.1:${b.port} {\n    lb_policy round_robin\n  }`)),
    upgradeFix: /Caddy passes WebSocket upgrades by itself.*header_up/,
    idleSetting: /read_timeout/,
  },
]

describe.each(cases)('ssr-socket-doctor against real $name', (c) => {
  it('a correct configuration with cookie stickiness over two backends: every check passes', async () => {
    const [a, b] = await backends(2)
    const p = await c.sticky(a!, b!)
    const report = await probe({ url: url(p), direct: a!.url, proxy: c.proxyFlag })
    expect(report.checks.filter((x) => x.status === 'fail')).toEqual([])
    expect(check(report, 'websocket')?.status).toBe('pass')
    expect(check(report, 'session')?.status).toBe('pass')
    expect(check(report, 'session')?.evidence).toMatch(/upgrade of the session: 101/)
    expect(report.ok).toBe(true)
  })

  it('the upgrade dropped on the way: fails with the fix for this proxy, and --direct shows the backend upgrading', async () => {
    const [a] = await backends(1)
    const p = await c.noUpgrade(a!)
    const report = await probe({ url: url(p), direct: a!.url, proxy: c.proxyFlag })
    const ws = check(report, 'websocket')!
    expect(ws.status).toBe('fail')
    expect(ws.evidence).toMatch(/instead of 101/)
    expect(ws.fix).toMatch(c.upgradeFix)
    expect(check(report, 'websocket', 'direct')?.status).toBe('pass')
    expect(check(report, 'direct')?.evidence).toMatch(/the backend answers 101, the proxy answers \d+: the proxy is dropping the upgrade/)
    expect(report.ok).toBe(false)
  })

  it('a 2 s idle timeout with --idle 5: fails after about 2 s and names the setting of this proxy', async () => {
    const [a] = await backends(1)
    const p = await c.idle(a!)
    const report = await probe({ url: url(p), idleSeconds: 5, proxy: c.proxyFlag })
    expect(check(report, 'websocket')?.status).toBe('pass')
    expectIdleClosed(report, 2, c.idleSetting)
  })

  it('two backends without stickiness: the session check fails with "Session ID unknown"', async () => {
    const [a, b] = await backends(2)
    const p = await c.roundRobin(a!, b!)
    const report = await probe({ url: url(p), proxy: c.proxyFlag })
    const session = check(report, 'session')!
    expect(session.status).toBe('fail')
    expect(session.evidence).toMatch(/Session ID unknown/)
    expect(session.fix).toMatch(/sticky sessions/)
  })
})

describe('ssr-socket-doctor: an Origin the backend refuses is not a proxy problem', () => {
  /** A socket.io server with these options behind nginx set up correctly for WebSockets. */
  async function behindNginx(server: Partial<ServerOptions>): Promise<{ n: Proxy; direct: string }> {
    const b = await createTestServer({ server })
    running.push({ stop: () => b.close() })
    const n = await proxy(startNginx((p) => `server { listen 127.0.0.1:${p}; location /socket.io/ { proxy_pass http://127.0.0.1:${b.port}; ${NGINX_WS} } }`))
    return { n, direct: b.url }
  }
  const fromApp = (origin: string | undefined): boolean => origin === 'https://app.example'

  it('through nginx and --direct: Engine.IO\'s "Forbidden" is reported as the server\'s origin check, never as a dropped upgrade', async () => {
    const { n, direct } = await behindNginx({ cors: { origin: 'https://app.example' }, allowRequest: (req, done) => done(null, fromApp(req.headers.origin)) })
    const refused = await probe({ url: url(n), direct, origin: 'https://evil.example' })
    for (const target of ['url', 'direct']) {
      for (const id of ['polling', 'websocket']) {
        expect(check(refused, id, target)?.status).toBe('fail')
        expect(check(refused, id, target)?.fix).toMatch(/refused the request .*allowRequest/)
        expect(check(refused, id, target)?.fix).not.toMatch(/drops the WebSocket upgrade/)
      }
    }
    expect(check(refused, 'direct')?.evidence).toMatch(/the backend refuses the upgrade itself, .*not the proxy/)
    // The allowed Origin passes the same path: the verdict is about the Origin, nothing else.
    const allowed = await probe({ url: url(n), direct, origin: 'https://app.example' })
    expect(allowed.checks.filter((x) => x.status === 'fail')).toEqual([])
  })

  it('allowRequest refusing with its own message: the same answer through nginx and directly is the backend\'s, not a dropped upgrade', async () => {
    const { n, direct } = await behindNginx({ allowRequest: (req, done) => done(fromApp(req.headers.origin) ? null : 'origin not allowed', fromApp(req.headers.origin)) })
    const report = await probe({ url: url(n), direct, origin: 'https://evil.example' })
    expect(check(report, 'websocket')?.evidence).toMatch(/origin not allowed/)
    expect(check(report, 'direct')?.evidence).toMatch(/the backend refuses the upgrade itself, through the proxy \(400\) and directly \(400\): not the proxy/)
    expect(check(report, 'direct')?.fix).toMatch(/allowRequest/)
  })
})
