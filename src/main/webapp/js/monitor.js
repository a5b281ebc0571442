// Polls stomp-stats once a second and shows rates as differences between samples. Fields a server
// does not report (an older one: no store, no durable subscriptions, no persistent/unacked/
// redelivered counts) are left out — their columns and facts are not shown — never shown as "undefined".
const $ = (id) => document.getElementById(id);
let previous = null;
let failures = 0;

function rate(now, before, seconds) {
  return typeof now !== 'number' || typeof before !== 'number' || seconds <= 0 ? '–' : ((now - before) / seconds).toFixed(1);
}

/** A count as text: '–' when the server did not report it. */
function count(value) {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : '–';
}

/**
 * A table's columns: heading, cell class, value(d, old, seconds); `field` names what the server
 * must report for the column to be shown (any row having it is enough).
 */
const RATE_COLUMNS = [
  { heading: 'In', cls: 'num', value: (d) => count(d.messagesIn) },
  { heading: 'Out', cls: 'num', value: (d) => count(d.messagesOut) },
  { heading: 'In/s', cls: 'num', value: (d, old, s) => rate(d.messagesIn, old?.messagesIn, s) },
  { heading: 'Out/s', cls: 'num', value: (d, old, s) => rate(d.messagesOut, old?.messagesOut, s) },
];
const QUEUE_COLUMNS = [
  { heading: 'Destination', cls: 'data', value: (d) => String(d.destination) },
  { heading: 'Consumers', cls: 'num', value: (d) => count(d.subscribers) },
  { heading: 'Depth', cls: 'num', value: (d) => count(d.depth), title: 'Messages waiting in the queue' },
  { heading: 'Persistent', cls: 'num', field: 'persistent', value: (d) => count(d.persistent), title: 'Persistent messages held (in the store)' },
  { heading: 'Unacked', cls: 'num', field: 'unacked', value: (d) => count(d.unacked), title: 'Delivered, not yet acknowledged' },
  { heading: 'Redelivered', cls: 'num', field: 'redelivered', value: (d) => count(d.redelivered), title: 'Redeliveries over the queue\'s life' },
  ...RATE_COLUMNS,
];
const TOPIC_COLUMNS = [
  { heading: 'Destination', cls: 'data', value: (d) => String(d.destination) },
  { heading: 'Subscribers', cls: 'num', value: (d) => count(d.subscribers) },
  { heading: 'Durable', cls: 'num', field: 'durable', value: (d) => count(d.durable), title: 'Durable subscriptions (active or away)' },
  { heading: 'Unacked', cls: 'num', field: 'unacked', value: (d) => count(d.unacked), title: 'Delivered to subscribers, not yet acknowledged' },
  ...RATE_COLUMNS,
];
const DURABLE_COLUMNS = [
  { heading: 'Client id', cls: 'data', value: (s) => String(s.clientId ?? '–') },
  { heading: 'Name', cls: 'data', value: (s) => String(s.name ?? '–') },
  { heading: 'Topic', cls: 'data', value: (s) => String(s.topic ?? '–') },
  { heading: 'Selector', cls: 'selector', value: (s) => (typeof s.selector === 'string' && s.selector !== '' ? s.selector : 'none') },
  { heading: 'State', cls: '', value: (s) => (s.active === true ? cell('span', 'badge active', 'active') : cell('span', 'badge away', 'away')) },
  { heading: 'Backlog', cls: 'num', value: (s) => count(s.backlog), title: 'Messages kept for it, not yet delivered' },
  { heading: 'Unacked', cls: 'num', value: (s) => count(s.unacked), title: 'Delivered, not yet acknowledged' },
  { heading: 'Persistent', cls: 'num', field: 'persistent', value: (s) => count(s.persistent), title: 'Of its messages, those in the store' },
];

function cell(tag, cls, content) {
  const element = document.createElement(tag);
  if (cls) element.className = cls;
  element.append(content); // a string becomes a text node: names from clients are text, never HTML
  return element;
}

/**
 * Puts these rows in the body, keeping each old row that is unchanged (same markup): a row being
 * read, selected or focused is not replaced every second for nothing.
 */
function replaceRows(body, rows) {
  const old = new Map([...body.rows].map((row) => [row.outerHTML, row]));
  body.replaceChildren(...rows.map((row) => {
    const same = old.get(row.outerHTML);
    if (same) old.delete(row.outerHTML);
    return same || row;
  }));
}

/** The columns to show: those without a field, and those whose field some row reports. */
function shownColumns(columns, rows) {
  return columns.filter((c) => !c.field || rows.some((d) => d[c.field] !== undefined && d[c.field] !== null));
}

function renderHead(table, shown) {
  const head = table.tHead.rows[0];
  const headings = shown.map((c) => c.heading).join('\n');
  if (head.dataset.headings === headings) return;
  head.dataset.headings = headings;
  head.replaceChildren(...shown.map((c) => {
    const th = cell('th', c.cls === 'num' ? 'num' : '', c.heading);
    th.scope = 'col';
    if (c.title) th.title = c.title;
    return th;
  }));
}

/** Fills one destination table; returns how many rows it has. */
function renderTable(table, columns, rows, before, seconds) {
  const shown = shownColumns(columns, rows);
  renderHead(table, shown);
  replaceRows(table.tBodies[0], rows.map((d) => {
    const old = before.get(d.destination);
    const row = document.createElement('tr');
    row.dataset.destination = String(d.destination);
    row.dataset.kind = String(d.kind);
    row.append(...shown.map((c) => cell('td', c.cls, c.value(d, old, seconds))));
    return row;
  }));
  table.closest('.table-wrap').hidden = rows.length === 0;
  return rows.length;
}

