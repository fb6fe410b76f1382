/** The signed-in name, read on the server (the cookie is forwarded) and shared with the client payload. */
export function useSession() {
  const name = useState<string | null>('session-name', () => null)
  const load = async () => {
    const headers = useRequestHeaders(['cookie'])
    const me = await $fetch<{ name: string | null }>('/api/session', { headers })
    name.value = me.name
  }
  const signIn = async (wanted: string) => {
    const me = await $fetch<{ name: string }>('/api/session', { method: 'POST', body: { name: wanted } })
    name.value = me.name
  }
  const signOut = async () => {
    await $fetch('/api/session', { method: 'DELETE' })
    name.value = null
  }
  return { name, load, signIn, signOut }
}
