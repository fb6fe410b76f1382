import { describe, expect, it } from 'vitest'
import { observe, unobserve } from './managerPool.js'

class Emitter {
  emitted: string[] = []
  emitReserved(event: string, ...args: unknown[]): this {
    this.emitted.push(`${event}:${args.join(',')}`)
    return this
  }
}

describe('observe (one shared hook on socket.io objects)', () => {
  it('tells the observer before the inherited method runs, and passes through after unobserve', () => {
    const target = new Emitter()
    const heard: string[] = []
    observe(target, { _heard: (t, event, args) => heard.push(`${t === target}:${event}:${args.join(',')}`) })
    target.emitReserved('connect', 1, 2)
    expect(heard).toEqual(['true:connect:1,2'])
    expect(target.emitted).toEqual(['connect:1,2'])
    unobserve(target)
    target.emitReserved('disconnect')
    expect(heard).toHaveLength(1)
    expect(target.emitted).toEqual(['connect:1,2', 'disconnect:'])
  })

  it("wraps, and keeps, a method that is already the target's own (other instrumentation)", () => {
    const target = new Emitter()
    const theirs: string[] = []
    const inherited = target.emitReserved
    target.emitReserved = function (this: Emitter, event: string, ...args: unknown[]) {
      theirs.push(event)
      return inherited.call(this, event, ...args)
    }
    const heard: string[] = []
    observe(target, { _heard: (_t, event) => heard.push(event) })
    target.emitReserved('connect')
    expect(heard).toEqual(['connect'])
    expect(theirs).toEqual(['connect'])
    expect(target.emitted).toEqual(['connect:'])
  })

  it("observes socket.io's Backoff duration as (attempt, delay)", () => {
    class Backoff {
      attempts = 0
      duration(): number {
        return 100 * ++this.attempts
      }
    }
    const backoff = new Backoff()
    const heard: unknown[] = []
    observe(backoff, { _heard: (_t, event, args) => heard.push([event, ...args]) }, 'duration')
    expect(backoff.duration()).toBe(100)
    expect(backoff.duration()).toBe(200)
    expect(heard).toEqual([['duration', 1, 100], ['duration', 2, 200]])
  })
})
