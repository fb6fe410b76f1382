// ESLint (flat config): typescript-eslint's recommended rules for the TypeScript sources and tests, eslint-plugin-vue's
// essential (correctness) rules for the .vue files and components, plain JavaScript rules for the .mjs scripts.
// Formatting is not linted. Run by `npm test`; `npm run lint` alone.
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import vue from 'eslint-plugin-vue'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default defineConfig(
  {
    ignores: ['**/dist/**', '**/.nuxt/**', '**/.output/**', '**/.data/**', '**/node_modules/**', '.tools/**', '**/*.d.ts', '**/coverage/**'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  vue.configs['flat/essential'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    // TypeScript checks names itself (and knows Nuxt's auto-imports, which no-undef cannot see).
    files: ['**/*.ts', '**/*.vue'],
    rules: { 'no-undef': 'off' },
  },
  {
    // Nuxt's file-based names (pages, app.vue) and test components are single words by convention.
    files: ['**/pages/**/*.vue', '**/app.vue', '**/*.test.ts', '**/__fixtures__/**', 'bench/**'],
    rules: { 'vue/multi-word-component-names': 'off' },
  },
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      // `_`-prefixed names are deliberately unused (an argument kept for its position, a destructured rest).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
)
