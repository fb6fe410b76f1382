// The auto-imported useSocket, useSocketEvent and useSocketSubscription come from here, next to the plugin, so that both import
// @ssr-socket/vue from the same place: one copy in dev and prod (never the plugin on the package's file and the
// composables on Vite's pre-bundled copy, which do not share the plugin's injection key).
export { useSocket, useSocketDiagnostics, useSocketEvent, useSocketSubscription } from '@ssr-socket/vue'
