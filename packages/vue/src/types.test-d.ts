import { describe, expectTypeOf, it } from 'vitest'
import { computed, ref, type Ref, type ShallowRef } from 'vue'
import { useSocket } from './useSocket'
import { useSocketEvent } from './useSocketEvent'
import { useSocketSubscription } from './useSocketSubscription'

// Users augment Register once; every composable is typed from it.
declare module '@ssr-socket/core' {
  interface Register {
    listenEvents: { message: (text: string, from: string) => void; count: (n: number) => void }
    emitEvents: { send: (text: string) => void; join: (room: string, ack: (ok: boolean) => void) => void }
  }
}

describe('typed events through Register', () => {
  it('useSocket: on/emit/emitWithAck are checked against the registered maps', () => {
    const { on, emit, emitWithAck, status } = useSocket()
    on('message', (text, from) => {
      expectTypeOf(text).toEqualTypeOf<string>()
      expectTypeOf(from).toEqualTypeOf<string>()
    })
    emit('send', 'hello')
    expectTypeOf(emitWithAck('join', 'lobby')).toEqualTypeOf<Promise<boolean>>()
    expectTypeOf(status.value).toEqualTypeOf<'idle' | 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'disconnected' | 'unauthorized' | 'failed'>()
    // @ts-expect-error not a registered event
    on('mesage', () => {})
    // @ts-expect-error wrong handler signature
    on('count', (n: string) => n)
    // @ts-expect-error not a registered emit event
    emit('sned', 'hello')
    // @ts-expect-error wrong payload type
    emit('send', 42)
    // @ts-expect-error the ack argument is not passed to emitWithAck
    emitWithAck('join', 'lobby', () => {})
  })

  it('useSocketEvent: the ref has the payload type; wrong names and initial values fail', () => {
    const count = useSocketEvent('count', undefined, { initial: 0 })
    expectTypeOf(count).toEqualTypeOf<ShallowRef<number | undefined>>()
    useSocketEvent('message', (text, from) => {
      expectTypeOf(text).toEqualTypeOf<string>()
      expectTypeOf(from).toEqualTypeOf<string>()
    })
    // @ts-expect-error unknown event
    useSocketEvent('nope')
    // @ts-expect-error initial must match the payload
    useSocketEvent('count', undefined, { initial: 'zero' })
  })

  it('useSocketEvent with options: Readonly<Ref<T>> with initial, T | undefined without; onEvent typed; wrong names fail', () => {
    const count = useSocketEvent('count', { initial: 0 })
    expectTypeOf(count).toEqualTypeOf<Readonly<Ref<number>>>()
    const maybe = useSocketEvent('count')
    expectTypeOf(maybe).toEqualTypeOf<Readonly<Ref<number | undefined>>>()
    useSocketEvent('message', {
      onEvent: (text, from) => {
        expectTypeOf(text).toEqualTypeOf<string>()
        expectTypeOf(from).toEqualTypeOf<string>()
      },
    })
    // @ts-expect-error unknown event
    useSocketEvent('nope', { initial: 0 })
    // @ts-expect-error initial must match the payload
    useSocketEvent('count', { initial: 'zero' })
  })

  it('useSocketSubscription: the event, its arguments (without the ack) and the ack type come from the maps', () => {
    const { data } = useSocketSubscription('join', () => ['lobby'], { unsubscribe: 'leave' })
    expectTypeOf(data.value).toEqualTypeOf<boolean | undefined>()
    useSocketSubscription('join', ['lobby'])
    // @ts-expect-error not a registered emit event
    useSocketSubscription('jion', ['lobby'])
    // @ts-expect-error wrong argument type
    useSocketSubscription('join', [42])
  })

  it('useSocket options: url, namespace and enabled take refs and getters', () => {
    const room = ref('a')
    useSocket({ namespace: () => `/${room.value}`, enabled: computed(() => room.value !== ''), url: ref('http://localhost:8000') })
    // @ts-expect-error enabled is a boolean
    useSocket({ enabled: 'yes' })
  })

  it('explicit generics override the registered maps', () => {
    const { on } = useSocket<{ tick: (n: number) => void }>()
    on('tick', (n) => expectTypeOf(n).toEqualTypeOf<number>())
    // @ts-expect-error message is not in the explicit map
    on('message', () => {})
  })
})
