interface OwnersRecord {
  /** endpoint (url + path) -> names of the registries or clients connected to it */
  owners: Map<string, Map<object, string>>
  warned: Set<string>
}

// Symbol.for so that two copies of the library in one page (the very case to report) share the record.
const OWNERS = Symbol.for('ssr-socket.owners')

function record(): OwnersRecord {
  const g = globalThis as { [OWNERS]?: OwnersRecord }
  return (g[OWNERS] ??= { owners: new Map(), warned: new Set() })
}

/**
 * Development only, browser only (the server never connects): announces that `owner` holds a connection
 * to `endpoint`. A second owner of the same endpoint gets one warning naming both: two pieces of code
 * owning one connection was cause 2 of the incident this library exists for.
 * Returns the release function; the record empties itself when the last owner leaves.
 */
export function claimEndpoint(endpoint: string, token: object, name: string, warn: (message: string) => void = console.warn): () => void {
  const { owners, warned } = record()
  let holders = owners.get(endpoint)
  if (!holders) owners.set(endpoint, (holders = new Map()))
  for (const [other, otherName] of holders) {
    if (other === token) continue
    const pair = `${endpoint}|${otherName}|${name}`
    if (!warned.has(pair)) {
      warned.add(pair)
      warn(
        `[ssr-socket] Two owners connect to ${endpoint}:\n  1. ${otherName}\n  2. ${name}\n` +
          'Each opens its own connection. Create one registry per app (createSocketPlugin / the Nuxt module does it) and share it.',
      )
    }
  }
  holders.set(token, name)
  return () => {
    holders.delete(token)
    if (holders.size === 0 && owners.get(endpoint) === holders) owners.delete(endpoint)
    if (owners.size === 0) {
      warned.clear()
      delete (globalThis as { [OWNERS]?: OwnersRecord })[OWNERS]
    }
  }
}

/** Endpoints with a registered owner in this page (diagnostics and tests). */
export function ownedEndpoints(): string[] {
  const g = globalThis as { [OWNERS]?: OwnersRecord }
  return g[OWNERS] ? [...g[OWNERS].owners.keys()] : []
}
