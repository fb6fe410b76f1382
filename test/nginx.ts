// Shared by the doctor and core proxy tests. freePort comes from the core's test helpers by relative path: the
// repository root does not resolve the workspace packages (@ssr-socket/core is not in its node_modules).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../packages/core/src/testServer.js'

export const NGINX = '/usr/sbin/nginx'

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy()
      resolve(true)
    })
    s.on('error', () => resolve(false))
  })
}

export interface Nginx {
  port: number
  dir: string
  stop(): Promise<void>
}

/**
 * Starts Debian's nginx in the foreground on 127.0.0.1:<port> with `server` as the body of the http block
 * ($PORT in it is replaced), its own prefix, pid and temp folders under a fresh temporary directory.
 */
export async function startNginx(server: (port: number, dir: string) => string): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'ssr-socket-nginx-'))
  const port = await freePort()
  const conf = `
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
`
  writeFileSync(join(dir, 'nginx.conf'), conf)
  const child: ChildProcess = spawn(NGINX, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (d) => (stderr += String(d)))
  for (let i = 0; i < 100 && !(await accepts(port)); i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    port,
    dir,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true })
          resolve()
        }
        if (child.exitCode !== null) return done()
        child.once('exit', done)
        child.kill('SIGTERM')
        setTimeout(() => child.kill('SIGKILL'), 3000).unref()
      }),
  }
}
