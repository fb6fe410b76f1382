// Development only (the module adds this plugin in `nuxi dev`, never to a production build): what the DevTools tab
// reads. The tab runs in its own frame and reaches the app through DevTools' host client (nuxtApp.$socketDevtools);
// it inspects the app's registry through the core's documented inspector API, and records nothing until it does.
import { defineNuxtPlugin } from '#app'
import { hintFor, inspectRegistry, type InspectorRecord, type SocketRegistry } from '@ssr-socket/vue'

export default defineNuxtPlugin({
  name: 'ssr-socket:devtools',
  dependsOn: ['ssr-socket'],
  setup(nuxtApp) {
    const registry = (nuxtApp as unknown as { $socketRegistry: SocketRegistry }).$socketRegistry
    /** Inspectors the tab has open now: each frame stops its own when it goes (pagehide). */
    let active = 0
    return {
      provide: {
        socketDevtools: {
          inspect(listener: (record: InspectorRecord) => void) {
            const inspector = inspectRegistry(registry, listener)
            active++
            let stopped = false
            return {
              ...inspector,
              stop() {
                if (stopped) return
                stopped = true
                active--
                inspector.stop()
              },
            }
          },
          active: () => active,
          hintFor,
        },
      },
    }
  },
})
