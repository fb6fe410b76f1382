// Runs every benchmark and writes bench/results.json and bench/RESULTS.md. Figures and ratios against a
// baseline measured in the same run; nothing here passes or fails. `npm run bench` from the root;
// `npm run bench -- navigation` (or `node bench/run.mjs navigation`) runs one benchmark by name and only prints it.
import { readFileSync, writeFileSync } from 'node:fs'
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

// In run order. Leaks first: it mounts in happy-dom, and Vue's DOM renderer takes the document it finds when
// first loaded. Navigation last: it builds with Vite and runs Chromium, the heaviest neighbours for the others.
const benches = {
  leaks: async () => (await import('./leaks.mjs')).measureLeaks(10_000),
  size: async () => (await import('./size.mjs')).measureSizes(),
  ssr: async () => (await import('./ssr.mjs')).measureSsr(),
  events: async () => (await import('./events.mjs')).measureEvents(100_000),
  'events-websocket': async () => (await import('./events-websocket.mjs')).measureWebSocketEvents(100_000),
  'server-events': async () => (await import('./server-events.mjs')).measureServerEvents(100_000),
  memory: async () => (await import('./memory.mjs')).measureMemory(1000),
  'idle-memory': async () => (await import('./idle-memory.mjs')).measureIdleMemory(2000),
  recovery: async () => (await import('./recovery.mjs')).measureRecovery(3),
  navigation: async () => (await import('./navigation.mjs')).measureNavigation(21),
}

// `node bench/run.mjs navigation ssr` runs only those and prints their results: the committed files describe a
// whole run, so a partial one does not overwrite them.
const only = process.argv.slice(2)
const unknown = only.filter((name) => !(name in benches))
if (unknown.length) {
  console.error(`Unknown benchmark ${unknown.join(', ')}; the names are: ${Object.keys(benches).join(', ')}.`)
  process.exit(2)
}
const measured = {}
for (const [name, run] of Object.entries(benches)) {
  if (!only.length || only.includes(name)) measured[name] = await step(name, run)
}
if (only.length) {
  console.log(JSON.stringify(measured, null, 2))
  process.exit(0)
}
const { leaks, size: sizes, ssr, events, 'events-websocket': eventsWebSocket, 'server-events': serverEvents, memory, 'idle-memory': idleMemory, recovery, navigation } = measured

const results = { date: new Date().toISOString(), machine, nodeEnv: process.env.NODE_ENV, sizes, ratios: [ssr, events, eventsWebSocket, ...serverEvents, memory, ...idleMemory, ...recovery, ...navigation], leaks }
writeFileSync(fileURLToPath(new URL('./results.json', import.meta.url)), `${JSON.stringify(results, null, 2)}\n`)

const fmt = (n) => (typeof n === 'number' ? (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(2)) : String(n))
const ours = sizes.find((s) => s.name.startsWith('@ssr-socket/vue'))
const md = [
  '# Benchmark results',
  '',
  `Measured ${results.date} on ${machine}, NODE_ENV=${results.nodeEnv ?? '(unset)'}. Written by \`npm run bench\` (bench/run.mjs);`,
  'every ratio compares against a baseline measured in the same run.',
  '',
  '## Size (esbuild, esm, splitting, minified, NODE_ENV=production, peers external; brotli 11 per chunk)',
  '',
  'Eager: the entry chunk and its static imports, loaded before hydration. Lazy: dynamic chunks, loaded on the first',
  'connect (for ours: the engine and the socket.io adapter; socket.io-client itself is the last row, loaded by all).',
  '',
  '| entry | minified | eager (brotli) | lazy (brotli) | eager vs ours |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...sizes.map((s) => `| ${s.name} | ${s.minified.toLocaleString('en')} B | ${s.eager.toLocaleString('en')} B | ${s.lazy.toLocaleString('en')} B | ${(s.eager / ours.eager).toFixed(2)} |`),
  '',
  '## Ratios',
  '',
  '| benchmark | ours | baseline | ratio | interval | how to read |',
  '| --- | ---: | ---: | ---: | ---: | --- |',
  ...results.ratios.map((r) => `| ${r.name} | ${fmt(r.value)} ${r.unit} | ${fmt(r.baseline)} ${r.unit} | ${r.ratio.toFixed(2)} | ${r.interval ? r.interval.map((x) => x.toFixed(2)).join('-') : ''} | ${r.note} |`),
  '',
  '## Leaks',
  '',
  `${leaks.name}: deltas ${JSON.stringify(leaks.value)} (baseline counts ${JSON.stringify({ ...leaks.baseline, heap: undefined })}). ${leaks.note}.`,
  '',
].join('\n')
// The cluster section is written by `npm run bench:cluster` (bench/cluster.mjs): kept as it is.
const resultsFile = fileURLToPath(new URL('./RESULTS.md', import.meta.url))
const cluster = /<!-- cluster:start -->[\s\S]*<!-- cluster:end -->/.exec(readFileSync(resultsFile, 'utf8'))?.[0]
writeFileSync(resultsFile, cluster ? `${md}\n${cluster}\n` : md)
console.log(`\n${md}`)
process.exit(0)
