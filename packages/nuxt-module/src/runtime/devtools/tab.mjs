// @ts-check
// The ssr-socket tab of Nuxt DevTools: served (in `nuxi dev` only) as a page inside DevTools' frame. It finds the app
// through DevTools' host client and reads the app's connections through the core's inspector API
// (nuxtApp.$socketDevtools.inspect); it never reaches into the library's internals. What it shows is what the
// inspector hands over: payloads arrive redacted (tokens, cookies), and everything is written with textContent.

const MAX_EVENTS = 200
const MAX_TIMELINE = 100

/** @typedef {{ inspect(listener: (record: any) => void): any, hintFor(kind: string): string }} Devtools */

/** Per connection key: what the tab has seen since it opened, newest last, bounded. */
/** @type {Map<string, { events: any[], timeline: any[], acks: Map<number, any> }>} */
const logs = new Map()
/** @type {any} */
let inspector = null
/** @type {Devtools | null} */
let devtools = null
let scheduled = false
/** What the last action did, shown under the buttons. */
let notice = ''

/** @param {string} key */
function logOf(key) {
  let log = logs.get(key)
  if (!log) logs.set(key, (log = { events: [], timeline: [], acks: new Map() }))
  return log
}

/** @param {any[]} list @param {any} item @param {number} max */
function push(list, item, max) {
  list.push(item)
  if (list.length > max) list.splice(0, list.length - max)
}

/**
 * DevTools' host client (the app's side of DevTools): the one this frame is given, or the one on the window above.
 * @returns {any}
 */
function findHost() {
  /** @type {any[]} */
  const candidates = []
  try {
    candidates.push(/** @type {any} */ (window).__NUXT_DEVTOOLS__?.host)
  } catch {
    // not given yet
  }
  /** @type {Window} */
  let w = window
  for (let i = 0; i < 4; i++) {
    try {
      candidates.push(/** @type {any} */ (w).__NUXT_DEVTOOLS_HOST__)
    } catch {
      // another origin: not ours
    }
    if (w.parent === w) break
    w = w.parent
  }
  return candidates.find((host) => host?.nuxt) ?? null
}

/**
 * Whether the tab is on screen: DevTools keeps this frame, hidden, while another of its tabs is shown, and keeps its
 * own frame while the panel is closed.
 */
const onScreen = (/** @type {any} */ host) => host?.app?.frameState?.value?.open !== false && /** @type {HTMLElement | null} */ (window.frameElement)?.style.visibility !== 'hidden'

/** @param {any} record an InspectorRecord */
function onRecord(record) {
  const log = logOf(record.key)
  if (record.type === 'state') push(log.timeline, record, MAX_TIMELINE)
  else if (record.type === 'event') {
    push(log.events, record, MAX_EVENTS)
    if (record.ack) log.acks.set(record.ack, record)
  } else if (record.type === 'ack') {
    const sent = log.acks.get(record.ack)
    if (sent) {
      sent.rttMs = record.rttMs
      sent.ackError = record.error
      sent.ackValue = record.value
      log.acks.delete(record.ack)
    }
  } else if (record.type === 'error') {
    // Errors show in the diagnostics list (with their hints) and on the state transitions they cause.
  }
  schedule()
}

function schedule() {
  if (scheduled) return
  scheduled = true
  requestAnimationFrame(() => {
    scheduled = false
    render()
  })
}

/**
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {...(Node | string | null | undefined | false)} children
 */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value)
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child)
  return node
}

const time = (/** @type {number} */ at) => new Date(at).toLocaleTimeString(undefined, { hour12: false }) + '.' + String(at % 1000).padStart(3, '0')

/** @param {unknown} args */
function preview(args) {
  let text
  try {
    text = JSON.stringify(args)
  } catch {
    text = String(args)
  }
  return text.length > 160 ? `${text.slice(0, 157)}...` : text
}

/** @param {string} label @param {string} action @param {string} key */
function button(label, action, key) {
  const b = el('button', { type: 'button', 'data-action': action, 'data-key': key }, label)
  b.addEventListener('click', () => act(action, key))
  return b
}

/** @param {string} action @param {string} key */
async function act(action, key) {
  if (!inspector) return
  if (action === 'copy') {
    const json = JSON.stringify({ clients: inspector.clients(), logs: Object.fromEntries([...logs].map(([k, v]) => [k, { timeline: v.timeline, events: v.events }])) }, null, 2)
    try {
      await navigator.clipboard.writeText(json)
      notice = `Copied the diagnostics (${json.length} characters) as JSON.`
    } catch {
      // The clipboard may be refused in a frame: select the text for the user instead.
      const area = /** @type {HTMLTextAreaElement} */ (el('textarea', { 'data-copy': '' }))
      area.value = json
      document.body.append(area)
      area.select()
      const ok = document.execCommand('copy')
      area.remove()
      notice = ok ? `Copied the diagnostics (${json.length} characters) as JSON.` : 'The browser refused the clipboard.'
    }
  } else {
    inspector[action](key)
    notice = `${action} on ${key}`
  }
  render()
}

/** @param {any} c */
function statusLine(c) {
  const s = c.state
  const parts = [`attempt ${s.attempt}`]
  if (s.nextRetryAt) parts.push(`next retry in ${Math.max(0, (s.nextRetryAt - Date.now()) / 1000).toFixed(1)} s`)
  if (s.id) parts.push(`id ${s.id}`)
  if (s.wire) parts.push(`over ${s.wire}`)
  parts.push(s.recovered ? 'session recovered' : 'not recovered')
  return parts.join(' · ')
}

