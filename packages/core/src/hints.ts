// What to do about each kind of failure: one text, shown by the doctor next to a failed check and by the DevTools
// tab next to a classified error. Imported only where it is shown (tree-shaken from apps that never do).
import type { SocketErrorKind } from './errors.js'

/** The fixes the doctor prints for its checks, by cause. */
export const FIX_HINTS = {
  upgrade:
    'The proxy drops the WebSocket upgrade. nginx, in the location serving the socket.io path: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade"; (a location with its own proxy_set_header does not inherit the server-level ones). Proxy managers: enable "WebSocket Support". Cloudflare: Network > WebSockets on.',
  access: 'An access rule refuses the request (nginx allow/deny, auth_basic, a WAF rule): allow the socket.io path for browsers.',
  sticky:
    'Requests of one session reach different backends: enable sticky sessions (nginx ip_hash or hash $remote_addr on the upstream; cookie affinity elsewhere) or use transports: ["websocket"] only.',
  alpn: 'HTTP/2 is offered: fine for pages, but a WebSocket needs an HTTP/1.1 Upgrade on every hop. Make sure the proxy speaks HTTP/1.1 to the backend for the socket.io path (nginx: proxy_http_version 1.1).',
  idle: "The path closes idle connections before socket.io pings: raise the proxy's idle timeout above pingInterval + pingTimeout (nginx proxy_read_timeout, HAProxy timeout tunnel, Apache ProxyTimeout, Caddy read_timeout), or lower pingInterval on the server (Cloudflare closes after 100 s idle).",
  origin:
    'The socket.io server itself refused the request (Engine.IO "Forbidden", or the same refusal through the proxy and directly): its allowRequest check said no. That is where an Origin allowlist usually lives, but it may check a cookie or an address too. Allow what the browser sends (the Origin with its scheme and port), not a proxy matter.',
  cors: 'The server does not allow this Origin with credentials: set socket.io cors: { origin: [<your origin>], credentials: true } and never "*" with cookies.',
  polling: 'No Engine.IO handshake at this path: check the socket.io path (option path), that the proxy forwards it, and that a socket.io v4 server (EIO=4) answers.',
  reach: 'Nothing answered: check that the server runs, the url and path options, and the way there (run npx ssr-socket-doctor <url> to test it direct and through your proxies).',
  lost: 'The connection dropped (a server restart or deploy, a network change, a proxy or load balancer closing it): it reconnects by itself. If it happens often, run npx ssr-socket-doctor <url> --idle 90 to find an idle timeout on the way.',
  http: 'The server or a proxy answered the handshake with an HTTP error: a 502/503/504 means the proxy could not reach the backend; a 404 a wrong path option or a proxy that does not forward it.',
  token: 'auth.getToken() threw or rejected, so no handshake was made: check the function (a signed-out user, a failed refresh); reconnect() tries again.',
  auth: "The server's auth middleware refused the handshake: check the token auth.getToken() returns (or the cookie), and that the server reads it from the handshake (socket.handshake.auth).",
  server: 'The server closed the connection on purpose (socket.disconnect() on the server): call reconnect(), or set reconnectOnServerDisconnect if it should reconnect by itself.',
  config: 'A mistake in the options or the call: the message says which and what to write instead.',
} as const

/** Specific causes first (SocketError.code), then the kind. */
const BY_CODE: Record<string, keyof typeof FIX_HINTS> = {
  'upgrade-refused': 'upgrade',
  'ws-refused': 'upgrade',
  'session-unknown': 'sticky',
  'forbidden-origin': 'origin',
  'ping-timeout': 'idle',
  'ws-timeout': 'reach',
  'unreachable': 'reach',
  'lost': 'lost',
  'refused': 'auth',
  'get-token': 'token',
  'server-disconnect': 'server',
  'http-status': 'http',
  'not-socket-server': 'polling',
}

const BY_KIND: Record<SocketErrorKind, keyof typeof FIX_HINTS> = {
  'network': 'reach',
  'timeout': 'idle',
  'unauthorized': 'auth',
  'forbidden-origin': 'origin',
  'upgrade-refused': 'upgrade',
  'session-unknown': 'sticky',
  'server': 'server',
  'config': 'config',
}

/** The fix for a classified error, in the doctor's words where the doctor has a check for its cause. */
export function hintFor(kind: SocketErrorKind, code?: string): string {
  return FIX_HINTS[(code !== undefined ? BY_CODE[code] : undefined) ?? BY_KIND[kind]]
}
