// Generates the parts of the documentation site that have another source, before VitePress builds it:
// - docs/api/: the API reference, from the TSDoc of the built packages' public exports (their dist .d.ts files, so
//   what is documented is what an app imports), by TypeDoc with typedoc-plugin-markdown;
// - docs/.generated/troubleshooting.md: the troubleshooting texts, from @ssr-socket/core/hints (what the doctor prints and the
//   DevTools tab shows), included by docs/troubleshooting.md.
// Both folders are git-ignored. Needs the packages built (npm run build).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Application, Comment, Converter } from 'typedoc'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const docs = join(root, 'docs')

/** Each public export path (package.json "exports", and the Nuxt module's auto-imports): the file that types it. */
export const ENTRIES = [
  { name: '@ssr-socket/core', file: 'packages/core/dist/index.d.ts' },
  { name: '@ssr-socket/core/hints', file: 'packages/core/dist/hints.d.ts' },
  { name: '@ssr-socket/core/machine', file: 'packages/core/dist/machine.d.ts' },
  { name: '@ssr-socket/core/validate', file: 'packages/core/dist/validate.d.ts' },
  { name: '@ssr-socket/core/testing', file: 'packages/core/dist/testing.d.ts', note: 'Test helpers (Node): a real socket.io test server, a TCP proxy for fault injection, the mock transport.' },
  { name: '@ssr-socket/vue', file: 'packages/vue/dist/index.d.ts' },
  { name: '@ssr-socket/vue/testing', file: 'packages/vue/dist/testing.d.ts', note: 'Render on the server and hydrate in a DOM, in your own tests; the core test helpers re-exported.' },
  { name: '@ssr-socket/vue/vite', file: 'packages/vue/dist/vite.d.ts' },
  { name: '@ssr-socket/nuxt', file: 'packages/nuxt-module/dist/types.d.mts', note: 'The Nuxt module (`modules: [\'@ssr-socket/nuxt\']`) and its options, the `socket` key of nuxt.config.' },
  { name: '@ssr-socket/nuxt/auto-imports', file: 'packages/nuxt-module/dist/runtime/composables.d.ts', note: 'Auto-imported in the app by the Nuxt module, besides `useSocket`, `useSocketEvent`, `useSocketSubscription` and `useSocketDiagnostics` from @ssr-socket/vue. Not an import path.' },
  { name: '@ssr-socket/nuxt/server-auto-imports', file: 'packages/nuxt-module/dist/runtime/server/handler.d.ts', note: 'Auto-imported in `server/` by the Nuxt module with `socket: { transport: \'websocket\' }`. Not an import path.' },
  { name: '@ssr-socket/nuxt/testing', file: 'packages/nuxt-module/dist/runtime/testing.d.ts', note: 'Test helpers for Nuxt apps: a scripted mock server for components under mountSuspended, a test peer for socket handlers, hydration of a page.' },
  { name: '@ssr-socket/server', file: 'packages/server/dist/index.d.ts' },
  { name: '@ssr-socket/doctor', file: 'packages/doctor/dist/index.d.ts' },
]

/** TypeDoc's id of a file: its package's name and the path inside it. */
const fileId = (file) => {
  const pkg = file.split('/').slice(0, 2).join('/')
  return `${JSON.parse(readFileSync(join(root, pkg, 'package.json'), 'utf8')).name}:${relative(pkg, file)}`
}

