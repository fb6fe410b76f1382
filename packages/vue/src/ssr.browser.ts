// What '#vue-ssr' is in a browser build (package.json "imports", the "browser" condition): nothing. useSocket() then
// has no server-only path; on a server it would take the browser's path, which is correct there too, only slower.
import type { serverScope as full } from './ssr'

export const serverScope: typeof full | undefined = undefined
