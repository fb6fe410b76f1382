import type { DefaultListenEvents, EventNames, EventsMap } from '@ssr-socket/core'
import { readonly, shallowRef, type Ref, type ShallowRef } from 'vue'
import { useSocket, type UseSocketOptions } from './useSocket'

/** The first argument of an event's handler: what `useSocketEvent` keeps. */
export type EventPayload<F> = F extends (first: infer A, ...rest: never[]) => unknown ? A : never

export interface UseSocketEventOptions<T, F = (...args: never[]) => void> {
  /** The value during SSR, hydration and until the first event. With it, the ref is never undefined. */
  initial?: T
  /** Called with every event's arguments (after the ref is updated). */
  onEvent?: F
  /** Which connection (url, namespace, ...; reactive ones are followed); the app's default when omitted. */
  socket?: UseSocketOptions
}

/**
 * A readonly ref of the last payload of `event` (its first argument), typed by the event map: `T` when `initial`
 * is given, `T | undefined` otherwise. Unsubscribes when the calling scope is disposed.
 *
 *   const score = useSocketEvent<Events, 'score'>('score', { initial: 0, onEvent: (s) => console.log(s) })
 */
export function useSocketEvent<L extends EventsMap = DefaultListenEvents, K extends EventNames<L> = EventNames<L>>(
  event: K,
  options: UseSocketEventOptions<EventPayload<L[K]>, L[K]> & { initial: EventPayload<L[K]> },
): Readonly<Ref<EventPayload<L[K]>>>
export function useSocketEvent<L extends EventsMap = DefaultListenEvents, K extends EventNames<L> = EventNames<L>>(
  event: K,
  options?: UseSocketEventOptions<EventPayload<L[K]>, L[K]>,
): Readonly<Ref<EventPayload<L[K]> | undefined>>
/** @deprecated Pass `{ onEvent }` in the options instead of a handler as the second argument. */
export function useSocketEvent<L extends EventsMap = DefaultListenEvents, K extends EventNames<L> = EventNames<L>>(
  event: K,
  handler: L[K] | undefined,
  options?: Omit<UseSocketEventOptions<EventPayload<L[K]>, L[K]>, 'onEvent'>,
): ShallowRef<EventPayload<L[K]> | undefined>
export function useSocketEvent(
  event: string,
  second?: UseSocketEventOptions<unknown> | ((...args: unknown[]) => void),
  third: UseSocketEventOptions<unknown> = {},
): Readonly<Ref<unknown>> {
  // The options form gets a readonly ref; the older forms (a handler or nothing second) keep their writable one.
  const legacy = typeof second !== 'object' || second === null
  const options: UseSocketEventOptions<unknown, (...args: unknown[]) => void> = legacy ? { ...third, onEvent: second as (...args: unknown[]) => void } : ((second ?? {}) as UseSocketEventOptions<unknown, (...args: unknown[]) => void>)
  const data = shallowRef(options.initial)
  const { on } = useSocket<Record<string, (...args: unknown[]) => void>>(options.socket)
  const onEvent = options.onEvent
  on(event, (...args: unknown[]) => {
    data.value = args[0]
    onEvent?.(...args)
  })
  return legacy ? data : readonly(data)
}
