import { describe, expect, it } from 'vitest'
import { createSocketClient } from './client.js'
import { createSocketRegistry } from './registry.js'
import { resolveAuth } from './engine/auth.js'
import { completeOptions } from './engine/resolve.js'
import { keyOptions, mergeOptions } from './options.js'
import type { SocketClientOptions } from './types.js'

/** Both halves of option resolution: the key (the facade's) and the defaults (the engine's). */
const resolveOptions = (input: SocketClientOptions = {}) => completeOptions(keyOptions(input))

const bad = (options: unknown): unknown => {
  try {
    createSocketClient({ isServer: false, url: 'http://a.test', ...(options as SocketClientOptions) })
  } catch (error) {
    return error
  }
  throw new Error('expected a config error')
}

describe('bad options get a config error that names the option and the fix', () => {
  it.each([
    [{ url: 'localhost:8000' }, /options\.url "localhost:8000" must start with http:\/\/.*Did you mean "http:\/\/localhost:8000"/],
    [{ url: 'ftp://example.com' }, /must start with http:\/\/, https:\/\/, ws:\/\/ or wss:\/\//],
    [{ url: '/relative' }, /not an absolute URL.*scheme/],
    [{ url: 'http://example.com/chat' }, /has a path.*options\.path.*options\.namespace/],
    [{ url: 'http://example.com/?token=abc' }, /query or hash.*use auth/],
    [{ namespace: 'chat' }, /options\.namespace must start with "\/".*Write "\/chat"/],
    [{ path: 'socket.io' }, /options\.path must start with "\/"/],
    [{ reconnection: { attempts: -1 } }, /options\.reconnection\.attempts must be a whole number >= 0/],
    [{ reconnection: { delayMs: '100' } }, /options\.reconnection\.delayMs must be a number >= 0, got "100"/],
    [{ reconnection: { delayMs: Number.NaN } }, /options\.reconnection\.delayMs/],
    [{ reconnection: { jitter: 2 } }, /jitter must be between 0 and 1/],
    [{ reconnection: { delayMs: 5000, maxDelayMs: 100 } }, /maxDelayMs \(100\) must be >= delayMs \(5000\)/],
    [{ buffer: { max: 1.5 } }, /options\.buffer\.max must be a whole number/],
    [{ auth: { mode: 'token' } }, /auth\.mode 'token' needs getToken/],
    [{ auth: { mode: 'jwt' } }, /auth\.mode "jwt" is unknown\. Use 'none', 'cookie' or 'token'/],
    [{ auth: { mode: 'token', getToken: () => 'x', retries: -2 } }, /auth\.retries must be a whole number >= 0/],
    [{ ackTimeoutMs: 0 }, /ackTimeoutMs must be > 0/],
    [{ transports: ['websocket'] }, /unknown option "transports"\. socket\.io settings go in socketOptions/],
    [{ io: 'socket.io-client' }, /options\.io must be a function/],
  ])('%j', (options, message) => {
    const error = bad(options) as { kind?: string; message?: string }
    expect(error.kind).toBe('config')
    expect(error.message).toMatch(message)
  })

  it('requires a URL in a browser-like client when there is no page origin', () => {
    expect((bad({ url: undefined }) as Error).message).toMatch(/options\.url is required/)
    expect((bad({ url: undefined }) as Error & { code?: string }).code).toBe('options.url') // production says this code
  })

  it('a registry validates its defaults when it is created', () => {
    expect(() => createSocketRegistry({ url: 'localhost:8000' })).toThrow(/Did you mean "http:\/\/localhost:8000"/)
    expect(() => createSocketRegistry({ graceMs: -1 })).toThrow(/graceMs must be a number >= 0/)
  })
})

describe('option handling', () => {
  it('never mutates the caller options', () => {
    const options = Object.freeze({
      url: 'ws://example.com:8080',
      reconnection: Object.freeze({ attempts: 3 }),
      socketOptions: Object.freeze({ transports: Object.freeze(['websocket']) as unknown as string[] }),
      isServer: false,
    })
    const resolved = resolveOptions(options)
    expect(resolved.reconnection).toEqual({ attempts: 3, delayMs: 1000, maxDelayMs: 5000, jitter: 0.5 })
    expect(options).toEqual({ url: 'ws://example.com:8080', reconnection: { attempts: 3 }, socketOptions: { transports: ['websocket'] }, isServer: false })
  })

  it('keeps 0 as 0 (no || defaults)', () => {
    const r = resolveOptions({ url: 'http://x.test', isServer: false, reconnection: { attempts: 0, delayMs: 0, maxDelayMs: 0, jitter: 0 }, buffer: { max: 0 } })
    expect(r.reconnection).toEqual({ attempts: 0, delayMs: 0, maxDelayMs: 0, jitter: 0 })
    expect(r.buffer).toEqual({ max: 0, ttlMs: 60_000 })
  })

  it('keys by url + path + namespace, normalising the URL to its origin', () => {
    expect(resolveOptions({ url: 'http://Example.com:80/', isServer: false }).key).toBe('http://example.com/socket.io#/')
    expect(resolveOptions({ url: 'http://a.test', path: '/ws', namespace: '/chat', isServer: false }).key).toBe('http://a.test/ws#/chat')
  })

  it('merges registry defaults under call options one level deep, inputs untouched', () => {
    const defaults = { reconnection: { attempts: 5 }, socketOptions: { timeout: 100 } }
    const merged = mergeOptions(defaults, { reconnection: { delayMs: 10 } })
    expect(merged.reconnection).toEqual({ attempts: 5, delayMs: 10 })
    expect(merged.socketOptions).toEqual({ timeout: 100 })
    expect(defaults.reconnection).toEqual({ attempts: 5 })
  })

  it('accepts a raw socket.io auth object or function', () => {
    // Resolved by the auth chunk (engine/auth.ts), not with the rest of the options.
    expect(resolveAuth(resolveOptions({ url: 'http://a.test', isServer: false, auth: { apiKey: 'k' } }).input.auth)).toMatchObject({ mode: 'raw' })
    expect(resolveAuth(resolveOptions({ url: 'http://a.test', isServer: false, auth: (cb) => cb({}) }).input.auth)).toMatchObject({ mode: 'raw' })
  })
})
