// The documentation site (VitePress). `npm run docs` serves it, `npm run docs:build` builds it into
// docs/.vitepress/dist; both first run scripts/docs-prepare.mjs, which generates the API reference (docs/api/) and the
// troubleshooting texts (docs/.generated/), both git-ignored.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig, type DefaultTheme } from 'vitepress'

const sidebarFile = fileURLToPath(new URL('../api/typedoc-sidebar.json', import.meta.url))
if (!existsSync(sidebarFile)) throw new Error('docs/api/ is missing: run `npm run docs:build` (it generates the API reference first).')
const apiSidebar = JSON.parse(readFileSync(sidebarFile, 'utf8')) as DefaultTheme.SidebarItem[]

const guide: DefaultTheme.SidebarItem[] = [
  {
    text: 'Getting started',
    items: [
      { text: 'Nuxt', link: '/getting-started/nuxt' },
      { text: 'Vue', link: '/getting-started/vue' },
      { text: 'Plain TypeScript', link: '/getting-started/typescript' },
    ],
  },
  {
    text: 'Guides',
    items: [
      { text: 'Auth modes', link: '/guide/auth' },
      { text: 'Typed events', link: '/guide/typed-events' },
      { text: 'Rooms and subscriptions', link: '/guide/rooms' },
      { text: 'Offline and visibility', link: '/guide/offline' },
      { text: 'Recovery', link: '/guide/recovery' },
      { text: 'Deploying behind a proxy', link: '/guide/deploying' },
      { text: 'Scaling out', link: '/guide/scaling' },
      { text: 'DevTools tab', link: '/guide/devtools' },
      { text: 'Testing', link: '/guide/testing' },
    ],
  },
  { text: 'Troubleshooting', link: '/troubleshooting' },
]

export default defineConfig({
  title: 'ssr-socket',
  description: 'SSR-safe socket composables for Vue and Nuxt: socket.io or plain WebSockets, and the server inside Nuxt.',
  // Out of the docs folder (and out of ESLint's and git's way): dependencies VitePress pre-bundles.
  cacheDir: fileURLToPath(new URL('../../node_modules/.cache/vitepress', import.meta.url)),
  // The generated troubleshooting fragment is included by troubleshooting.md, not a page of its own.
  srcExclude: ['.generated/**'],
  lastUpdated: false,
  // No favicon file to fetch (the browser would ask for /favicon.ico).
  head: [['link', { rel: 'icon', href: 'data:,' }]],
  vite: {
    // The local search index (all pages, the API reference included) is one chunk over 500 kB, loaded only when the
    // search box opens.
    build: { chunkSizeWarningLimit: 1000 },
  },
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/getting-started/nuxt' },
      { text: 'API', link: '/api/' },
      { text: 'Troubleshooting', link: '/troubleshooting' },
    ],
    sidebar: {
      '/api/': [{ text: 'API reference', link: '/api/', items: apiSidebar }],
      '/': guide,
    },
    search: { provider: 'local' },
    outline: { level: [2, 3] },
  },
})
