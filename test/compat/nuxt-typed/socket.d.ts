// Typed events, as the README says to write them (types/ in Nuxt 3, shared/types/ in Nuxt 4).
declare module '@ssr-socket/core' {
  interface Register {
    listenEvents: { news: (text: string) => void }
    emitEvents: { send: (text: string, ack: (ok: boolean) => void) => void }
  }
}
export {}
