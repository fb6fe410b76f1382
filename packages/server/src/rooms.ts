// Rooms of one server in this process: room -> members, so that a send to a room costs O(members), never
// O(connections); and each member's own set, so that leaving everything at close costs O(its rooms).
import { isName, MAX_NAME } from './protocol.js'

/** Throws the error a handler gets for a room name that is not one (reported through onError like any failure). */
export function checkRoom(room: unknown, call: string): asserts room is string {
  if (!isName(room)) {
    const got = typeof room === 'string' ? `a string of ${room.length} characters` : room === null ? 'null' : typeof room
    throw new TypeError(`[ssr-socket/server] ${call}(room): a room is a string of 1 to ${MAX_NAME} characters, got ${got}. Validate what the client sends before using it as a room.`)
  }
}

export class Rooms<M> {
  private readonly _members = new Map<string, Set<M>>()

  join(room: string, member: M, own: Set<string>): void {
    let set = this._members.get(room)
    if (!set) this._members.set(room, (set = new Set()))
    set.add(member)
    own.add(room)
  }

  leave(room: string, member: M, own: Set<string>): void {
    own.delete(room)
    const set = this._members.get(room)
    if (!set) return
    set.delete(member)
    if (set.size === 0) this._members.delete(room)
  }

  /** Every room of a member that goes away. */
  leaveAll(member: M, own: Set<string>): void {
    for (const room of own) this.leave(room, member, own)
  }

  members(room: string): ReadonlySet<M> | undefined {
    return this._members.get(room)
  }

  /** Rooms with at least one member (for tests and diagnostics). */
  get size(): number {
    return this._members.size
  }
}
