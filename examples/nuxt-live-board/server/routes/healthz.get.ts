// For the balancer's health checks (`npm run demo:nitro -- --cluster`): this process answers.
export default defineEventHandler(() => 'ok')
