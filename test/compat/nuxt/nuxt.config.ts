// A consumer app as users write it: the module from its packed tarball, the socket URL from the environment
// (NUXT_PUBLIC_SOCKET_URL) at run time.
export default defineNuxtConfig({
  modules: ['@ssr-socket/nuxt'],
  socket: { url: 'http://127.0.0.1:1' },
  devtools: { enabled: false },
  telemetry: false,
  compatibilityDate: '2025-07-01',
})
