import { createSubscription, type SubscriptionOptions, type AckResult, type DefaultEmitEvents, type EventNames, type EventsMap, type SocketError, type Subscription } from '@ssr-socket/core'
import { readonly, shallowRef, toValue, watch, type Ref, type ShallowRef } from 'vue'
import { useSocketScope, type UseSocketOptions } from './useSocket'

/** An emit's arguments without its ack callback (the ack is the subscription's `data`). */
type SubscribeArgs<F> = F extends (...args: infer A) => unknown ? (A extends [...infer Rest, (...r: never[]) => unknown] ? Rest : A) : unknown[]

/** The core's subscription options (unsubscribe, ack, onAck, onError, failed, retryDelayMs), and which connection. */
export interface UseSocketSubscriptionOptions<T> extends SubscriptionOptions<T> {
  /**
   * Which connection (url, namespace, ...; reactive ones are followed); the app's default when omitted. The
   * subscription follows that connection and does not open it: `useSocket()` does (after mount, when enabled).
   */
  socket?: UseSocketOptions
}

export interface UseSocketSubscriptionReturn<T> {
  /** The last ack of the server (after each (re)subscription); undefined until the first. */
  data: Readonly<ShallowRef<T | undefined>>
  /** The last failure of a (re)subscription, cleared by the next ack. */
  error: Readonly<ShallowRef<SocketError | null>>
}

/**
 * Keeps a subscription on the server for as long as the calling scope lives: `event` with `args` is sent when the
 * connection opens and again after every reconnect the server did not recover (its rooms are gone then), exactly
 * once each time and before the emits buffered meanwhile; with `unsubscribe`, undone when the scope ends; reactive
 * `args` re-subscribe (unsubscribe the old, subscribe the new). The recipe "rooms that survive a backend restart":
 * `useSocketSubscription('join', () => [room.value], { unsubscribe: 'leave' })`.
 */
export function useSocketSubscription<
  E extends EventsMap = DefaultEmitEvents,
  K extends EventNames<E> = EventNames<E>,
  const A extends Readonly<SubscribeArgs<E[K]>> = Readonly<SubscribeArgs<E[K]>>,
>(
  event: K,
  args: A | Ref<A> | (() => A),
  options: UseSocketSubscriptionOptions<AckResult<E[K]>> = {},
): UseSocketSubscriptionReturn<AckResult<E[K]>> {
  type T = AckResult<E[K]>
  const data = shallowRef<T | undefined>(undefined)
  const error = shallowRef<SocketError | null>(null)
  // It follows the connection and does not open it (useSocket does, with its `enabled`): no demand of its own.
  const { track } = useSocketScope({ autoConnect: false, ...options.socket })
  const read = (): readonly unknown[] => [...((toValue(args) as readonly unknown[] | undefined) ?? [])]
  let subscription: Subscription | undefined
  track((client) => {
    const held = (subscription = createSubscription<T>(client, event, read(), {
      ...options,
      onAck: (result) => {
        error.value = null
        data.value = result
        options.onAck?.(result)
      },
      onError: (e) => {
        error.value = e
        options.onError?.(e)
      },
    }))
    return () => {
      held.stop()
      if (subscription === held) subscription = undefined
    }
  })
  // A deep watch of the arguments (an array from a getter is new each time): re-subscribes only when they differ.
  watch(read, (next) => subscription?.update(next), { deep: true })
  return { data: readonly(data) as Readonly<ShallowRef<T | undefined>>, error: readonly(error) as Readonly<ShallowRef<SocketError | null>> }
}
