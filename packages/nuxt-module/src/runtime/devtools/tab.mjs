// @ts-check
// The ssr-socket tab of Nuxt DevTools: served (in `nuxi dev` only) as a page inside DevTools' frame. It finds the app
// through DevTools' host client and reads the app's connections through the core's inspector API
// (nuxtApp.$socketDevtools.inspect); it never reaches into the library's internals. What it shows is what the
// inspector hands over: payloads arrive redacted (tokens, cookies), and everything is written with textContent.
// Rendering is incremental: a record adds one row; the status lines are refreshed in place; buttons stay put.

const MAX_EVENTS = 200
const MAX_TIMELINE = 100

/** @typedef {{ inspect(listener: (record: any) => void): any, hintFor(kind: string, code?: string): string }} Devtools */

/**
 * One connection's section, kept across refreshes.
 * @typedef {{ section: HTMLElement, status: HTMLElement, lines: HTMLElement[], errors: HTMLElement, errorsSeen: string,
 *   timeline: HTMLElement, events: HTMLElement, acks: Map<number, { row: HTMLElement, cell: HTMLElement, args: HTMLElement }> }} View
 */

/** @type {Map<string, View>} */
const views = new Map()
/** @type {any} */
let inspector = null
/** @type {Devtools | null} */
let devtools = null

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

/** An element the page always has (no statement starts with a parenthesis here: no semicolons, no ASI traps). */
const $ = (/** @type {string} */ selector) => /** @type {HTMLElement} */ (document.querySelector(selector))

const time = (/** @type {number} */ at) => new Date(at).toLocaleTimeString(undefined, { hour12: false }) + '.' + String(at % 1000).padStart(3, '0')

/** @param {unknown} args already redacted and bounded by the inspector */
function preview(args) {
  let text
  try {
    text = JSON.stringify(args)
  } catch {
    text = String(args)
  }
  return text.length > 160 ? `${text.slice(0, 157)}...` : text
}

/** Adds a row at the top of a table body, keeping at most `max`; returns the rows it dropped. */
function prepend(/** @type {HTMLElement} */ body, /** @type {HTMLElement} */ row, /** @type {number} */ max) {
  body.prepend(row)
  const dropped = []
  while (body.children.length > max) {
    const last = /** @type {HTMLElement} */ (body.lastElementChild)
    last.remove()
    dropped.push(last)
  }
  return dropped
}

