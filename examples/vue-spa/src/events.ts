// Typed events, declared once for every useSocket() / useSocketEvent() in the app.
declare module '@ssr-socket/core' {
  interface Register {
    listenEvents: { tick: (at: number) => void }
    emitEvents: { add: (a: number, b: number, ack: (sum: number) => void) => void }
  }
}
export {}
