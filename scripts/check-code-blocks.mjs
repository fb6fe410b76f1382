#!/usr/bin/env node
// Type-checks the TypeScript code blocks of the documentation (docs/**/*.md, the root README and the package READMEs)
// against the built packages, resolved by package name as an app resolves them: a wrong example fails `npm test`.
//
// What is checked: every ```ts / ```typescript block, and the `<script setup lang="ts">` (or `<script lang="ts">`) of
// every ```vue block (the template is not checked). Each block is a module of its own, in a temporary folder outside
// the repository whose node_modules links the workspace packages and what the blocks import.
//
// Blocks of one page share its `declare module '@ssr-socket/core' { interface Register ... }` augmentations (a page
// augments once and its later blocks use the typed events); pages without one share a program. A block is in the
// Nuxt context (Nuxt's auto-imports and the module's, declared from the real packages' types: see nuxtPrelude) when a
// heading above it names Nuxt, or when told.
//
// Comments on the lines right before a block's fence steer it (GitHub and VitePress do not show them):
//   <!-- check: skip (why) -->       not checked; the reason is required and reported
//   <!-- check: nuxt -->             in the Nuxt context; `<!-- check: plain -->` out of it
//   <!-- check: declare ... -->      declarations the fragment assumes (e.g. `declare const user: { name: string }`)
//
// Usage: node scripts/check-code-blocks.mjs [--keep] [files.md ...]   (no files: the documentation of the repository)
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

/** The documentation whose blocks are checked: the site (without its generated folders) and the READMEs. */
export function documentationFiles(root = ROOT) {
  const files = []
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        // api/: generated from the TSDoc of the sources (their examples are the sources'); .vitepress: config and cache
        if (!entry.name.startsWith('.') && entry.name !== 'node_modules' && !(dir === join(root, 'docs') && entry.name === 'api')) walk(path)
      } else if (entry.name.endsWith('.md')) files.push(path)
    }
  }
  walk(join(root, 'docs'))
  files.push(join(root, 'README.md'))
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const readme = join(root, 'packages', pkg, 'README.md')
    if (existsSync(readme)) files.push(readme)
  }
  return files.sort()
}

