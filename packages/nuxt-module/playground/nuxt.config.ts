export default defineNuxtConfig({
  modules: ['../src/module'],
  socket: {
    // Same-origin in development too: nuxi dev forwards /socket.io to the backend (playground/backend.mjs).
    devProxy: 'http://localhost:8000',
    auth: 'cookie',
  },
  devtools: { enabled: true },
  compatibilityDate: '2025-07-01',
})
