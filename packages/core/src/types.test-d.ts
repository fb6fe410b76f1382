import { describe, expectTypeOf, it } from 'vitest'
import { createSocketClient } from './client.js'
import type { SocketState, SocketStatus } from './types.js'

interface Listen {
  message: (text: string, at: number) => void
}
interface Emit {
  send: (text: string) => void
  add: (a: number, b: number, ack: (sum: number) => void) => void
}

describe('typed events', () => {
  const client = createSocketClient<Listen, Emit>({ url: 'http://x.test' })

  it('checks event names and payloads of on/emit/emitWithAck', () => {
    client.on('message', (text, at) => {
      expectTypeOf(text).toEqualTypeOf<string>()
      expectTypeOf(at).toEqualTypeOf<number>()
    })
    client.emit('send', 'hi')
    expectTypeOf(client.emitWithAck('add', 1, 2)).toEqualTypeOf<Promise<number>>()
    // @ts-expect-error unknown event
    client.on('nope', () => {})
    // @ts-expect-error wrong payload
    client.emit('send', 42)
    // @ts-expect-error missing argument
    client.emitWithAck('add', 1)
  })

  it('untyped clients accept anything and resolve acks as unknown', () => {
    const untyped = createSocketClient({ url: 'http://x.test' })
    untyped.emit('anything', 1, 'two')
    expectTypeOf(untyped.emitWithAck('anything', 1)).toEqualTypeOf<Promise<unknown>>()
  })

  it('exposes the state shape', () => {
    expectTypeOf(client.getState()).toEqualTypeOf<SocketState>()
    expectTypeOf<SocketState['status']>().toEqualTypeOf<SocketStatus>()
  })
})