const FILE_COMMENT = /^\/\/\s*((?:[\w@.[\]-]+\/)*[\w@.[\]-]+\.(?:ts|mts|vue))(?=$|[\s:,(])/
const DIRECTIVE = /^<!--\s*check:\s*([\s\S]*?)\s*-->$/

/**
 * The code blocks of one markdown file: `{ file, line (of the first code line, 1-based), lang, code, nuxt, skip,
 * declare, directiveLine }`. Vue blocks yield their TypeScript script; other languages nothing.
 */
export function extractBlocks(file, text = readFileSync(file, 'utf8')) {
  const lines = text.split('\n')
  const blocks = []
  const headings = [] // [level, text]
  let fence = null
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (fence) {
      if (line.trim().startsWith(fence.marker) && line.trim().replace(/[`~]/g, '') === '' && line.trim().length >= fence.marker.length) {
        fence.block.end = i
        blocks.push(fence.block)
        fence = null
      } else fence.block.body.push(line.slice(Math.min(fence.indent, line.length - line.trimStart().length)))
      continue
    }
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(line)
    if (open) {
      const directives = []
      for (let j = i - 1; j >= 0; j--) {
        const previous = lines[j].trim()
        if (previous === '') continue
        const match = DIRECTIVE.exec(previous)
        if (!match) break
        directives.unshift({ text: match[1], line: j + 1 })
      }
      const heading = headings.map(([, t]) => t)
      fence = { marker: open[2], indent: open[1].length, block: { file, lang: open[3].toLowerCase(), start: i + 1, body: [], directives, headings: heading } }
      continue
    }
    const h = /^(#{1,6})\s+(.*)$/.exec(line)
    if (h) {
      while (headings.length && headings[headings.length - 1][0] >= h[1].length) headings.pop()
      headings.push([h[1].length, h[2]])
    }
  }
  const out = []
  for (const block of blocks) {
    let code
    let first // 1-based markdown line of the first code line
    if (block.lang === 'ts' || block.lang === 'typescript') {
      code = block.body
      first = block.start + 1
    } else if (block.lang === 'vue') {
      const open = block.body.findIndex((l) => /<script\b[^>]*\blang=["']ts["'][^>]*>/.test(l))
      if (open < 0) continue
      const close = block.body.findIndex((l, k) => k > open && /<\/script>/.test(l))
      code = block.body.slice(open + 1, close < 0 ? undefined : close)
      first = block.start + 1 + open + 1
    } else continue
    // The file the block says it is (`// server/routes/_ws.ts`, `<!-- app/pages/index.vue -->`): blocks of a page
    // import each other by relative path.
    const named = (block.lang === 'vue' ? /^<!--\s*([\w@.[\]/-]+\.vue)\b/.exec(block.body[0]?.trim() ?? '') : null) ?? FILE_COMMENT.exec(code[0]?.trim() ?? '')
    const result = { file, line: first, lang: block.lang, code: code.join('\n'), path: named?.[1], nuxt: block.headings.some((h) => /\bnuxt\b/i.test(h)), skip: null, declare: [], problems: [] }
    for (const d of block.directives) {
      const [word] = d.text.split(/\s/, 1)
      const rest = d.text.slice(word.length).trim()
      if (word === 'skip') {
        const reason = /^\((.+)\)$/s.exec(rest)?.[1]?.trim()
        if (!reason) result.problems.push({ line: d.line, message: 'check: skip needs a reason in parentheses: <!-- check: skip (why) -->' })
        result.skip = reason ?? 'no reason given'
      } else if (word === 'nuxt' && !rest) result.nuxt = true
      else if (word === 'plain' && !rest) result.nuxt = false
      else if (word === 'declare' && rest) result.declare.push({ line: d.line, text: d.text })
      else result.problems.push({ line: d.line, message: `unknown directive "check: ${d.text}" (skip (why), nuxt, plain, declare ...)` })
    }
    out.push(result)
  }
  return out
}

/** Bare package names a piece of code imports (import/export from, import(), declare module). */
const importedPackages = (code) => {
  const names = new Set()
  for (const m of code.matchAll(/(?:from\s+|import\s*\(\s*|import\s+|declare\s+module\s+)['"]([^'".][^'"]*)['"]/g)) {
    const spec = m[1]
    if (spec.startsWith('#') || spec.startsWith('node:') || spec.startsWith('*')) continue
    names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0])
  }
  return names
}

/** Where a package an example imports lives in this workspace: a workspace package, else the first install found. */
function locatePackage(name, root) {
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const manifest = join(root, 'packages', pkg, 'package.json')
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === name) return join(root, 'packages', pkg)
  }
  const places = [root, ...readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p)), ...readdirSync(join(root, 'examples')).map((p) => join(root, 'examples', p))]
  for (const place of places) {
    const dir = join(place, 'node_modules', name)
    if (existsSync(join(dir, 'package.json'))) return realpathSync(dir)
  }
  // a dependency of a dependency (nuxt's @nuxt/schema, h3's ...): from the packages that bring it
  for (const from of ['nuxt', 'vue', 'h3']) {
    try {
      const base = locatePackage(from, root)
      if (base && from !== name) {
        const dir = dirname(createRequire(join(base, 'package.json')).resolve(`${name}/package.json`))
        return realpathSync(dir)
      }
    } catch {
      // not there
    }
  }
  return null
}

/**
 * What a Nuxt app gets without importing it, declared from the real packages' types as Nuxt itself does in
 * .nuxt/types/imports.d.ts (only the names the documentation uses), and the `socket` key of nuxt.config that Nuxt
 * adds to NuxtConfig for a module with configKey 'socket' (.nuxt/types/schema.d.ts).
 */
