import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { afterAll, describe, expect, it } from 'vitest'
import { createTestServer, freePort } from '@ssr-socket/core/testing'
import { fixture, startNuxi } from './nuxi'

const backend = await createTestServer()
const port = await freePort()
const dev = startNuxi(['dev', '--port', String(port), '--host', '127.0.0.1'], fixture('devproxy'), { SOCKET_BACKEND: backend.url })
afterAll(async () => {
  await dev.stop()
  await backend.close()
})

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 5000 }, (res) => {
      let body = ''
      res.on('data', (d) => (body += String(d)))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

function upgrade(path: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      timeout: 5000,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') },
    })
    req.on('upgrade', (res, socket) => {
      socket.destroy()
      resolve({ status: res.statusCode ?? 0, headers: res.headers })
    })
    req.on('response', (res) => {
      res.resume()
      resolve({ status: res.statusCode ?? 0, headers: res.headers })
    })
    req.on('error', reject)
    req.end()
  })
}

describe('devProxy in nuxi dev', () => {
  it('forwards /socket.io polling and the WebSocket upgrade (101 from the backend)', async () => {
    let page = { status: 0, body: '' }
    for (let i = 0; i < 240 && page.status !== 200 && dev.child.exitCode === null; i++) {
      page = await get('/').catch(() => ({ status: 0, body: '' }))
      if (page.status !== 200) await new Promise((r) => setTimeout(r, 500))
    }
    expect(page.status, dev.output()).toBe(200)
    const polling = await get('/socket.io/?EIO=4&transport=polling')
    expect(polling.status).toBe(200)
    expect(polling.body).toMatch(/^0\{"sid":/)
    const before = backend.requests.length
    const ws = await upgrade('/socket.io/?EIO=4&transport=websocket')
    expect(ws.status).toBe(101)
    expect(String(ws.headers.upgrade).toLowerCase()).toBe('websocket')
    expect(backend.requests.slice(before).some((r) => r.url?.startsWith('/socket.io/?EIO=4&transport=websocket'))).toBe(true)
  }, 180_000)
})
