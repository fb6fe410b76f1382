import type { DefaultListenEvents, EventNames, EventsMap } from '@ssr-socket/core'
import { shallowRef, type ShallowRef } from 'vue'
import { useSocket, type UseSocketOptions } from './useSocket'

/** The first argument of an event's handler: what `useSocketEvent` keeps. */
export type EventPayload<F> = F extends (first: infer A, ...rest: never[]) => unknown ? A : never

export interface UseSocketEventOptions<T> {
  /** The value during SSR, hydration and until the first event. @default undefined */
  initial?: T
  /** Which connection (url, namespace, ...); the app's default when omitted. */
  socket?: UseSocketOptions
}

/**
 * A shallow ref of the last payload of `event` (its first argument), with an optional handler for every
 * event. Unsubscribes when the calling scope is disposed.
 */
export function useSocketEvent<L extends EventsMap = DefaultListenEvents, K extends EventNames<L> = EventNames<L>>(
  event: K,
  handler?: L[K],
  options: UseSocketEventOptions<EventPayload<L[K]>> = {},
): ShallowRef<EventPayload<L[K]> | undefined> {
  const data = shallowRef(options.initial) as ShallowRef<EventPayload<L[K]> | undefined>
  const { on } = useSocket<L>(options.socket)
  on(event, ((...args: unknown[]) => {
    data.value = args[0] as EventPayload<L[K]>
    ;(handler as ((...a: unknown[]) => void) | undefined)?.(...args)
  }) as L[K])
  return data
}
