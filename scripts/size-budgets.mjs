// Size budgets on the critical path, as an app bundles each entry (bench/size.mjs: esbuild, esm, splitting,
// minified, NODE_ENV=production, peers external, brotli 11): eager = loaded before hydration, lazy = loaded on
// the first connect. Run by `npm test` after the build; exits 1 when an entry is over a ceiling.
// The ceilings are the measured sizes plus a little headroom: a guard against regressions. The targets
// (vue eager 1,500 B, lazy 4,000 B; Nuxt plugin eager 1,700 B) are printed beside them until they are met.
// The vue ceiling rose from 3,750 to 4,550 B with reactive options, `enabled`, once/off and the scope that carries
// handlers and subscriptions from one connection to the next (useSocket: 4,492 B measured, +782 B). The Nuxt
// plugin's from 3,800 to 3,900 B with every core option from nuxt.config through the one schema (fromConfig, +80 B).
// The lazy ceiling rose from 6,250 to 6,550 B with the hooks an inspector (the DevTools tab) records through: one
// property check per place that records, the socket.io transport's watch of every event, ack pairing and the tokens
// kept for redaction (6,497 B measured, +262 B); the recording itself is the inspector's code, not the engine's.
// With the WebSocket transport (a chunk of its own, never fetched by socket.io apps): eager 4,600 B (4,570 measured:
// the transport choice, error codes for fix hints), lazy over socket.io 6,700 B (6,655: the engine's side of the
// transport seam, simulated offline, raw-auth redaction); `lazyWebsocket`, the first connect over the WebSocket
// transport (engine + its chunk), 8,600 B (8,522 measured with the attempt timeout, the close on pagehide and the review's
// fixes: stale acks, binary check, error frames recorded; the target is 4,500 B). The Nuxt plugin's eager
// 3,980 B (3,964: a url that is a path).
import { entries, splitSize } from '../bench/size.mjs'

const budgets = [
  { name: '@ssr-socket/vue { createSocketPlugin, useSocket, useSocketEvent }', eager: 4_600, lazy: 6_700, lazyWebsocket: 8_600, target: { eager: 1_500, lazy: 4_000, lazyWebsocket: 4_500 } },
  { name: '@ssr-socket/nuxt runtime plugin (+ composables)', eager: 3_980, lazy: 6_700, lazyWebsocket: 8_600, target: { eager: 1_700 } },
]

let failed = false
for (const budget of budgets) {
  const entry = entries.find((e) => e.name === budget.name)
  const size = await splitSize(entry.code)
  const over = size.eager > budget.eager || size.lazy > budget.lazy || size.lazyWebsocket > budget.lazyWebsocket
  failed ||= over
  const target = Object.entries(budget.target).map(([k, v]) => `${k} ${v.toLocaleString('en')} B`).join(', ')
  console.log(
    `${over ? 'OVER' : 'ok  '} ${budget.name}: eager ${size.eager.toLocaleString('en')} B (ceiling ${budget.eager.toLocaleString('en')}), ` +
      `lazy ${size.lazy.toLocaleString('en')} B (ceiling ${budget.lazy.toLocaleString('en')}), ` +
      `lazy over WebSocket ${size.lazyWebsocket.toLocaleString('en')} B (ceiling ${budget.lazyWebsocket.toLocaleString('en')}); target ${target}`,
  )
}
process.exit(failed ? 1 : 0)
