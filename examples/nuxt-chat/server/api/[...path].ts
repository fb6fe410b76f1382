// /api on the app's origin, forwarded to the chat backend: the session cookie is first-party.
export default defineEventHandler((event) => {
  const { backendUrl } = useRuntimeConfig(event)
  return proxyRequest(event, `${backendUrl}${event.path}`)
})
