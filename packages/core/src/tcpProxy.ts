import { createServer, connect, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

export interface TcpProxy {
  /** `http://127.0.0.1:<port>` of the proxy. */
  readonly url: string
  readonly port: number
  /** Stop forwarding bytes in both directions without closing anything: a half-open path. */
  pause(): void
  /** Forward again (new connections and the held ones). */
  resume(): void
  /** Destroy every open connection now (mid-stream), as a proxy restart or a network cut does. */
  cutAll(): number
  /** Connections open through the proxy. */
  openConnections(): number
  close(): Promise<void>
}

/**
 * A TCP proxy on 127.0.0.1 in front of `targetPort`, for fault injection: pause (half-open), cut, resume.
 * Every connection pair is tracked and destroyed on close().
 */
export async function createTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>()
  let paused = false

  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1')
    const pair: [Socket, Socket] = [client, upstream]
    pairs.add(pair)
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk) => {
        // While paused, bytes are swallowed: neither side learns anything, like a dead NAT entry.
        if (!paused) to.write(chunk)
      })
    forward(client, upstream)
    forward(upstream, client)
    const end = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('close', end)
    upstream.on('close', end)
    client.on('error', end)
    upstream.on('error', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pause: () => void (paused = true),
    resume: () => void (paused = false),
    cutAll() {
      const n = pairs.size
      for (const [a, b] of [...pairs]) {
        a.destroy()
        b.destroy()
      }
      pairs.clear()
      return n
    },
    openConnections: () => pairs.size,
    close() {
      for (const [a, b] of pairs) {
        a.destroy()
        b.destroy()
      }
      pairs.clear()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
