// The board's events, once, for the browser (useSocket) and the Nitro handler (defineSocketHandler).
export interface Note {
  id: number
  author: string
  text: string
  at: number
}

declare module '@ssr-socket/core' {
  interface Register {
    listenEvents: {
      /** Everyone on the board now (sent to all on every join and leave). */
      presence: (names: string[]) => void
      note: (note: Note) => void
    }
    emitEvents: {
      /** Enter the board under a name; the ack carries the notes so far, or an error. */
      enter: (name: string, ack: (result: { notes: Note[] } | { error: string }) => void) => void
      post: (text: string, ack: (result: { ok: true } | { error: string }) => void) => void
    }
  }
}
