import type { SocketClient, SocketRegistry } from '@ssr-socket/core'
import { createSSRApp, nextTick, type App, type Component } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { createSocketPlugin, getSocketRegistry, type SocketPluginOptions } from './plugin'

export { createMockTransport, createTestServer, waitFor } from '@ssr-socket/core/testing'
export type { MockHandler, MockHandshake, MockTransport, MockTransportOptions, TestServer, TestServerOptions } from '@ssr-socket/core/testing'

export interface RenderOptions {
  /** Options of the app's socket plugin (as in `createSocketPlugin`). */
  plugin?: SocketPluginOptions
  /** Root props. */
  props?: Record<string, unknown>
  /** Runs after the plugin is installed: add routers, stores, other plugins. */
  setup?: (app: App) => void
}

export interface ServerRender {
  html: string
  /** The request's registry: inert, as on a real server. */
  registry: SocketRegistry
  /** Every Vue warning during the render. */
  warnings: string[]
}

export interface ClientHydration {
  app: App
  container: HTMLElement
  /** Every hydration mismatch warning (empty when server HTML and the first client render agree). */
  mismatches: string[]
  /** Every Vue warning during hydration, mismatches included. */
  warnings: string[]
  registry: SocketRegistry
  /** The app's client for the plugin's default url/path/namespace, once a component acquired it. */
  client: SocketClient | undefined
  /** Unmounts the app (disposing its registry) and removes the container. */
  unmount(): void
}

function collectWarnings(app: App, into: string[]): void {
  app.config.warnHandler = (message, _instance, trace) => {
    into.push(trace ? `${message}\n${trace}` : message)
  }
}

/**
 * Renders `component` the way a server does: `createSSRApp` + the socket plugin with `isServer: true` +
 * `renderToString`. Run it where there is no `window` for the real thing (vitest's node environment).
 */
export async function renderOnServer(component: Component, options: RenderOptions = {}): Promise<ServerRender> {
  const app = createSSRApp(component, options.props)
  const warnings: string[] = []
  collectWarnings(app, warnings)
  app.use(createSocketPlugin({ ...options.plugin, isServer: true }))
  options.setup?.(app)
  const html = await renderToString(app)
  return { html, registry: getSocketRegistry(app), warnings }
}

/**
 * Hydrates server `html` with `component` the way a browser does (`createSSRApp(...).mount(container)` over
 * the server markup) and reports every hydration mismatch. Needs a DOM: happy-dom or jsdom.
 */
export async function hydrateOnClient(html: string, component: Component, options: RenderOptions = {}): Promise<ClientHydration> {
  if (typeof document === 'undefined') {
    throw new Error('[ssr-socket] hydrateOnClient() needs a DOM. Run the test in a DOM environment, e.g. // @vitest-environment happy-dom')
  }
  const container = document.createElement('div')
  container.innerHTML = html
  document.body.appendChild(container)
  const app = createSSRApp(component, options.props)
  const warnings: string[] = []
  collectWarnings(app, warnings)
  app.use(createSocketPlugin({ ...options.plugin, isServer: false }))
  options.setup?.(app)
  // Production builds of Vue report a mismatch with console.error instead of a warning.
  const consoleError = console.error
  const errors: string[] = []
  console.error = (...args: unknown[]) => {
    const text = args.map(String).join(' ')
    if (/hydration/i.test(text)) errors.push(text)
    else consoleError(...args)
  }
  try {
    app.mount(container)
  } finally {
    console.error = consoleError
  }
  await nextTick()
  const registry = getSocketRegistry(app)
  return {
    app,
    container,
    mismatches: [...warnings.filter((w) => /hydration/i.test(w)), ...errors],
    warnings,
    registry,
    // The registry was created with the plugin's options as its defaults: peek() finds their client.
    client: registry.peek(),
    unmount() {
      app.unmount()
      container.remove()
    },
  }
}
