// overhead.html: the same ticker by polling and by WebSocket, with the server's byte counts.
import { webSocketUrl, ReconnectingWebSocket, READY_STATES, describeClose, pageFetch, loginUrl } from './ws.js';
import { showSession } from './session.js';

const $ = (id) => document.getElementById(id);
const INTERVAL = 1000; // one poll a second, as the ticker ticks
const MAX_SIMULATED = 50;
const STEP = 10;
const PROJECTED_CLIENTS = [1000, 10000, 100000];
const BOOK_HEADER_BYTES = 871;
const pageId = `page-${Math.random().toString(36).slice(2, 10)}`;

const number = new Intl.NumberFormat('en');
const bytes = (n) => `${number.format(Math.round(n))} B`;

/** Bits per second in the units network people use (the book's table uses Mbit/s). */
function bitRate(bytesPerSecond) {
  const bits = bytesPerSecond * 8;
  const units = [['Gbit/s', 1e9], ['Mbit/s', 1e6], ['kbit/s', 1e3]];
  for (const [unit, size] of units) {
    if (bits >= size) return `${(bits / size).toFixed(bits / size >= 100 ? 0 : 1)} ${unit}`;
  }
  return `${Math.round(bits)} bit/s`;
}

function setState(element, state, label = state) {
  element.textContent = label;
  element.dataset.state = state;
}

// ---- quotes, as either transport delivers them ----

function renderQuote(tableId, metaId, quote, how) {
  const body = $(tableId).tBodies[0];
  body.replaceChildren();
  for (const price of quote.prices) {
    const row = document.createElement('tr');
    const direction = price.change > 0 ? 'up' : price.change < 0 ? 'down' : 'flat';
    const arrow = { up: '▲', down: '▼', flat: '■' }[direction];
    for (const [text, cls] of [[price.symbol, 'symbol'], [price.price.toFixed(2), 'num'],
      [`${arrow} ${price.change > 0 ? '+' : ''}${price.change.toFixed(2)}`, `num ${direction}`]]) {
      const cell = document.createElement('td');
      cell.className = cls;
      cell.textContent = text; // server data is always text, never HTML
      row.append(cell);
    }
    body.append(row);
  }
  $(metaId).textContent = `Quote #${quote.seq} of ${new Date(quote.ts).toLocaleTimeString([], { hour12: false })}, ${how}`;
}

// ---- the page's own poller: once a second; after failures 1 s, 2 s, 4 s … 30 s ----

let pollFailures = 0;
let socketOpen = false;

