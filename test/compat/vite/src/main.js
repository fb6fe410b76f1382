import { createApp } from 'vue'
import { createSocketPlugin } from '@ssr-socket/vue'
import App from './App.vue'

createApp(App).use(createSocketPlugin({ url: import.meta.env.VITE_SOCKET_URL })).mount('#app')