/** @param {any} c */
function connectionView(c) {
  const log = logOf(c.key)
  const d = c.diagnostics
  const section = el('section', { class: 'connection', 'data-key': c.key })
  section.append(
    el('header', {},
      el('h2', {}, c.key),
      el('span', { class: `status status-${c.state.status}`, 'data-status': c.state.status }, c.state.status),
    ),
    el('p', { class: 'meta' }, `${c.transport} · ${c.url ?? ''} · path ${c.path} · namespace ${c.namespace}`),
    el('p', { class: 'meta', 'data-state': '' }, statusLine(c)),
    el('p', { class: 'meta' }, `held by ${c.refs}${c.releasing ? ' (releasing after its grace period)' : ''}: ${c.holders.length ? c.holders.join('; ') : 'no component'}`),
    el('p', { class: 'meta' }, `offline queue ${d.queue.size} (dropped ${d.queue.dropped}, expired ${d.queue.expired}) · pending acks ${d.pendingAcks} · handlers ${Object.entries(d.handlers).map(([e, n]) => `${e}×${n}`).join(', ') || 'none'}`),
    el('div', { class: 'actions' },
      button('Reconnect', 'reconnect', c.key),
      button('Disconnect', 'disconnect', c.key),
      button('Connect', 'connect', c.key),
      button('Simulate offline', 'simulateOffline', c.key),
      button('Simulate online', 'simulateOnline', c.key),
      button('Copy diagnostics', 'copy', c.key),
    ),
  )

  const errors = d.errors.slice().reverse()
  if (errors.length) {
    section.append(el('h3', {}, 'Errors'))
    const list = el('ul', { class: 'errors' })
    for (const e of errors) {
      list.append(el('li', { 'data-kind': e.kind }, el('b', {}, `${time(e.at)} ${e.kind}: `), e.message, el('div', { class: 'hint' }, devtools?.hintFor(e.kind) ?? '')))
    }
    section.append(list)
  }

  section.append(el('h3', {}, 'Timeline'))
  const timeline = el('table', { class: 'timeline' }, el('tr', {}, el('th', {}, 'time'), el('th', {}, 'transition'), el('th', {}, 'cause'), el('th', {}, 'error')))
  if (!log.timeline.length) {
    // Before the tab opened: the engine's own attempts timeline.
    for (const a of d.attempts) timeline.append(el('tr', { class: 'past' }, el('td', {}, time(a.at)), el('td', {}, `${a.event}${a.attempt ? ` #${a.attempt}` : ''}`), el('td', {}, 'before the tab opened'), el('td', {}, '')))
  }
  for (const r of log.timeline.slice().reverse()) {
    timeline.append(el('tr', { 'data-transition': `${r.from}->${r.to}` }, el('td', {}, time(r.at)), el('td', {}, `${r.from} → ${r.to}`), el('td', {}, r.cause), el('td', {}, r.error ? `${r.error.kind}: ${r.error.message}` : '')))
  }
  section.append(timeline)

  section.append(el('h3', {}, `Events (last ${MAX_EVENTS})`))
  const events = el('table', { class: 'events' }, el('tr', {}, el('th', {}, 'time'), el('th', {}, ''), el('th', {}, 'event'), el('th', {}, 'size'), el('th', {}, 'ack'), el('th', {}, 'arguments')))
  for (const r of log.events.slice().reverse()) {
    const ack = r.ack ? (r.rttMs !== undefined ? (r.ackError ? `${r.ackError.kind} after ${r.rttMs} ms` : `${r.rttMs} ms`) : 'waiting') : ''
    events.append(
      el('tr', { 'data-event': r.event, 'data-direction': r.direction },
        el('td', {}, time(r.at)),
        el('td', {}, r.direction === 'in' ? '↓ in' : r.queued ? '↑ out (queued)' : '↑ out'),
        el('td', {}, r.event),
        el('td', {}, `${r.size} B`),
        el('td', {}, ack),
        el('td', { class: 'args' }, preview(r.args), r.ackValue !== undefined ? ` → ${preview(r.ackValue)}` : ''),
      ),
    )
  }
  section.append(events)
  return section
}

function render() {
  const root = /** @type {HTMLElement} */ (document.getElementById('app'))
  if (!inspector) return
  const clients = inspector.clients()
  const view = el('main', {},
    el('p', { class: 'notice', 'data-notice': '' }, notice || `${clients.length} connection${clients.length === 1 ? '' : 's'} in this app's registry.`),
  )
  if (!clients.length) view.append(el('p', { class: 'empty' }, 'No connection yet: a component calls useSocket() to open one.'))
  for (const c of clients) view.append(connectionView(c))
  root.replaceChildren(view)
}

/** Stops the inspector: the app records nothing until the tab listens again. */
function pause() {
  inspector?.stop()
  inspector = null
}

function start() {
  const host = findHost()
  const found = host?.nuxt?.$socketDevtools
  if (!found) {
    const root = /** @type {HTMLElement} */ (document.getElementById('app'))
    root.textContent = host
      ? 'This app has no @ssr-socket/nuxt DevTools plugin: add @ssr-socket/nuxt to modules and run nuxi dev.'
      : 'Waiting for the app (open this tab from Nuxt DevTools)...'
    setTimeout(start, 200)
    return
  }
  devtools = found
  // The frame goes (DevTools reloaded, the app navigated away): the inspector stops.
  window.addEventListener('pagehide', pause)
  const tick = () => {
    // Listening only while the tab is on screen: closed DevTools, or another DevTools tab, cost the app nothing.
    if (!onScreen(host)) return pause()
    if (!inspector) inspector = found.inspect(onRecord)
    // Countdowns, reference counts and queue sizes change without a record.
    render()
  }
  tick()
  setInterval(tick, 500)
}

start()