function nuxtPrelude(root) {
  const runtime = join(root, 'packages/nuxt-module/dist/runtime')
  const at = (file) => JSON.stringify(join(runtime, file))
  const vue = ['ref', 'shallowRef', 'computed', 'reactive', 'readonly', 'watch', 'watchEffect', 'toValue', 'toRef', 'onMounted', 'onBeforeUnmount', 'onUnmounted', 'nextTick']
  const app = ['defineNuxtPlugin', 'useCookie', 'useRuntimeConfig', 'useNuxtApp', 'useState', 'useRoute', 'useRouter', 'navigateTo', 'useFetch', 'useHead', 'useRequestHeaders']
  const h3 = ['defineEventHandler', 'getCookie', 'setCookie', 'readBody', 'getQuery', 'createError']
  return [
    '// Nuxt auto-imports (as .nuxt/types/imports.d.ts declares them) and the module options key (as .nuxt/types/schema.d.ts).',
    'declare global {',
    `  const defineNuxtConfig: typeof import('nuxt/config').defineNuxtConfig`,
    ...vue.map((n) => `  const ${n}: typeof import('vue').${n}`),
    ...app.map((n) => `  const ${n}: typeof import('nuxt/app').${n}`),
    ...h3.map((n) => `  const ${n}: typeof import('h3').${n}`),
    ...['useSocket', 'useSocketEvent', 'useSocketSubscription', 'useSocketDiagnostics'].map((n) => `  const ${n}: typeof import(${at('vue.js')}).${n}`),
    ...['provideSocketToken', 'useSocketModuleDiagnostics'].map((n) => `  const ${n}: typeof import(${at('composables.js')}).${n}`),
    `  const defineSocketHandler: typeof import(${at('server/handler.js')}).defineSocketHandler`,
    '}',
    `declare module '@nuxt/schema' {`,
    `  interface NuxtConfig { socket?: import('@ssr-socket/nuxt').ModuleOptions }`,
    `  interface PublicRuntimeConfig { socket: import('@ssr-socket/nuxt').ModuleOptions }`,
    '}',
    'export {}',
    '',
  ].join('\n')
}

/** What every app's env.d.ts (or Nuxt's generated types) has: single-file components as modules (an ambient file). */
const SHIMS = [
  `declare module '*.vue' {`,
  `  import type { DefineComponent } from 'vue'`,
  `  const component: DefineComponent<object, object, unknown>`,
  `  export default component`,
  `}`,
  '',
].join('\n')

/** The SFC compiler macros, global in a `<script setup>`. */
const BASE_PRELUDE = [
  `declare global {`,
  ...['defineProps', 'defineEmits', 'defineModel', 'defineExpose', 'withDefaults'].map((n) => `  const ${n}: typeof import('vue').${n}`),
  `}`,
  `export {}`,
  '',
].join('\n')

/** An app's compiler options (Vite's and Nuxt 4's templates: strict, bundler resolution, verbatim module syntax). */
const compilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  strict: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  esModuleInterop: true,
  resolveJsonModule: true,
  skipLibCheck: true,
  noEmit: true,
  types: ['node'],
}

/**
 * The type declarations of the built packages, with their times: the check needs them (`npm run build`), and compares
 * them before and after.
 */
function builtTypes(root) {
  const out = []
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const dist = join(root, 'packages', pkg, 'dist')
    if (!existsSync(join(root, 'packages', pkg, 'package.json'))) continue
    // Every types file the exports map names (a build in progress has removed or not yet written some).
    const types = JSON.stringify(JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8')).exports ?? {})
    for (const [, file] of types.matchAll(/"types":"([^"]+)"/g)) {
      if (!existsSync(join(root, 'packages', pkg, file))) throw new RebuiltError(`packages/${pkg}/${file} is missing: build the packages first (npm run build).`)
    }
    const walk = (d) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const path = join(d, e.name)
        if (e.isDirectory()) walk(path)
        else if (/\.d\.[mc]?ts$/.test(e.name)) out.push(`${path}:${statSync(path).mtimeMs}`)
      }
    }
    if (existsSync(dist)) walk(dist)
  }
  return out.sort().join('\n')
}

