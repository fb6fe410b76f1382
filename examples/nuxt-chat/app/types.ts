export interface ChatMessage {
  id: string
  room: string
  name: string
  text: string
  at: number
}
export type Ack<T> = ({ error: string } & Partial<Record<keyof T, undefined>>) | ({ error?: undefined } & T)

/** The events of the chat backend (backend/chat.mjs). */
export interface ServerEvents {
  me: (me: { name: string; node: string }) => void
  message: (message: ChatMessage) => void
  /** `at`: when the count started; the newest wins (announcements from several nodes can cross). */
  presence: (presence: { room: string; names: string[]; at: number }) => void
  typing: (typing: { room: string; name: string }) => void
}
export interface ClientEvents {
  join: (room: string, ack: (result: Ack<{ room: string; history: ChatMessage[]; names: string[]; at: number }>) => void) => void
  message: (room: string, text: string, ack: (result: Ack<{ ok: true; id: string }>) => void) => void
  /** Leaves a room (the subscription's undo; joining another room leaves the others too). */
  leave: (room: string) => void
  typing: (room: string) => void
}
