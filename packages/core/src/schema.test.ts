import { describe, expect, it } from 'vitest'
import { resolveAuth } from './engine/auth.js'
import { completeOptions } from './engine/resolve.js'
import { keyOptions } from './options.js'
import { CONFIG_KEYS, OPTION_SCHEMA, fromConfig } from './schema.js'
import { validateOptions } from './validate.js'

describe('one option schema', () => {
  it('the engine applies the defaults the schema documents', () => {
    const resolved = completeOptions(keyOptions({ url: 'http://127.0.0.1:1', isServer: false }))
    expect(resolved.path).toBe(OPTION_SCHEMA.path.default)
    expect(resolved.namespace).toBe(OPTION_SCHEMA.namespace.default)
    expect(resolved.reconnection).toEqual(OPTION_SCHEMA.reconnection.default)
    expect(resolved.buffer).toEqual(OPTION_SCHEMA.buffer.default)
    expect(resolved.ackTimeoutMs).toBe(OPTION_SCHEMA.ackTimeoutMs.default)
    expect(resolved.reconnectOnServerDisconnect).toBe(OPTION_SCHEMA.reconnectOnServerDisconnect.default)
    expect(resolved.debug).toBe(OPTION_SCHEMA.debug.default)
    expect(resolveAuth(resolved.input.auth)).toMatchObject(OPTION_SCHEMA.auth.default) // the auth chunk's (engine/auth.ts)
    expect(resolved.socketOptions).toEqual(OPTION_SCHEMA.socketOptions.default)
  })

  it('validation knows every option of the schema, and nothing else', () => {
    for (const key of Object.keys(OPTION_SCHEMA)) expect(() => validateOptions({ [key]: undefined })).not.toThrow()
    expect(() => validateOptions({ transports: ['websocket'] })).toThrow(/unknown option "transports"\. socket\.io settings go in socketOptions/)
  })

  it('fromConfig: every config key passes (auth modes become auth objects, JSON nulls Infinity again) and validates', () => {
    expect(CONFIG_KEYS).toEqual(Object.keys(OPTION_SCHEMA).filter((key) => OPTION_SCHEMA[key as keyof typeof OPTION_SCHEMA].config))
    const getToken = () => 't'
    const config = {
      url: 'http://127.0.0.1:8000',
      path: '/ws',
      namespace: '/chat',
      auth: { mode: 'token' as const, retries: 2 },
      reconnection: { attempts: null as unknown as number, delayMs: 100, maxDelayMs: 200, jitter: 0 },
      buffer: { max: 5, ttlMs: null as unknown as number },
      ackTimeoutMs: 1234,
      reconnectOnServerDisconnect: true,
      debug: true,
      maxPayloadBytes: 4096,
      socketOptions: { transports: ['websocket'], timeout: 3000 },
    }
    const options = fromConfig(config, getToken)
    validateOptions(options)
    expect(options).toEqual({ ...config, auth: { mode: 'token', retries: 2, getToken }, reconnection: { ...config.reconnection, attempts: Infinity }, buffer: { max: 5, ttlMs: Infinity } })
    expect(fromConfig({ auth: 'cookie', url: '' })).toEqual({ auth: { mode: 'cookie' } })
    expect(() => validateOptions(fromConfig({ auth: 'bogus' as 'none' }))).toThrow(/auth\.mode "bogus" is unknown/)
  })
})
