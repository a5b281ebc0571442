// admin.html: polls admin/connections every 2 s — a page of every node's open WebSockets — and
// lets an operator close one (1008 "closed by operator", after a confirm). The filter is asked of
// the server (it searches every connection on every node); sorting orders the page shown.
import { pageFetch, loginUrl, formatBytes } from './ws.js';
import { showSession } from './session.js';

const $ = (id) => document.getElementById(id);
const PAGE = 200;
const POLL_MS = 2000;
let security = false;
let offset = 0;
let failures = 0;
let last = null;
let timer = null;
let sort = { key: 'since', descending: false };

function text(value) {
  return typeof value === 'string' && value !== '' ? value : '–';
}

function count(value) {
  return typeof value === 'number' && Number.isFinite(value) ? value.toLocaleString() : '–';
}

function since(value) {
  if (typeof value !== 'number') return '–';
  const date = new Date(value);
  const today = new Date().toDateString() === date.toDateString();
  return today ? date.toLocaleTimeString([], { hour12: false }) : date.toLocaleString([], { hour12: false });
}

/** The columns: heading, key to sort by, cell class, value(c); `wide` ones only when the cluster has several nodes. */
const COLUMNS = [
  { heading: 'Endpoint', key: 'endpoint', cls: 'data', value: (c) => text(c.endpoint) },
  { heading: 'Path', key: 'path', cls: 'data', value: (c) => text(c.path) },
  { heading: 'User', key: 'user', cls: 'data', value: (c) => text(c.user) },
  { heading: 'Remote', key: 'remote', cls: 'data', value: (c) => text(c.remote) },
  { heading: 'Origin', key: 'origin', cls: 'data origin', value: (c) => text(c.origin) },
  { heading: 'Subprotocol', key: 'subprotocol', cls: 'data', value: (c) => text(c.subprotocol) },
  { heading: 'Node', key: 'node', cls: 'data', cluster: true, value: (c) => text(c.node).slice(0, 8) },
  { heading: 'Since', key: 'since', cls: 'num', value: (c) => since(c.since) },
  { heading: 'In', key: 'messagesIn', cls: 'num', value: (c) => count(c.messagesIn), title: 'Messages received' },
  { heading: 'Out', key: 'messagesOut', cls: 'num', value: (c) => count(c.messagesOut), title: 'Messages sent' },
  { heading: 'Bytes in', key: 'bytesIn', cls: 'num', value: (c) => (typeof c.bytesIn === 'number' ? formatBytes(c.bytesIn) : '–') },
  { heading: 'Bytes out', key: 'bytesOut', cls: 'num', value: (c) => (typeof c.bytesOut === 'number' ? formatBytes(c.bytesOut) : '–') },
  { heading: 'Queued', key: 'queuedBytes', cls: 'num', value: (c) => (typeof c.queuedBytes === 'number' ? formatBytes(c.queuedBytes) : '–'), title: 'Bytes waiting to be written to the peer' },
];

function cell(tag, cls, content) {
  const element = document.createElement(tag);
  if (cls) element.className = cls;
  element.append(content); // text nodes: what clients sent (paths, origins, names) is never HTML
  return element;
}

function shownColumns(listing) {
  const cluster = Array.isArray(listing.nodes) && listing.nodes.length > 1;
  return COLUMNS.filter((c) => !c.cluster || cluster);
}

function renderHead(shown) {
  const head = $('connections').tHead.rows[0];
  const key = shown.map((c) => c.key).join(',') + `|${sort.key}|${sort.descending}`;
  if (head.dataset.key === key) return;
  head.dataset.key = key;
  head.replaceChildren(...shown.map((c) => {
    const th = document.createElement('th');
    th.scope = 'col';
    if (c.cls.startsWith('num')) th.className = 'num';
    const button = cell('button', '', c.heading);
    button.type = 'button';
    button.dataset.key = c.key;
    if (c.title) button.title = c.title;
    if (sort.key === c.key) th.setAttribute('aria-sort', sort.descending ? 'descending' : 'ascending');
    button.addEventListener('click', () => {
      sort = { key: c.key, descending: sort.key === c.key ? !sort.descending : false };
      if (last) render(last);
      $('connections').querySelector(`th button[data-key="${c.key}"]`)?.focus();
    });
    th.append(button);
    return th;
  }), closeHeading());
}

/** The close column's heading: named for screen readers only (built as nodes, like every other text). */
function closeHeading() {
  const th = Object.assign(document.createElement('th'), { scope: 'col' });
  const outer = document.createElement('span');
  outer.append(Object.assign(document.createElement('span'), { className: 'sr-only', textContent: 'Close' }));
  th.append(outer);
  return th;
}

function compare(a, b) {
  const x = a[sort.key];
  const y = b[sort.key];
  const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
  return (sort.descending ? -order : order) || String(a.id).localeCompare(String(b.id));
}

