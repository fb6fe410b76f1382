// Subscriptions: an emit that declares interest on the server (join a room, subscribe a topic), which socket.io's
// server forgets with the session. Sent on every connect that is not a recovered one, undone when stopped, re-sent
// with new arguments. A function over the public client API, not a client method: an app that never uses it ships
// none of it (the client's facade is in every entry chunk).
import type { SocketError } from './errors.js'
import type { EventsMap, SocketClient, SocketState } from './types.js'

export interface SubscriptionOptions<R = unknown> {
  /** The event that undoes it (e.g. 'leave'), sent with the same arguments when stopped or updated. */
  unsubscribe?: string
  /** Wait for the server's ack (emitWithAck) and report it to `onAck`; false for an event the server does not ack. @default true */
  ack?: boolean
  /** The server's ack of each (re)subscription, e.g. the history of the room just joined. */
  onAck?: (result: R) => void
  /** A (re)subscription that failed: its ack timed out, or the connection dropped before it. */
  onError?: (error: SocketError) => void
  /**
   * An ack that says the server did not subscribe (e.g. `(result) => result.error !== undefined`): the subscription
   * is not held and is sent again while connected, after 1 s, 2 s, 4 s … (at most 30 s). Each such ack still goes
   * to `onAck`. With it, an ack that timed out is retried the same way.
   */
  failed?: (result: R) => boolean
  /** First retry delay after a failed subscription. @default 1000 */
  retryDelayMs?: number
}

export interface Subscription {
  /** The arguments it subscribes with now. */
  readonly args: readonly unknown[]
  /** New arguments: when connected, the old ones are unsubscribed and the new ones subscribed at once; otherwise on connect. */
  update(args: readonly unknown[]): void
  /** Unsubscribes (when connected) and stops following the connection. */
  stop(): void
}

/**
 * How many subscriptions of a client hold each (event, arguments) on the server: two parts of an app may subscribe
 * the same room, and the unsubscribe goes only when the last one lets go. Keyed by client (a WeakMap: a disposed
 * client leaves nothing).
 */
const holders = new WeakMap<object, Map<string, number>>()
function count(client: object, key: string, delta: 1 | -1): number {
  let counts = holders.get(client)
  if (!counts) holders.set(client, (counts = new Map()))
  const n = (counts.get(key) ?? 0) + delta
  if (n > 0) counts.set(key, n)
  else counts.delete(key)
  return n
}

/**
 * Keeps `event` with `args` subscribed on the server across reconnects: sent when the client connects, and again
 * after every reconnect the server did not recover (`state.recovered` false: a new session, its rooms gone);
 * exactly once per such connect, before the emits buffered while disconnected. A recovered reconnect sends
 * nothing (the server kept it). `stop()` sends `unsubscribe` with the arguments the server holds.
 */
export function createSubscription<R = unknown>(
  client: SocketClient<EventsMap, EventsMap>,
  event: string,
  args: readonly unknown[] = [],
  options: SubscriptionOptions<R> = {},
): Subscription {
  const c = client as unknown as SocketClient<EventsMap, Record<string, (...a: unknown[]) => void>>
  let current = args
  /** What the server holds now (null: nothing), as far as this side knows. */
  let held: readonly unknown[] | null = null
  let stopped = false
  /** The event and its arguments, as the server tells subscriptions apart. */
  const keyOf = (a: readonly unknown[]): string => `${event}\n${JSON.stringify(a)}`
  const same = (a: readonly unknown[] | null, b: readonly unknown[]): boolean => a !== null && (a === b || keyOf(a) === keyOf(b))
  /** Lets go of what the server holds; `tell`: send the unsubscribe (when no other subscription holds it). */
  const letGo = (tell: boolean): void => {
    if (!held) return
    if (count(client, keyOf(held), -1) === 0 && tell && options.unsubscribe) c.emit(options.unsubscribe, ...held)
    held = null
  }
  const undo = (): void => letGo(true)
  /** The retry after a failed subscription (one at most; cleared by stop, a disconnect or a new send). */
  let retry: ReturnType<typeof setTimeout> | undefined
  let failures = 0
  const clearRetry = (): void => {
    if (retry !== undefined) clearTimeout(retry)
    retry = undefined
  }
  /** Not held after all: let go (no unsubscribe) and, while connected, send again later. */
  const again = (): void => {
    letGo(false)
    if (!options.failed || client.getState().status !== 'connected') return
    const delay = Math.min(30_000, (options.retryDelayMs ?? 1000) * 2 ** Math.min(failures++, 10))
    retry = setTimeout(() => {
      retry = undefined
      if (!stopped && !held && client.getState().status === 'connected') send()
    }, delay)
  }
  const send = (): void => {
    clearRetry()
    const sent = (held = current)
    count(client, keyOf(sent), 1)
    if (options.ack === false) return c.emit(event, ...sent)
    c.emitWithAck(event, ...sent).then(
      (result) => {
        if (stopped || held !== sent) return
        if (options.failed?.(result as R)) again()
        else failures = 0
        options.onAck?.(result as R)
      },
      (error: SocketError) => {
        if (stopped || held !== sent) return
        if (error.kind === 'timeout') again()
        options.onError?.(error)
      },
    )
  }
  const onState = (state: SocketState, previous: SocketState): void => {
    if (state.status !== 'connected') return clearRetry() // the next connect sends anyway
    if (previous.status === 'connected') return
    // A new session holds nothing; a recovered one still holds what was sent before the drop.
    if (!state.recovered) letGo(false)
    if (stopped) {
      undo()
      return unsubscribe()
    }
    if (same(held, current)) return
    undo()
    send()
  }
  const unsubscribe = client.subscribe(onState)
  if (client.getState().status === 'connected') send()
  return {
    get args() {
      return current
    },
    update(next) {
      if (stopped || same(current, next)) return
      current = next
      if (client.getState().status !== 'connected') return // on connect
      undo()
      send()
    },
    stop() {
      if (stopped) return
      stopped = true
      clearRetry()
      // Connected: undone now. Disconnected: a recovered session would still hold it, so the next connect undoes
      // it (and then lets go); a new one holds nothing.
      if (client.getState().status === 'connected') {
        undo()
        unsubscribe()
      } else if (!held) unsubscribe()
    },
  }
}
