// Real reverse proxies from Debian for the doctor and core proxy tests: nginx, HAProxy, Apache and Caddy, each in
// the foreground on 127.0.0.1:<port> with its own configuration and state under a fresh temporary directory,
// stopped (and the directory removed) by stop(). freePort comes from the core's test helpers by relative path: the
// repository root does not resolve the workspace packages (@ssr-socket/core is not in its node_modules).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../packages/core/src/testServer.js'

export const NGINX = '/usr/sbin/nginx'
export const HAPROXY = '/usr/sbin/haproxy'
export const APACHE = '/usr/sbin/apache2'
export const CADDY = '/usr/bin/caddy'

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy()
      resolve(true)
    })
    s.on('error', () => resolve(false))
  })
}

export interface Proxy {
  port: number
  dir: string
  stop(): Promise<void>
}

interface Launch {
  name: string
  /** Writes the configuration into `dir` and returns the command line. */
  setup(port: number, dir: string): { command: string; args: string[]; env?: Record<string, string> }
}

async function launch({ name, setup }: Launch): Promise<Proxy> {
  const dir = mkdtempSync(join(tmpdir(), `ssr-socket-${name}-`))
  const port = await freePort()
  const { command, args, env } = setup(port, dir)
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  let output = ''
  child.stdout?.on('data', (d) => (output += String(d)))
  child.stderr?.on('data', (d) => (output += String(d)))
  const stop = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        rmSync(dir, { recursive: true, force: true })
        resolve()
      }
      if (child.exitCode !== null || child.signalCode !== null) return done()
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000)
      child.once('exit', () => {
        clearTimeout(kill)
        done()
      })
      child.kill('SIGTERM')
    })
  for (let i = 0; !(await accepts(port)); i++) {
    if (child.exitCode !== null || i >= 200) {
      await stop()
      throw new Error(`${name} did not start on 127.0.0.1:${port}: ${output.slice(-2000)}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return { port, dir, stop }
}

/** nginx with `server` as the body of the http block. */
export function startNginx(server: (port: number, dir: string) => string): Promise<Proxy> {
  return launch({
    name: 'nginx',
    setup(port, dir) {
      writeFileSync(
        join(dir, 'nginx.conf'),
        `
user root;
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  ${server(port, dir)}
}
`,
      )
      return { command: NGINX, args: ['-c', join(dir, 'nginx.conf'), '-p', dir] }
    },
  })
}

/** HAProxy with a frontend on the port (mode http) whose `default_backend app`; `backend` is that backend's body. */
export function startHaproxy(backend: string, timeouts = 'timeout connect 2s\n  timeout client 30s\n  timeout server 30s'): Promise<Proxy> {
  return launch({
    name: 'haproxy',
    setup(port, dir) {
      writeFileSync(
        join(dir, 'haproxy.cfg'),
        `
global
  pidfile ${dir}/haproxy.pid
defaults
  mode http
  ${timeouts}
frontend web
  bind 127.0.0.1:${port}
  default_backend app
backend app
  ${backend}
`,
      )
      return { command: HAPROXY, args: ['-db', '-f', join(dir, 'haproxy.cfg')] }
    },
  })
}

const APACHE_MODULES = ['mpm_event', 'authz_core', 'headers', 'proxy', 'proxy_http', 'proxy_wstunnel', 'proxy_balancer', 'lbmethod_byrequests', 'slotmem_shm']

/** Apache (one process, -X) with mod_proxy and friends loaded; `body` goes in the server config. */
export function startApache(body: string): Promise<Proxy> {
  return launch({
    name: 'apache',
    setup(port, dir) {
      writeFileSync(
        join(dir, 'apache2.conf'),
        `
ServerRoot ${dir}
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile ${dir}/apache2.pid
ErrorLog ${dir}/error.log
LogLevel warn
DefaultRuntimeDir ${dir}
Mutex file:${dir}
${APACHE_MODULES.map((m) => `LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so`).join('\n')}
User nobody
Group nogroup
${body}
`,
      )
      return { command: APACHE, args: ['-X', '-f', join(dir, 'apache2.conf')] }
    },
  })
}

/** Caddy with `site` as the body of the site block for http://127.0.0.1:<port>; its state stays in the directory. */
export function startCaddy(site: string): Promise<Proxy> {
  return launch({
    name: 'caddy',
    setup(port, dir) {
      writeFileSync(join(dir, 'Caddyfile'), `{\n  admin off\n  auto_https off\n}\nhttp://127.0.0.1:${port} {\n  ${site}\n}\n`)
      return {
        command: CADDY,
        args: ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'],
        env: { HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') },
      }
    },
  })
}