function render(listing) {
  last = listing;
  const connections = Array.isArray(listing.connections) ? [...listing.connections] : [];
  connections.sort(compare);
  const shown = shownColumns(listing);
  renderHead(shown);
  const focused = document.activeElement?.closest?.('tr[data-id]')?.dataset.id;
  const body = $('connections').tBodies[0];
  body.replaceChildren(...connections.map((c) => {
    const row = document.createElement('tr');
    row.dataset.id = String(c.id);
    row.append(...shown.map((column) => {
      const td = cell('td', column.cls, column.value(c));
      if (column.key === 'origin' && c.origin) td.title = c.origin;
      if (column.key === 'node' && c.node) td.title = c.node;
      if (column.key === 'since' && typeof c.since === 'number') td.title = new Date(c.since).toISOString();
      return td;
    }));
    const close = cell('button', 'close-connection', 'Close');
    close.type = 'button';
    close.setAttribute('aria-label', `Close ${text(c.endpoint)} connection ${text(c.path)} of ${text(c.user)} from ${text(c.remote)}`);
    close.addEventListener('click', () => closeConnection(c, row));
    row.append(cell('td', 'act', close));
    return row;
  }));
  if (focused) body.querySelector(`tr[data-id="${CSS.escape(focused)}"] button`)?.focus();
  const total = typeof listing.total === 'number' ? listing.total : connections.length;
  $('total').textContent = count(total);
  $('node-count').textContent = Array.isArray(listing.nodes) ? String(listing.nodes.length) : '1';
  $('shown').textContent = String(connections.length);
  $('updated').textContent = new Date(listing.time || Date.now()).toLocaleTimeString([], { hour12: false });
  const from = connections.length ? listing.offset + 1 : 0;
  $('range').textContent = `${from.toLocaleString()}–${(listing.offset + connections.length).toLocaleString()} of ${total.toLocaleString()}`;
  $('previous').disabled = listing.offset <= 0;
  $('next').disabled = listing.offset + connections.length >= total;
  $('connections').closest('.table-wrap').hidden = connections.length === 0;
  $('empty').hidden = connections.length > 0;
  $('empty').textContent = $('filter').value.trim() ? 'No open WebSocket matches the filter.' : 'No open WebSockets.';
  const missing = Array.isArray(listing.missing) ? listing.missing : [];
  $('missing').hidden = missing.length === 0;
  $('missing').textContent = missing.length
    ? `Not answering in time, left out: node${missing.length > 1 ? 's' : ''} ${missing.map((n) => String(n).slice(0, 8)).join(', ')}.`
    : '';
}

async function closeConnection(c, row) {
  const what = `${text(c.endpoint)} ${text(c.path)} (${text(c.user)} from ${text(c.remote)})`;
  if (!window.confirm(`Close the connection ${what}? It is ended with 1008 “closed by operator”.`)) return;
  row.classList.add('closing');
  let status = 0;
  try {
    const response = await pageFetch(`admin/connections/${encodeURIComponent(c.id)}`, { method: 'DELETE' });
    status = response.status;
  } catch { /* offline */ }
  const result = $('result');
  if (status === 204) result.textContent = `Closed ${what}.`;
  else if (status === 404) result.textContent = `${what} had already closed.`;
  else if (status === 401 || status === 403) refused(status);
  else result.textContent = `Could not close ${what}: ${status ? `HTTP ${status}` : 'the server is not answering'}.`;
  poll();
}

function setBadge(label, state) {
  $('state').textContent = label;
  $('state').dataset.state = state;
}

/** Refused (401: log in; 403: not allowed): said once, and no more polling — a retry gets the same answer. */
function refused(status) {
  clearTimeout(timer);
  const notice = $('access');
  notice.replaceChildren();
  if (status === 401) {
    setBadge('LOG IN', 'REFUSED');
    notice.append('The connection list is for operators: ',
      Object.assign(document.createElement('a'), { href: loginUrl(), textContent: 'log in' }), ' to see it.');
  } else {
    setBadge('NOT ALLOWED', 'REFUSED');
    notice.append(security
      ? 'Operators only: your user may not see the connection list. Log out and log in as an operator to see it.'
      : 'With security off, the connection list is shown only on the server’s own machine (a browser on its loopback address, not through a proxy).');
  }
  notice.hidden = false;
  document.querySelector('main').classList.add('refused');
}

function offline(retryMs) {
  setBadge('OFFLINE', 'CLOSED');
  document.querySelector('main').classList.toggle('stale', last !== null);
  $('offline').textContent = last
    ? `Offline: the server is not answering. The list below is from ${new Date(last.time || Date.now()).toLocaleTimeString()}; trying again in ${Math.round(retryMs / 1000)} s.`
    : `Offline: the server is not answering; trying again in ${Math.round(retryMs / 1000)} s.`;
  $('offline').hidden = false;
}

async function poll() {
  clearTimeout(timer);
  const query = new URLSearchParams({ offset: String(offset), limit: String(PAGE) });
  const filter = $('filter').value.trim();
  if (filter) query.set('q', filter);
  try {
    const response = await pageFetch(`admin/connections?${query}`);
    if (response.status === 401 || response.status === 403) {
      refused(response.status);
      return;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const listing = await response.json();
    if (listing.offset > 0 && listing.connections.length === 0 && listing.total > 0) {
      offset = Math.max(0, Math.floor((listing.total - 1) / PAGE) * PAGE); // the page shrank away: the last one
      timer = setTimeout(poll, 0);
      return;
    }
    render(listing);
    failures = 0;
    setBadge('LIVE', 'OPEN');
    document.querySelector('main').classList.remove('stale');
    $('offline').hidden = true;
  } catch {
    failures += 1;
  }
  const delay = failures > 0 ? Math.min(30000, 1000 * 2 ** Math.min(failures, 5)) : POLL_MS;
  if (failures > 0) offline(delay);
  timer = setTimeout(poll, delay);
}

let typing = null;
$('filter').addEventListener('input', () => {
  clearTimeout(typing);
  typing = setTimeout(() => { offset = 0; poll(); }, 250);
});
$('filter-form').addEventListener('submit', (event) => { event.preventDefault(); offset = 0; poll(); });
$('previous').addEventListener('click', () => { offset = Math.max(0, offset - PAGE); poll(); });
$('next').addEventListener('click', () => { offset += PAGE; poll(); });
const initial = new URLSearchParams(window.location.search).get('q');
if (initial) $('filter').value = initial;
// who is asking first: a 403 reads differently with security on (not an operator) and off (not this machine)
showSession($('session')).then((answer) => { security = !!answer.security; }).finally(poll);
