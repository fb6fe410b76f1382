// Development only (the module adds this plugin in `nuxi dev`, never to a production build): what the DevTools tab
// reads. The tab runs in its own frame and reaches the app through DevTools' host client (nuxtApp.$socketDevtools);
// it inspects the app's registry through the core's inspector API, and the app records nothing until it does.
import { defineNuxtPlugin } from '#app'
import { hintFor, inspectorCount, inspectRegistry, type InspectorRecord, type SocketRegistry } from '@ssr-socket/vue'

export default defineNuxtPlugin({
  name: 'ssr-socket:devtools',
  dependsOn: ['ssr-socket'],
  setup(nuxtApp) {
    const registry = (nuxtApp as unknown as { $socketRegistry: SocketRegistry }).$socketRegistry
    return {
      provide: {
        socketDevtools: {
          inspect: (listener: (record: InspectorRecord) => void) => inspectRegistry(registry, listener),
          /** Inspectors listening now, as the core counts them (0 once the tab is hidden, closed or gone). */
          active: () => inspectorCount(registry),
          hintFor,
        },
      },
    }
  },
})