const AUGMENTS = /declare\s+module\s+['"]@ssr-socket\//

/**
 * Checks the blocks of `files`. Returns `{ files, blocks, checked, skipped: [{ file, line, reason }], errors: [{ file,
 * line, column, code, message }], ms }`; file names are relative to the repository when inside it.
 */
export async function checkCodeBlocks(options = {}) {
  // On a machine where another build may replace the packages' types mid-check: wait for it and check again.
  for (let attempt = 1; ; attempt++) {
    try {
      return checkOnce(options)
    } catch (error) {
      if (!(error instanceof RebuiltError) || attempt >= 5) throw error
      await new Promise((resolve) => setTimeout(resolve, 5000))
    }
  }
}

class RebuiltError extends Error {}

function checkOnce({ files = documentationFiles(), root = ROOT, keep = false } = {}) {
  const started = Date.now()
  const show = (file) => (relative(root, file).startsWith('..') ? file : relative(root, file))
  const all = files.flatMap((file) => extractBlocks(isAbsolute(file) ? file : resolve(root, file)))
  const errors = []
  for (const block of all) for (const p of block.problems) errors.push({ file: show(block.file), line: p.line, column: 1, code: 'directive', message: p.message })
  const skipped = all.filter((b) => b.skip !== null).map((b) => ({ file: show(b.file), line: b.line, reason: b.skip }))
  const blocks = all.filter((b) => b.skip === null)

  const before = builtTypes(root)
  const dir = mkdtempSync(join(tmpdir(), 'ssr-socket-blocks-'))
  try {
    // node_modules: what the blocks and the preludes import, linked by package name.
    const wanted = new Set(['@types/node', 'vue', 'nuxt', '@nuxt/schema', 'h3', '@ssr-socket/nuxt', '@ssr-socket/core'])
    for (const block of blocks) for (const name of importedPackages(block.code + '\n' + block.declare.map((d) => d.text).join('\n'))) wanted.add(name)
    // and their types where they ship none (an app installs @types/ws beside ws)
    for (const name of [...wanted]) if (!name.startsWith('@types/')) wanted.add(`@types/${name.replace(/^@(.*)\/(.*)$/, '$1__$2')}`)
    for (const name of wanted) {
      const target = locatePackage(name, root)
      if (!target) continue // the import fails in the check, naming the package
      const link = join(dir, 'node_modules', name)
      mkdirSync(dirname(link), { recursive: true })
      symlinkSync(target, link, 'dir')
    }
    writeFileSync(join(dir, 'shims.d.ts'), SHIMS)
    writeFileSync(join(dir, 'base.d.ts'), BASE_PRELUDE)
    writeFileSync(join(dir, 'nuxt.d.ts'), nuxtPrelude(root))

    // Each block a module: its declarations first, then the code, so lines map back to the markdown.
    const byFile = new Map()
    // Each page a folder, each block a file in it: at the path it names (a .d.ts or .vue one as .ts, so that it is
    // checked and importable by its name without extension), else block-<n>.ts at the folder's root.
    const pageDirs = new Map()
    const taken = new Set()
    blocks.forEach((block, index) => {
      if (!pageDirs.has(block.file)) pageDirs.set(block.file, join(dir, 'blocks', `page${pageDirs.size}`))
      const header = block.declare.map((d) => d.text.replace(/\n/g, ' '))
      const base = block.path ? block.path.replace(/^[~@]+\//, '').replace(/\.d\.ts$|\.ts$|\.mts$/, '') : `block-${index}`
      let name = join(pageDirs.get(block.file), `${base}.ts`)
      // Two blocks naming one file (two versions of nuxt.config.ts): the later one beside it.
      for (let n = 2; taken.has(name); n++) name = join(pageDirs.get(block.file), `${base}.${n}.ts`)
      taken.add(name)
      mkdirSync(dirname(name), { recursive: true })
      writeFileSync(name, [...header, block.code, 'export {}', ''].join('\n'))
      const entry = { block, name, headerLines: header.length }
      byFile.set(name, entry)
    })

    // Programs: per page when the page augments the event map (its augmentations reach its blocks in both contexts),
    // one shared per context otherwise.
    const entries = [...byFile.values()]
    const pagesWithAugments = new Set(entries.filter((e) => AUGMENTS.test(e.block.code)).map((e) => e.block.file))
    const groups = new Map()
    for (const entry of entries) {
      const page = pagesWithAugments.has(entry.block.file) ? entry.block.file : ''
      const key = `${entry.block.nuxt ? 'nuxt' : 'plain'}|${page}`
      if (!groups.has(key)) groups.set(key, { nuxt: entry.block.nuxt, page, own: [], extra: [] })
      groups.get(key).own.push(entry)
    }
    for (const group of groups.values()) {
      if (!group.page) continue
      group.extra = entries.filter((e) => e.block.file === group.page && e.block.nuxt !== group.nuxt && AUGMENTS.test(e.block.code))
    }

    const options = { ...compilerOptions, typeRoots: [join(dir, 'node_modules/@types')] }
    const host = ts.createCompilerHost(options)
    const cache = new Map()
    const read = host.getSourceFile.bind(host)
    host.getSourceFile = (fileName, language, onError, create) => {
      const key = `${fileName}|${typeof language === 'object' ? `${language.languageVersion}:${language.impliedNodeFormat}` : language}`
      if (fileName.startsWith(join(dir, 'blocks'))) return read(fileName, language, onError, create)
      if (!cache.has(key)) cache.set(key, read(fileName, language, onError, create))
      return cache.get(key)
    }
    for (const group of groups.values()) {
      const roots = [join(dir, 'shims.d.ts'), join(dir, 'base.d.ts'), ...(group.nuxt ? [join(dir, 'nuxt.d.ts')] : []), ...group.own.map((e) => e.name), ...group.extra.map((e) => e.name)]
      const program = ts.createProgram({ rootNames: roots, options, host })
      for (const d of program.getGlobalDiagnostics()) errors.push({ file: '(program)', line: 0, column: 0, code: `TS${d.code}`, message: ts.flattenDiagnosticMessageText(d.messageText, '\n') })
      for (const root of ['shims.d.ts', 'base.d.ts', 'nuxt.d.ts'].map((f) => join(dir, f))) {
        const sf = program.getSourceFile(root)
        if (!sf) continue
        for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
          const { line } = sf.getLineAndCharacterOfPosition(d.start ?? 0)
          errors.push({ file: `(prelude ${relative(dir, root)}:${line + 1})`, line: 0, column: 0, code: `TS${d.code}`, message: ts.flattenDiagnosticMessageText(d.messageText, '\n') })
        }
      }
      for (const entry of group.own) {
        const sf = program.getSourceFile(entry.name)
        for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
          const { line, character } = sf.getLineAndCharacterOfPosition(d.start ?? 0)
          const inHeader = line < entry.headerLines
          const mdLine = inHeader ? entry.block.declare[line].line : entry.block.line + line - entry.headerLines
          // Outside the code (the appended `export {}`): reported at the block's last line.
          errors.push({ file: show(entry.block.file), line: Math.min(mdLine, entry.block.line + entry.block.code.split('\n').length - 1), column: inHeader ? 1 : character + 1, code: `TS${d.code}`, message: ts.flattenDiagnosticMessageText(d.messageText, '\n') })
        }
      }
    }
    // Another build replaced the types while they were read (a shared machine): the errors would be about files
    // that were missing for a moment, not about the blocks.
    if (builtTypes(root) !== before) throw new RebuiltError('The packages were rebuilt while the code blocks were checked: run the check again.')
    // Same message twice (a prelude error seen by every program): once.
    const seen = new Set()
    const unique = errors.filter((e) => {
      const key = `${e.file}:${e.line}:${e.column}:${e.code}:${e.message}`
      return seen.has(key) ? false : (seen.add(key), true)
    })
    unique.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)
    const checkedFiles = new Set(all.map((b) => b.file)).size
    return { files: checkedFiles, blocks: all.length, checked: blocks.length, skipped, errors: unique, programs: groups.size, ms: Date.now() - started, dir: keep ? dir : undefined }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const keep = args.includes('--keep')
  const files = args.filter((a) => !a.startsWith('--'))
  const result = await checkCodeBlocks({ keep, ...(files.length ? { files: files.map((f) => resolve(f)) } : {}) })
  for (const e of result.errors) console.log(`${e.file}:${e.line}:${e.column} error ${e.code}: ${e.message.replace(/\n/g, '\n    ')}`)
  for (const s of result.skipped) console.log(`${s.file}:${s.line} skipped: ${s.reason}`)
  console.log(
    `\n${result.checked} code blocks type-checked (${result.files} files, ${result.programs} programs), ${result.skipped.length} skipped, ` +
      `${result.errors.length} error(s) in ${(result.ms / 1000).toFixed(1)} s${result.dir ? `; blocks kept in ${result.dir}` : ''}`,
  )
  process.exitCode = result.errors.length ? 1 : 0
}
