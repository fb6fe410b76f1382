import { existsSync } from 'node:fs'

/** Debian's Chromium, launched the way this machine needs (no sandbox as root, no background traffic). Shared by the browser tests. */
export const CHROMIUM = '/usr/bin/chromium'

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
]

export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the test command installs it (apt-get install chromium); run npm test.`)
  }
}
