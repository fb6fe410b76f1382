import { describe, expect, it } from 'vitest'
import { SocketError } from './errors.js'
import { INITIAL_STATE, TRANSITIONS, transition, type SocketTransition } from './machine.js'
import type { SocketState, SocketStatus } from './types.js'

const err = new SocketError('network', 'x')
const at = (status: SocketStatus, patch: Partial<SocketState> = {}): SocketState => ({ ...INITIAL_STATE, status, ...patch })

const samples: Record<SocketTransition['type'], SocketTransition> = {
  connect: { type: 'connect' },
  opened: { type: 'opened', id: 'abc', transport: 'polling', recovered: false, at: 1 },
  upgraded: { type: 'upgraded', transport: 'websocket' },
  lost: { type: 'lost', error: err },
  attemptFailed: { type: 'attemptFailed', error: err },
  retryScheduled: { type: 'retryScheduled', attempt: 2, at: 99 },
  attempting: { type: 'attempting', attempt: 2 },
  paused: { type: 'paused' },
  retryNow: { type: 'retryNow' },
  rejected: { type: 'rejected', error: new SocketError('unauthorized', 'no') },
  exhausted: { type: 'exhausted', error: err },
  closed: { type: 'closed', error: null },
}
const statuses: SocketStatus[] = ['idle', 'connecting', 'connected', 'reconnecting', 'disconnected', 'unauthorized', 'failed']

describe('state machine', () => {
  it('starts from a frozen constant initial state', () => {
    expect(INITIAL_STATE).toEqual({ status: 'idle', attempt: 0, nextRetryAt: null, error: null, id: null, transport: null, recovered: false, connectedAt: null })
    expect(Object.isFrozen(INITIAL_STATE)).toBe(true)
  })

  it('ignores every transition not in the table (same object back)', () => {
    let checked = 0
    for (const status of statuses) {
      for (const [type, event] of Object.entries(samples)) {
        const allowed = TRANSITIONS[type as SocketTransition['type']].includes(status)
        const before = at(status)
        const after = transition(before, event)
        if (allowed) expect(after, `${status} --${type}-->`).not.toBe(before)
        else expect(after, `${status} --${type}--> must be ignored`).toBe(before)
        checked++
      }
    }
    expect(checked).toBe(statuses.length * Object.keys(samples).length)
  })

  it('connect: idle -> connecting, clearing a previous error and attempts', () => {
    const s = transition(at('failed', { error: err, attempt: 5 }), samples.connect)
    expect(s).toMatchObject({ status: 'connecting', error: null, attempt: 0 })
  })

  it('opened: -> connected with id, transport, connectedAt; attempt reset', () => {
    const s = transition(at('reconnecting', { attempt: 3, error: err, nextRetryAt: 5 }), samples.opened)
    expect(s).toEqual({ ...INITIAL_STATE, status: 'connected', id: 'abc', transport: 'polling', connectedAt: 1 })
  })

  it('upgraded changes only the transport', () => {
    const s = transition(at('connected', { id: 'a', transport: 'polling' }), samples.upgraded)
    expect(s).toMatchObject({ status: 'connected', id: 'a', transport: 'websocket' })
  })

  it('lost: connected -> reconnecting with the error, id cleared', () => {
    const s = transition(at('connected', { id: 'a', transport: 'websocket' }), samples.lost)
    expect(s).toMatchObject({ status: 'reconnecting', error: err, id: null, transport: null, attempt: 0 })
  })

  it('attemptFailed then retryScheduled then attempting track attempt and nextRetryAt', () => {
    let s = transition(at('connecting'), samples.attemptFailed)
    expect(s).toMatchObject({ status: 'reconnecting', error: err })
    s = transition(s, samples.retryScheduled)
    expect(s).toMatchObject({ status: 'reconnecting', attempt: 2, nextRetryAt: 99 })
    s = transition(s, samples.attempting)
    expect(s).toMatchObject({ status: 'reconnecting', attempt: 2, nextRetryAt: null })
  })

  it('paused -> offline and retryNow clear the scheduled retry; retryNow resets attempts and leaves failed and offline', () => {
    expect(transition(at('reconnecting', { nextRetryAt: 9, attempt: 4 }), samples.paused)).toMatchObject({ status: 'offline', nextRetryAt: null, attempt: 4 })
    expect(transition(at('failed', { attempt: 4 }), samples.retryNow)).toMatchObject({ status: 'reconnecting', attempt: 0, nextRetryAt: null })
    expect(transition(at('offline', { attempt: 4 }), samples.retryNow)).toMatchObject({ status: 'reconnecting', attempt: 0, nextRetryAt: null })
    // Offline, nothing runs: no attempt can fail, be scheduled or succeed; disconnect() still closes.
    for (const type of ['attemptFailed', 'retryScheduled', 'attempting', 'opened', 'exhausted'] as const) expect(transition(at('offline'), samples[type]).status).toBe('offline')
    expect(transition(at('offline'), samples.closed).status).toBe('disconnected')
  })

  it('rejected -> unauthorized, exhausted -> failed keeping the last error, closed -> disconnected', () => {
    expect(transition(at('connecting'), samples.rejected)).toMatchObject({ status: 'unauthorized', error: { kind: 'unauthorized' } })
    expect(transition(at('reconnecting', { error: err }), { type: 'exhausted', error: null })).toMatchObject({ status: 'failed', error: err })
    expect(transition(at('connected', { id: 'x' }), samples.closed)).toMatchObject({ status: 'disconnected', id: null, error: null })
  })

  it('returns frozen snapshots', () => {
    expect(Object.isFrozen(transition(INITIAL_STATE, samples.connect))).toBe(true)
  })
})