async function api() {
  const out = join(docs, 'api')
  rmSync(out, { recursive: true, force: true })
  const app = await Application.bootstrapWithPlugins({
    entryPoints: ENTRIES.map((entry) => join(root, entry.file)),
    tsconfig: join(docs, '.vitepress/tsconfig.api.json'),
    plugin: ['typedoc-plugin-markdown', 'typedoc-vitepress-theme'],
    out,
    docsRoot: docs,
    name: 'API reference',
    readme: 'none',
    excludePrivate: true,
    excludeInternal: true,
    excludeExternals: false,
    skipErrorChecking: true,
    outputFileStrategy: 'modules',
    // Anchors as the links TypeDoc writes them (VitePress's own heading slugs differ for repeated and _ names).
    useHTMLAnchors: true,
    hidePageHeader: true,
    hideBreadcrumbs: true,
    gitRevision: 'main',
    disableSources: true,
    validation: { notExported: false, invalidLink: false, unusedMergeModuleWith: false },
    logLevel: 'Warn',
  })
  // Modules are named by the export path an app imports, not by the .d.ts file's path.
  const byFile = new Map(ENTRIES.map((entry) => [fileId(entry.file), entry]))
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const mod of context.project.children ?? []) {
      const id = context.project.getSymbolIdFromReflection(mod)
      const entry = id && byFile.get(`${id.packageName}:${id.packagePath}`)
      if (!entry) throw new Error(`TypeDoc made a module ${mod.name} from no known entry point`)
      mod.name = entry.name
      if (entry.note) mod.comment = new Comment([{ kind: 'text', text: entry.note }])
    }
  })
  const project = await app.convert()
  if (!project) throw new Error('TypeDoc could not convert the packages: are they built (npm run build)?')
  await app.generateOutputs(project)
  if (app.logger.hasErrors()) throw new Error('TypeDoc reported errors')
}

/**
 * The troubleshooting texts, by error kind and code. The fixes are @ssr-socket/core/hints' (`hintFor`, `FIX_HINTS`: what
 * the doctor prints and the DevTools tab shows); each code's message is the one the client's SocketError carries (the
 * core's development build); which codes each kind has is read from the core's sources (`error('kind', 'code')` calls, and the socket.io adapter's `_err(...)`).
 */
async function troubleshooting() {
  const { FIX_HINTS, hintFor } = await import('@ssr-socket/core/hints')
  const { text } = await import(pathToFileURL(join(root, 'packages/core/dist/errors.js')).href)
  const KINDS = ['network', 'timeout', 'unauthorized', 'forbidden-origin', 'upgrade-refused', 'session-unknown', 'server', 'config']
  const codes = new Map(KINDS.map((kind) => [kind, new Set()]))
  const sources = join(root, 'packages/core/src')
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
  for (const file of walk(sources).filter((f) => f.endsWith('.ts') && !/\.test(-d)?\.ts$|testFixtures/.test(f))) {
    for (const [, kind, code] of readFileSync(file, 'utf8').matchAll(/\b(?:socketError|error|_err)\(\s*'([a-z-]+)',\s*'([a-z-]+)'/g)) {
      if (!codes.has(kind)) throw new Error(`${relative(root, file)}: error kind "${kind}" is not one of ${KINDS.join(', ')}`)
      codes.get(kind).add(code)
    }
  }
  const escape = (s) => s.replace(/[<>{}|*_`[\]]/g, (c) => `\\${c}`)
  const out = [
    '<!-- Generated by scripts/docs-prepare.mjs from @ssr-socket/core/hints and the core\'s error codes: edit those, not this file. -->',
    '',
  ]
  for (const kind of KINDS) {
    out.push(`## ${kind}`, '', `**Fix:** ${escape(hintFor(kind))}`, '')
    for (const code of [...codes.get(kind)].sort()) {
      const message = text(code, '…')
      if (message.startsWith(`${code}:`) || message === code) throw new Error(`error code "${code}" has no message in packages/core/src/errors.ts`)
      const fix = hintFor(kind, code)
      out.push(`### ${code}`, '', `\`${kind}\` / \`${code}\`: ${escape(message)}`, '')
      out.push(fix === hintFor(kind) ? `**Fix:** as for \`${kind}\` above.` : `**Fix:** ${escape(fix)}`, '')
    }
  }
  out.push("## The doctor's fixes", '', 'What `ssr-socket-doctor` prints beside a failed check, by cause (`FIX_HINTS`):', '')
  for (const [cause, fix] of Object.entries(FIX_HINTS)) out.push(`- **${cause}**: ${escape(fix)}`)
  out.push('')
  const dir = join(docs, '.generated')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'troubleshooting.md'), out.join('\n'))
  return [...codes.values()].reduce((n, set) => n + set.size, 0)
}

const started = Date.now()
await api()
const codes = await troubleshooting()
console.log(`[docs] API reference (${ENTRIES.length} modules) and troubleshooting texts (${codes} codes) generated in ${Date.now() - started} ms`)
