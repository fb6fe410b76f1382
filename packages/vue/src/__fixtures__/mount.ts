import { createApp } from 'vue'
import { createSocketPlugin, getSocketRegistry, type SocketPluginOptions } from '../plugin'

/**
 * Mounts `root` with the socket plugin in a fresh element (happy-dom); `cleanups` gets its unmount (idempotent),
 * for the test file's afterEach.
 */
export function mountApp(root: Parameters<typeof createApp>[0], plugin: SocketPluginOptions, cleanups: Array<() => void>) {
  const app = createApp(root)
  app.use(createSocketPlugin(plugin))
  const el = document.createElement('div')
  document.body.appendChild(el)
  app.mount(el)
  let mounted = true
  const unmount = () => {
    if (!mounted) return
    mounted = false
    app.unmount()
    el.remove()
  }
  cleanups.push(unmount)
  return { app, el, registry: getSocketRegistry(app), unmount }
}
