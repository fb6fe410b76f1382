// The code blocks of the documentation (docs/, the READMEs) type-check against the packages' builds, and the check
// fails, naming the file and the line, when a block is wrong. Needs the packages built (npm run build).
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { checkCodeBlocks, ROOT } from '../../scripts/check-code-blocks.mjs'

interface Result {
  blocks: number
  checked: number
  skipped: Array<{ file: string; line: number; reason: string }>
  errors: Array<{ file: string; line: number; column: number; code: string; message: string }>
}

const dir = mkdtempSync(join(tmpdir(), 'ssr-socket-docs-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const BROKEN = `# A page with broken examples

Some prose.

\`\`\`ts
import { createSocketClient } from '@ssr-socket/core'

const client = createSocketClient({ url: 'https://chat.example.com' })
client.conect()
\`\`\`

\`\`\`vue
<script setup lang="ts">
import { useSocket } from '@ssr-socket/vue'

const { status } = useSocket({ enabled: 'yes' })
</script>

<template><p>{{ status }}</p></template>
\`\`\`

<!-- check: skip (a fragment, on purpose) -->
\`\`\`ts
this is not TypeScript
\`\`\`

<!-- check: skip -->
\`\`\`ts
const fine = 1
\`\`\`

## In Nuxt

\`\`\`ts
// nuxt.config.ts
export default defineNuxtConfig({ socket: { transport: 'websockets' } })
\`\`\`
`

describe('code blocks of the documentation', () => {
  it('every TypeScript block of the site and the READMEs type-checks against the builds', async () => {
    const result = (await checkCodeBlocks()) as Result
    const report = result.errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.code} ${e.message}`).join('\n')
    expect(report).toBe('')
    expect(result.checked).toBeGreaterThan(60)
    // Skips are rare and say why.
    expect(result.skipped.length).toBeLessThanOrEqual(5)
    for (const skip of result.skipped) expect(skip.reason.length, `${skip.file}:${skip.line}`).toBeGreaterThan(5)
  })

  it('a broken block fails the check with its file and line; a skip needs a reason', async () => {
    const file = join(dir, 'broken.md')
    writeFileSync(file, BROKEN)
    const result = (await checkCodeBlocks({ files: [file] })) as Result
    const at = result.errors.map((e) => `${e.file}:${e.line} ${e.code}`)
    expect(at).toEqual([
      `${file}:9 TS2551`, // client.conect(): "Did you mean 'connect'?"
      `${file}:16 TS2322`, // enabled: 'yes' in a <script setup lang="ts">
      `${file}:27 directive`, // <!-- check: skip --> without a reason
      `${file}:36 TS2820`, // transport: 'websockets' in nuxt.config (the Nuxt context, from the heading)
    ])
    expect(result.errors[0]!.message).toMatch(/conect.*connect/)
    expect(result.skipped.map((s) => s.reason)).toEqual(['a fragment, on purpose', 'no reason given'])
    expect(result.checked).toBe(3)

    // The command line: exit code 1 and the same place.
    const run = await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/check-code-blocks.mjs'), file], { cwd: ROOT }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    )
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(`${file}:9:8 error TS2551`)
  })
})
