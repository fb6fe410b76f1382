// The core's schema and validation from its sources (the nuxt project resolves @ssr-socket/core to them).
export { CONFIG_KEYS } from '@ssr-socket/core'
export { validateOptions as validateOptionsForTest } from '@ssr-socket/core/validate'
