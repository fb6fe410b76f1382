import { createApp } from 'vue'
import { createSocketPlugin } from '@ssr-socket/vue'
import App from './App.vue'
import './events'

const server = import.meta.env.VITE_SOCKET_URL ?? 'http://127.0.0.1:8001'

/** Fetched on every handshake, so a reconnect after expiry gets a fresh token; never put in the URL. */
async function getToken(): Promise<string> {
  const res = await fetch(`${server}/token`, { method: 'POST' })
  const { token } = (await res.json()) as { token: string }
  return token
}

createApp(App)
  .use(createSocketPlugin({ url: server, auth: { mode: 'token', getToken } }))
  .mount('#app')