/** @param {any} c an inspected client */
function viewOf(c) {
  let view = views.get(c.key)
  if (view) return view
  const status = el('span', { class: 'status' })
  const lines = [el('p', { class: 'meta' }), el('p', { class: 'meta', 'data-state': '' }), el('p', { class: 'meta', 'data-holders': '' }), el('p', { class: 'meta' })]
  const actions = el('div', { class: 'actions' })
  /** @type {Array<[string, string]>} */
  const buttons = [['Reconnect', 'reconnect'], ['Disconnect', 'disconnect'], ['Connect', 'connect'], ['Simulate offline', 'simulateOffline'], ['Simulate online', 'simulateOnline'], ['Copy diagnostics', 'copy']]
  for (const [label, action] of buttons) {
    actions.append(el('button', { type: 'button', 'data-action': action, 'data-key': c.key }, label))
  }
  const errors = el('div', { class: 'errors' })
  const timeline = el('tbody')
  const events = el('tbody')
  const section = el('section', { class: 'connection', 'data-key': c.key },
    el('header', {}, el('h2', {}, c.key), status),
    ...lines,
    actions,
    errors,
    el('h3', {}, 'Timeline'),
    el('table', { class: 'timeline' }, el('thead', {}, el('tr', {}, el('th', {}, 'time'), el('th', {}, 'transition'), el('th', {}, 'cause'), el('th', {}, 'error'))), timeline),
    el('h3', {}, `Events (last ${MAX_EVENTS})`),
    el('table', { class: 'events' }, el('thead', {}, el('tr', {}, el('th', {}, 'time'), el('th', {}, ''), el('th', {}, 'event'), el('th', {}, 'size'), el('th', {}, 'ack'), el('th', {}, 'arguments'))), events),
  )
  // Before the tab opened: the engine's own attempts timeline, greyed.
  for (const a of c.diagnostics.attempts) {
    prepend(timeline, el('tr', { class: 'past' }, el('td', {}, time(a.at)), el('td', {}, `${a.event}${a.attempt ? ` #${a.attempt}` : ''}`), el('td', {}, 'before the tab opened'), el('td', {}, '')), MAX_TIMELINE)
  }
  view = { section, status, lines, errors, errorsSeen: '', timeline, events, acks: new Map() }
  views.set(c.key, view)
  $('#connections').append(section)
  return view
}

/** @param {any} record an InspectorRecord */
function onRecord(record) {
  const view = views.get(record.key) ?? (inspector && refresh(), views.get(record.key))
  if (!view) return
  if (record.type === 'state') {
    const error = record.error ? `${record.error.kind}: ${record.error.message}` : ''
    prepend(view.timeline, el('tr', { 'data-transition': `${record.from}->${record.to}` }, el('td', {}, time(record.at)), el('td', {}, `${record.from} → ${record.to}`), el('td', {}, record.cause), el('td', {}, error)), MAX_TIMELINE)
  } else if (record.type === 'event') {
    const ack = el('td', {}, record.ack ? 'waiting' : '')
    const args = el('td', { class: 'args' }, preview(record.args))
    const row = el('tr', { 'data-event': record.event, 'data-direction': record.direction },
      el('td', {}, time(record.at)),
      el('td', {}, record.direction === 'in' ? '↓ in' : record.queued ? '↑ out (queued)' : '↑ out'),
      el('td', {}, record.event),
      el('td', {}, `${record.size} B`),
      ack,
      args,
    )
    for (const gone of prepend(view.events, row, MAX_EVENTS)) for (const [id, entry] of view.acks) if (entry.row === gone) view.acks.delete(id)
    if (record.ack) view.acks.set(record.ack, { row, cell: ack, args })
  } else if (record.type === 'ack') {
    const entry = view.acks.get(record.ack)
    if (!entry) return
    view.acks.delete(record.ack)
    entry.cell.textContent = record.error ? `${record.error.kind} after ${record.rttMs} ms` : `${record.rttMs} ms`
    if (!record.error) entry.args.append(` → ${preview(record.value)}`)
  }
}

/** Status lines, holders, queue and errors, refreshed in place (they change without a record: countdowns, refs). */
function refresh() {
  const clients = inspector.clients()
  $('[data-count]').textContent = `${clients.length} connection${clients.length === 1 ? '' : 's'} in this app's registry.`
  const keys = new Set()
  for (const c of clients) {
    keys.add(c.key)
    const view = viewOf(c)
    const s = c.state
    const d = c.diagnostics
    view.status.textContent = s.status
    view.status.className = `status status-${s.status}`
    view.status.dataset.status = s.status
    const state = [`attempt ${s.attempt}`]
    if (s.nextRetryAt) state.push(`next retry in ${Math.max(0, (s.nextRetryAt - Date.now()) / 1000).toFixed(1)} s`)
    if (s.id) state.push(`id ${s.id}`)
    if (s.wire) state.push(`over ${s.wire}`)
    state.push(s.recovered ? 'session recovered' : 'not recovered')
    const texts = [
      `${c.transport} · ${c.url ?? ''} · path ${c.path} · namespace ${c.namespace}`,
      state.join(' · '),
      `held by ${c.refs}${c.releasing ? ' (releasing after its grace period)' : ''}: ${c.holders.length ? c.holders.join('; ') : 'no component'}`,
      `offline queue ${d.queue.size} (dropped ${d.queue.dropped}, expired ${d.queue.expired}) · pending acks ${d.pendingAcks} · handlers ${Object.entries(d.handlers).map(([e, n]) => `${e}×${n}`).join(', ') || 'none'}`,
    ]
    texts.forEach((text, i) => {
      if (view.lines[i]?.textContent !== text) /** @type {HTMLElement} */ (view.lines[i]).textContent = text
    })
    const seen = d.errors.map((/** @type {any} */ e) => e.at).join()
    if (seen !== view.errorsSeen) {
      view.errorsSeen = seen
      const list = el('ul', {})
      for (const e of d.errors.slice().reverse()) {
        list.append(el('li', { 'data-kind': e.kind }, el('b', {}, `${time(e.at)} ${e.kind}: `), e.message, el('div', { class: 'hint' }, devtools?.hintFor(e.kind, e.code) ?? '')))
      }
      view.errors.replaceChildren(...(d.errors.length ? [el('h3', {}, 'Errors'), list] : []))
    }
  }
  for (const [key, view] of views) {
    if (keys.has(key)) continue
    view.section.remove()
    views.delete(key)
  }
}

/** @param {string} text */
function notify(text) {
  $('[data-notice]').textContent = text
}

/** @param {string} action @param {string} key */
async function act(action, key) {
  if (!inspector) return
  if (action !== 'copy') {
    const applied = inspector[action](key)
    notify(applied ? `${action}: done (${key})` : `${action}: nothing to do in status ${inspector.clients().find((/** @type {any} */ c) => c.key === key)?.state.status ?? 'gone'}`)
    return refresh()
  }
  const rows = (/** @type {string} */ selector) => [...document.querySelectorAll(selector)].map((row) => [...row.children].map((cell) => cell.textContent))
  const json = JSON.stringify({ clients: inspector.clients(), timeline: rows('table.timeline tbody tr'), events: rows('table.events tbody tr') }, null, 2)
  try {
    await navigator.clipboard.writeText(json)
    notify(`Copied the diagnostics (${json.length} characters) as JSON.`)
  } catch {
    // The clipboard may be refused in a frame: copy through a selection instead.
    const area = /** @type {HTMLTextAreaElement} */ (el('textarea', {}))
    area.value = json
    document.body.append(area)
    area.select()
    const ok = document.execCommand('copy')
    area.remove()
    notify(ok ? `Copied the diagnostics (${json.length} characters) as JSON.` : 'The browser refused the clipboard.')
  }
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

/** Stops the inspector: the app records nothing until the tab listens again. */
function pause() {
  inspector?.stop()
  inspector = null
}

function start() {
  const host = findHost()
  const found = host?.nuxt?.$socketDevtools
  const root = /** @type {HTMLElement} */ (document.getElementById('app'))
  if (!found) {
    root.textContent = host
      ? 'This app has no @ssr-socket/nuxt DevTools plugin: add @ssr-socket/nuxt to modules and run nuxi dev.'
      : 'Waiting for the app (open this tab from Nuxt DevTools)...'
    setTimeout(start, 200)
    return
  }
  devtools = found
  root.replaceChildren(el('p', { class: 'notice', 'data-count': '' }), el('p', { class: 'notice', 'data-notice': '' }), el('div', { id: 'connections' }))
  // One listener for every button, present and future: a refresh never takes a click away.
  root.addEventListener('click', (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest?.('button[data-action]')
    if (button) void act(/** @type {string} */ (button.getAttribute('data-action')), /** @type {string} */ (button.getAttribute('data-key')))
  })
  const tick = () => {
    // Listening only while the tab is on screen: closed DevTools, or another DevTools tab, cost the app nothing.
    if (!onScreen(host)) return pause()
    if (!inspector) inspector = found.inspect(onRecord)
    refresh()
  }
  tick()
  const ticking = setInterval(tick, 500)
  // The frame goes (DevTools reloaded, the app navigated away): the inspector stops, and the refresh with it.
  window.addEventListener('pagehide', () => {
    clearInterval(ticking)
    pause()
  })
}

start()