function renderDurable(subscriptions) {
  const section = $('durable-section');
  section.hidden = !Array.isArray(subscriptions); // an older server does not report them
  if (section.hidden) return;
  const shown = shownColumns(DURABLE_COLUMNS, subscriptions);
  renderHead($('durable'), shown);
  replaceRows($('durable').tBodies[0], subscriptions.map((s) => {
    const row = document.createElement('tr');
    row.dataset.clientId = String(s.clientId);
    row.dataset.name = String(s.name);
    row.append(...shown.map((c) => {
      const td = cell('td', c.cls, c.value(s));
      if (c.heading === 'Selector' && td.textContent === 'none' && typeof s.selector !== 'string') td.className = 'muted';
      return td;
    }));
    return row;
  }));
  $('durable').closest('.table-wrap').hidden = subscriptions.length === 0;
  $('durable-empty').hidden = subscriptions.length > 0;
}

const STORE_DETAIL = {
  UP: 'persistent messages and durable subscriptions are written to disk',
  OFF: 'nothing is written to disk: persistent messages and durable subscriptions last only until a restart',
  DOWN: 'persistent SENDs and durable subscriptions cannot be stored',
};

/** The store banner, rewritten only when what it says changes (it is a live region). */
function renderStore(store) {
  const banner = $('store');
  if (!store || typeof store.state !== 'string') {
    banner.hidden = true;
    return;
  }
  const state = store.state;
  const sync = typeof store.sync === 'string' ? store.sync : '';
  const problem = state === 'DOWN' && typeof store.problem === 'string' ? store.problem : '';
  const key = JSON.stringify([state, sync, problem]);
  banner.hidden = false;
  if (banner.dataset.key === key) return;
  banner.dataset.key = key;
  banner.dataset.state = state;
  banner.setAttribute('role', state === 'DOWN' ? 'alert' : 'status');
  const detail = [STORE_DETAIL[state] || '', sync ? `sync: ${sync}` : ''].filter(Boolean).join(' · ');
  banner.replaceChildren('Message store: ', cell('strong', '', state),
    ...(detail ? [' — ', detail] : []),
    ...(problem ? [cell('span', 'detail', `Problem: ${problem}`)] : []));
}

function setFact(id, factId, value) {
  const present = typeof value === 'number';
  $(factId).hidden = !present;
  if (present) $(id).textContent = String(value);
}

function render(stats) {
  const seconds = previous ? (stats.time - previous.time) / 1000 : 0;
  const destinations = Array.isArray(stats.destinations) ? stats.destinations : [];
  const before = new Map((previous ? previous.destinations : []).map((d) => [d.destination, d]));
  $('sessions').textContent = count(stats.sessions);
  // stomp-stats is paged: the count and the overall rates come from its totals (older servers: the list)
  const totals = stats.totals || { destinations: destinations.length };
  $('destination-count').textContent = count(totals.destinations);
  setFact('persistent-count', 'persistent-fact', totals.persistentMessages);
  setFact('durable-count', 'durable-fact', typeof totals.durableSubscriptions === 'number' ? totals.durableSubscriptions
    : (Array.isArray(stats.durableSubscriptions) ? stats.durableSubscriptions.length : undefined));
  $('updated').textContent = new Date(stats.time).toLocaleTimeString();
  renderStore(stats.store);

  let totalIn = 0; let totalOut = 0; let prevIn = 0; let prevOut = 0;
  for (const d of destinations) {
    const old = before.get(d.destination);
    totalIn += d.messagesIn; totalOut += d.messagesOut;
    if (old) { prevIn += old.messagesIn; prevOut += old.messagesOut; } else { prevIn += d.messagesIn; prevOut += d.messagesOut; }
  }
  const queues = renderTable($('queues'), QUEUE_COLUMNS, destinations.filter((d) => d.kind !== 'topic'), before, seconds);
  const topics = renderTable($('topics'), TOPIC_COLUMNS, destinations.filter((d) => d.kind === 'topic'), before, seconds);
  $('queues-empty').hidden = queues > 0;
  $('topics-empty').hidden = topics > 0;
  // a broker that counts durable subscriptions per topic keeps its topics (and their counts) when the last subscriber leaves
  $('topics-kept').hidden = !destinations.some((d) => d.kind === 'topic' && typeof d.durable === 'number');
  $('empty').hidden = destinations.length > 0;
  renderDurable(stats.durableSubscriptions);

  if (stats.totals && previous && previous.totals) {
    totalIn = stats.totals.messagesIn; prevIn = previous.totals.messagesIn;
    totalOut = stats.totals.messagesOut; prevOut = previous.totals.messagesOut;
  }
  $('rate-in').textContent = previous ? rate(totalIn, prevIn, seconds) : '–';
  $('rate-out').textContent = previous ? rate(totalOut, prevOut, seconds) : '–';
  previous = { ...stats, destinations };
}

async function poll() {
  try {
    const response = await fetch('stomp-stats', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json());
    failures = 0;
    $('state').textContent = 'LIVE';
    $('state').dataset.state = 'OPEN';
  } catch (e) {
    failures += 1;
    $('state').textContent = 'OFFLINE';
    $('state').dataset.state = 'CLOSED';
  }
  // back off while the server is away: 1 s, 2 s, 4 s … 30 s
  setTimeout(poll, Math.min(30000, 1000 * 2 ** Math.min(failures, 5)));
}
poll();
