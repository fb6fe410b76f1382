import { defineConfig } from 'tsup'

export default defineConfig([
  { entry: ['src/index.ts'], format: ['esm', 'cjs'], dts: true, sourcemap: true, target: 'node18' },
  { entry: ['src/bin.ts'], format: ['esm'], dts: false, sourcemap: false, target: 'node18', banner: { js: '#!/usr/bin/env node' } },
])