async function pollOnce(client) {
  const response = await pageFetch(`overhead/poll?client=${client}`);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

async function poll() {
  let delay = INTERVAL;
  try {
    renderQuote('poll-quotes', 'poll-meta', await pollOnce(pageId), 'asked for a moment ago');
    pollFailures = 0;
    setState($('poll-state'), 'OPEN', 'POLLING');
    if (!socketOpen) await refreshStats(); // the socket brings them otherwise
  } catch (e) {
    pollFailures += 1;
    delay = Math.min(30000, INTERVAL * 2 ** Math.min(pollFailures, 5));
    setState($('poll-state'), 'CLOSED', 'OFFLINE');
    $('poll-meta').textContent = `The poll failed (${e.message}); trying again in ${delay / 1000} s.`;
  }
  setTimeout(poll, delay);
}

async function refreshStats() {
  try {
    const response = await pageFetch('overhead/stats');
    if (response.ok) renderStats(await response.json());
  } catch (e) {
    // the poller's own state already says the server is away
  }
}

// ---- the page's own socket: quotes, and the stats after every tick ----

const socket = new ReconnectingWebSocket(webSocketUrl('overhead/ticker?stats'), { accessPath: 'overhead/ticker' });
let refused = null; // the server will not let this page's socket in ('login' or 'forbidden'): polling goes on

function renderSocketState(retryIn) {
  if (refused) {
    setState($('state'), 'CLOSED', refused === 'login' ? 'REFUSED' : 'FORBIDDEN');
    setState($('ws-state'), 'CLOSED', refused === 'login' ? 'REFUSED' : 'FORBIDDEN');
    return;
  }
  const state = READY_STATES[socket.readyState];
  setState($('state'), state);
  setState($('ws-state'), state, state === 'OPEN' ? 'PUSHED' : state);
  if (retryIn !== undefined && retryIn !== null) {
    $('ws-meta').textContent = `${$('ws-meta').dataset.closed} Reconnecting in ${(retryIn / 1000).toFixed(1)} s…`;
  }
}

socket.onopen = () => { socketOpen = true; renderSocketState(); };
socket.onmessage = (event) => {
  const message = JSON.parse(event.data);
  if (message.type === 'quote') renderQuote('ws-quotes', 'ws-meta', message, 'pushed by the server');
  else if (message.type === 'stats') renderStats(message);
};
socket.onclose = (event, retryIn) => {
  socketOpen = false;
  $('ws-meta').dataset.closed = `Closed: ${describeClose(event)}.`;
  $('ws-meta').textContent = $('ws-meta').dataset.closed;
  renderSocketState(retryIn);
};
socket.onretry = () => renderSocketState();
socket.onrefused = (answer) => {
  refused = answer.access;
  if (answer.access === 'login') {
    const link = Object.assign(document.createElement('a'), { href: loginUrl(), className: 'login', textContent: 'Log in' });
    $('ws-meta').replaceChildren(link, ' to see the pushed ticker: with security on, WebSockets need a logged-in user. Polling needs no login.');
  } else {
    $('ws-meta').textContent = `The server does not let ${answer.user || 'you'} open the ticker${answer.reason ? ` (${answer.reason})` : ''}.`;
  }
  renderSocketState();
};

// ---- the figures ----

function perUpdate(transport) {
  const p = transport.perUpdate;
  return { up: p.upstreamHeaders, down: p.downstreamHeaders, payload: p.payload, total: p.total,
    headers: p.upstreamHeaders + p.downstreamHeaders };
}

function fillRow(rowId, transport) {
  const row = $(rowId);
  const cost = perUpdate(transport);
  const counted = transport.updates > 0;
  const values = {
    up: counted ? bytes(cost.up) : '–',
    down: counted ? bytes(cost.down) : '–',
    payload: counted ? bytes(cost.payload) : '–',
    total: counted ? bytes(cost.total) : '–',
    share: counted && cost.total > 0 ? `${Math.round((100 * cost.headers) / cost.total)} %` : '–',
    updates: number.format(transport.updates),
  };
  for (const [field, text] of Object.entries(values)) {
    row.querySelector(`[data-field="${field}"]`).textContent = text;
  }
}

/** One row of bit rates: each transport's clients times its bytes per update, once a second. */
function projectionRow(label, pollingClients, websocketClients, poll, push, current) {
  const row = document.createElement('tr');
  if (current) row.className = 'now';
  const cells = [label,
    bitRate(pollingClients * poll.headers), bitRate(pollingClients * poll.total),
    bitRate(websocketClients * push.headers), bitRate(websocketClients * push.total),
    bitRate(pollingClients * BOOK_HEADER_BYTES)];
  cells.forEach((text, i) => {
    const cell = document.createElement('td');
    cell.className = i === 0 ? 'label' : 'num';
    cell.textContent = text;
    row.append(cell);
  });
  return row;
}

function renderStats(stats) {
  const { polling, websocket } = stats;
  fillRow('row-polling', polling);
  fillRow('row-websocket', websocket);
  const poll = perUpdate(polling);
  const push = perUpdate(websocket);
  if (polling.updates > 0 && websocket.updates > 0 && push.total > 0) {
    $('ratio').textContent = `A polled update costs ${bytes(poll.total)}, a pushed one ${bytes(push.total)}: `
      + `${(poll.total / push.total).toFixed(1)} times as many bytes. Headers alone: `
      + `${bytes(poll.headers)} against ${bytes(push.headers)} (${Math.round(poll.headers / push.headers)} : 1).`;
  }
  if (websocket.handshakes > 0) {
    $('handshake').textContent = `A WebSocket pays its HTTP headers once, in the opening handshake: here `
      + `${bytes(websocket.handshakeRequestBytes / websocket.handshakes)} up and `
      + `${bytes(websocket.handshakeResponseBytes / websocket.handshakes)} down per connection `
      + `(${number.format(websocket.handshakes)} handshakes so far) — then only the frame header per update.`;
  }
  const body = $('projection').tBodies[0];
  body.replaceChildren(projectionRow(`Now: ${number.format(polling.clients)} polling, ${number.format(websocket.clients)} WebSocket`,
    polling.clients, websocket.clients, poll, push, true));
  for (const clients of PROJECTED_CLIENTS) {
    body.append(projectionRow(`${number.format(clients)} of each`, clients, clients, poll, push, false));
  }
  $('polling-clients').textContent = number.format(polling.clients);
  $('websocket-clients').textContent = number.format(websocket.clients);
  $('handshakes').textContent = number.format(websocket.handshakes);
}

// ---- simulated clients ----

const pollers = [];
const sockets = [];

function startPoller() {
  const poller = { id: `sim-${Math.random().toString(36).slice(2, 10)}`, timer: null, failures: 0, stopped: false };
  const loop = async () => {
    let delay = INTERVAL;
    try {
      await pollOnce(poller.id);
      poller.failures = 0;
    } catch (e) {
      poller.failures += 1;
      delay = Math.min(30000, INTERVAL * 2 ** Math.min(poller.failures, 5));
    }
    if (!poller.stopped) poller.timer = setTimeout(loop, delay);
  };
  poller.timer = setTimeout(loop, Math.random() * INTERVAL); // spread over the second
  pollers.push(poller);
}

function startSocket() {
  const simulated = new ReconnectingWebSocket(webSocketUrl('overhead/ticker'));
  simulated.onmessage = () => {}; // a real client would show the quote
  simulated.connect();
  sockets.push(simulated);
}

function renderSimulated(message) {
  $('simulated').textContent = `${pollers.length} pollers, ${sockets.length} sockets`;
  $('add-pollers').disabled = pollers.length >= MAX_SIMULATED;
  $('add-sockets').disabled = sockets.length >= MAX_SIMULATED;
  $('remove-all').disabled = pollers.length + sockets.length === 0;
  if (message) $('clients-notice').textContent = message;
}

$('add-pollers').addEventListener('click', () => {
  const add = Math.min(STEP, MAX_SIMULATED - pollers.length);
  for (let i = 0; i < add; i += 1) startPoller();
  renderSimulated(`Added ${add} pollers; the server notices them within a second or two.`);
});
$('add-sockets').addEventListener('click', () => {
  const add = Math.min(STEP, MAX_SIMULATED - sockets.length);
  for (let i = 0; i < add; i += 1) startSocket();
  renderSimulated(`Added ${add} sockets.`);
});
$('remove-all').addEventListener('click', () => {
  for (const poller of pollers) { poller.stopped = true; clearTimeout(poller.timer); }
  for (const simulated of sockets) simulated.close(1000, 'removed');
  pollers.length = 0;
  sockets.length = 0;
  renderSimulated('Removed the simulated clients; idle pollers drop out of the count after three seconds.');
  $('add-pollers').focus();
});

renderSimulated();
showSession($('session'));
socket.connect();
renderSocketState();
poll();
