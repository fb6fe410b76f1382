import type { SocketDiagnostics } from '@ssr-socket/core'
import { computed, type ComputedRef } from 'vue'
import { useSocket, type UseSocketOptions } from './useSocket'

/**
 * The connection's diagnostics (`client.getDiagnostics()`) as a computed that updates with its state. It does not
 * connect by itself: it shows the app's connection (the one these options pick), it does not open one.
 */
export function useSocketDiagnostics(options?: Omit<UseSocketOptions, 'autoConnect'>): ComputedRef<SocketDiagnostics> {
  const socket = useSocket({ ...options, autoConnect: false })
  return computed(() => {
    void socket.state.value // recomputed on every state change
    return socket.client.getDiagnostics()
  })
}
