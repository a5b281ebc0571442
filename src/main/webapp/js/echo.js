import { webSocketUrl, ReconnectingWebSocket, READY_STATES, describeClose, utf8Length, formatBytes, timeOfDay } from './ws.js';

const $ = (id) => document.getElementById(id);
const url = webSocketUrl('echo');
const socket = new ReconnectingWebSocket(url, { binaryType: 'arraybuffer' });
const MAX_ROWS = 500;
const MAX_PREVIEW = 400; // characters of a message shown in the log
let sent = 0;
let received = 0;

$('url').textContent = url;

function logRow(direction, type, bytes, data) {
  const row = document.createElement('tr');
  row.className = `dir-${direction}`;
  const arrow = { out: '→ sent', in: '← received', event: '• event' }[direction];
  for (const [text, cls] of [[timeOfDay(), 'time'], [arrow, 'dir'], [type, 'type'],
    [bytes === null ? '' : String(bytes), 'num'], [data, 'data']]) {
    const cell = document.createElement('td');
    cell.className = cls;
    cell.textContent = text; // user data is always text, never HTML
    row.append(cell);
  }
  const body = $('log').tBodies[0];
  body.prepend(row);
  while (body.rows.length > MAX_ROWS) body.deleteRow(-1);
}

function preview(text) {
  return text.length > MAX_PREVIEW ? `${text.slice(0, MAX_PREVIEW)} … (${text.length - MAX_PREVIEW} more characters)` : text;
}

function hexPreview(buffer) {
  const bytes = new Uint8Array(buffer, 0, Math.min(buffer.byteLength, 24));
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
  return buffer.byteLength > 24 ? `${hex} …` : hex;
}

function render() {
  const state = READY_STATES[socket.readyState];
  $('state').textContent = state;
  $('state').dataset.state = state;
  $('ready-state').textContent = `${socket.readyState} (${state})`;
  $('buffered-amount').textContent = String(socket.bufferedAmount);
  $('protocol').textContent = socket.protocol || '–';
  $('counts').textContent = `${sent} / ${received}`;
  const open = socket.readyState === WebSocket.OPEN;
  $('send').disabled = !open;
  $('file').disabled = !open;
  $('close').disabled = !open;
  $('connect').textContent = socket.wanted && !open ? 'Connect now' : 'Connect';
  $('connect').disabled = open || socket.readyState === WebSocket.CONNECTING;
}

function notice(text) {
  $('notice').textContent = text;
}

socket.onopen = () => {
  notice('Connected.');
  logRow('event', 'open', null, url);
  render();
};
socket.onmessage = (event) => {
  received += 1;
  if (typeof event.data === 'string') {
    logRow('in', 'text', utf8Length(event.data), preview(event.data));
  } else {
    logRow('in', 'binary', event.data.byteLength, hexPreview(event.data));
  }
  render();
};
socket.onerror = () => logRow('event', 'error', null, 'The connection failed or broke (the close event tells how).');
socket.onclose = (event, retryIn) => {
  logRow('event', 'close', null, `${describeClose(event)}${event.wasClean ? '' : ' (not clean)'}`);
  notice(retryIn === null ? `Closed: ${describeClose(event)}.`
    : `Closed: ${describeClose(event)}. Reconnecting in ${(retryIn / 1000).toFixed(1)} s…`);
  render();
};
socket.onretry = (attempt) => logRow('event', 'retry', null, `reconnect attempt ${attempt}`);

$('send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('message').value;
  try {
    socket.send(text);
    sent += 1;
    logRow('out', 'text', utf8Length(text), preview(text));
  } catch (e) {
    notice(`Not sent: ${e.message}.`);
  }
  render();
});

$('file').addEventListener('change', async () => {
  const file = $('file').files[0];
  if (!file) return;
  const buffer = await file.arrayBuffer();
  try {
    socket.send(buffer);
    sent += 1;
    logRow('out', 'binary', buffer.byteLength, `${file.name} (${formatBytes(buffer.byteLength)})`);
  } catch (e) {
    notice(`Not sent: ${e.message}.`);
  }
  $('file').value = '';
  render();
});

$('close-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const code = Number($('close-code').value);
  const reason = $('close-reason').value;
  try {
    socket.close(code, reason);
    logRow('event', 'closing', null, `asked to close with ${code}${reason ? ` “${reason}”` : ''}`);
  } catch (e) {
    notice(`Cannot close with ${code}: ${e.message}`);
  }
  render();
});

$('connect').addEventListener('click', () => { socket.connect(); render(); });
$('auto-reconnect').addEventListener('change', (e) => { socket.autoReconnect = e.target.checked; });
$('clear').addEventListener('click', () => { $('log').tBodies[0].replaceChildren(); });

// readyState and bufferedAmount change without events; refresh them a few times a second.
setInterval(render, 250);
socket.connect();
render();
