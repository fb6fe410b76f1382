// Runs every benchmark and writes bench/results.json and bench/RESULTS.md. Figures and ratios against a
// baseline measured in the same run; nothing here passes or fails. `npm run bench` from the root.
import { writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`
const step = async (name, fn) => {
  process.stdout.write(`${name}… `)
  const started = performance.now()
  const result = await fn()
  console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`)
  return result
}

// Leaks first: it mounts in happy-dom, and Vue's DOM renderer takes the document it finds when first loaded.
const { measureLeaks } = await import('./leaks.mjs')
const leaks = await step('leaks', () => measureLeaks(10_000))
const { measureSizes } = await import('./size.mjs')
const sizes = await step('size', measureSizes)
const { measureSsr } = await import('./ssr.mjs')
const ssr = await step('ssr', () => measureSsr())
const { measureEvents } = await import('./events.mjs')
const events = await step('events', () => measureEvents(100_000))
const { measureMemory } = await import('./memory.mjs')
const memory = await step('memory', () => measureMemory(1000))
const { measureRecovery } = await import('./recovery.mjs')
const recovery = await step('recovery', () => measureRecovery(3))

const results = { date: new Date().toISOString(), machine, nodeEnv: process.env.NODE_ENV, sizes, ratios: [ssr, events, memory, ...recovery], leaks }
writeFileSync(fileURLToPath(new URL('./results.json', import.meta.url)), `${JSON.stringify(results, null, 2)}\n`)

const fmt = (n) => (typeof n === 'number' ? (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(2)) : String(n))
const ours = sizes.find((s) => s.name.startsWith('@ssr-socket/vue'))
const md = [
  '# Benchmark results',
  '',
  `Measured ${results.date} on ${machine}, NODE_ENV=${results.nodeEnv ?? '(unset)'}. Written by \`npm run bench\` (bench/run.mjs);`,
  'every ratio compares against a baseline measured in the same run.',
  '',
  '## Size (min + brotli, esbuild, NODE_ENV=production, peers external)',
  '',
  '| entry | minified | min+brotli | vs ours |',
  '| --- | ---: | ---: | ---: |',
  ...sizes.map((s) => `| ${s.name} | ${s.minified.toLocaleString('en')} B | ${s.brotli.toLocaleString('en')} B | ${(s.brotli / ours.brotli).toFixed(2)} |`),
  '',
  '## Ratios',
  '',
  '| benchmark | ours | baseline | ratio | how to read |',
  '| --- | ---: | ---: | ---: | --- |',
  ...results.ratios.map((r) => `| ${r.name} | ${fmt(r.value)} ${r.unit} | ${fmt(r.baseline)} ${r.unit} | ${r.ratio.toFixed(2)} | ${r.note} |`),
  '',
  '## Leaks',
  '',
  `${leaks.name}: deltas ${JSON.stringify(leaks.value)} (baseline counts ${JSON.stringify({ ...leaks.baseline, heap: undefined })}). ${leaks.note}.`,
  '',
].join('\n')
writeFileSync(fileURLToPath(new URL('./RESULTS.md', import.meta.url)), md)
console.log(`\n${md}`)
process.exit(0)
