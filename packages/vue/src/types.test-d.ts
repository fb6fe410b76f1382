import { describe, expectTypeOf, it } from 'vitest'
import type { ShallowRef } from 'vue'
import { useSocket } from './useSocket'
import { useSocketEvent } from './useSocketEvent'

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
    expectTypeOf(status.value).toEqualTypeOf<'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'unauthorized' | 'failed'>()
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

  it('explicit generics override the registered maps', () => {
    const { on } = useSocket<{ tick: (n: number) => void }>()
    on('tick', (n) => expectTypeOf(n).toEqualTypeOf<number>())
    // @ts-expect-error message is not in the explicit map
    on('message', () => {})
  })
})
