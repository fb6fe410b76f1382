// With socket.transport 'websocket': Nitro's WebSocket server (crossws over `ws` on Node) refuses a frame over the
// socket server's payload limit while it arrives, instead of buffering up to ws's default of 100 MiB before the
// handler can refuse it. The limit is `socket.maxPayloadBytes` (1 MiB when unset), the one the handlers take too.
import { resolveLimits } from '@ssr-socket/server'
import { useRuntimeConfig } from '#imports'

/** A Nitro plugin (defineNitroPlugin is the identity: not imported, so this file needs nothing of Nitro's types). */
export default function socketLimits(nitroApp: { h3App: unknown }): void {
  const websocket = (nitroApp.h3App as { websocket?: { serverOptions?: Record<string, unknown> } }).websocket
  if (!websocket) return
  // Nitro creates its WebSocket server from this object (kept by h3) after the plugins have run.
  websocket.serverOptions = { maxPayload: maxPayloadBytes(), ...websocket.serverOptions }
}

/** `socket.maxPayloadBytes`, or the socket server's own default (one place for it: @ssr-socket/server's limits). */
export function maxPayloadBytes(): number {
  return resolveLimits({ maxPayloadBytes: (useRuntimeConfig().public.socket as { maxPayloadBytes?: number } | undefined)?.maxPayloadBytes }).maxPayloadBytes
}
