import vue from '@vitejs/plugin-vue'
import { socketPreload } from '@ssr-socket/vue/vite'
import { defineConfig } from 'vite'

export default defineConfig({
  // socketPreload(): index.html hints the lazy connection chunks (engine, socket.io-client) as modulepreload, so
  // they download beside the entry chunk instead of after it.
  plugins: [vue(), socketPreload()],
  server: { port: 5173 },
})
