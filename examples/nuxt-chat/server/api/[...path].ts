// /api on the app's origin, forwarded to the chat backend: the session cookie is first-party. The target is
// resolved first and must still be under /api/: an encoded dot segment (/api/%2e%2e/...) would otherwise reach
// any path of the backend.
export default defineEventHandler((event) => {
  const { backendUrl } = useRuntimeConfig(event)
  const target = new URL(event.path, backendUrl)
  if (!target.pathname.startsWith('/api/')) throw createError({ statusCode: 404, statusMessage: 'Not Found' })
  return proxyRequest(event, target.href)
})
