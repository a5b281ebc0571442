import {
  webSocketUrl, ReconnectingWebSocket, READY_STATES, describeClose, utf8Length, formatBytes, timeOfDay, loginUrl,
} from './ws.js';
import { showSession } from './session.js';

const $ = (id) => document.getElementById(id);
const url = webSocketUrl('echo');
// accessPath: a handshake refused for want of a login (or permission) is said so, not retried
const socket = new ReconnectingWebSocket(url, { binaryType: 'arraybuffer', accessPath: 'echo' });
const MAX_ROWS = 500;
const MAX_PREVIEW = 400; // characters of a message shown in the log
const MAX_COPIED_HEX = 4096; // bytes of a binary message kept for copying, as hex
let sent = 0;
let received = 0;
/** Each log row's whole content (the cell shows a preview): what the filter searches and Copy copies. */
const frames = new WeakMap();

$('url').textContent = url;

function hex(buffer, limit) {
  const bytes = new Uint8Array(buffer, 0, Math.min(buffer.byteLength, limit));
  const text = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
  return buffer.byteLength > limit ? `${text} …` : text;
}

function preview(text) {
  return text.length > MAX_PREVIEW ? `${text.slice(0, MAX_PREVIEW)} … (${text.length - MAX_PREVIEW} more characters)` : text;
}

/** What a row's data cell shows: the frame, pretty-printed when asked and when it is JSON. */
function shown(frame) {
  if (frame.kind === 'text' && $('pretty').checked) {
    const trimmed = frame.full.trimStart();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        return preview(JSON.stringify(JSON.parse(frame.full), null, 2));
      } catch { /* not JSON: as it came */ }
    }
  }
  return frame.preview;
}

function matches(row) {
  const query = $('filter').value.trim().toLowerCase();
  if (!query) return true;
  const frame = frames.get(row);
  return `${frame.kind} ${frame.direction} ${frame.full}`.toLowerCase().includes(query);
}

function applyFilter() {
  const rows = [...$('log').tBodies[0].rows];
  let visible = 0;
  for (const row of rows) {
    row.hidden = !matches(row);
    if (!row.hidden) visible += 1;
  }
  $('filter-count').textContent = $('filter').value.trim() ? `${visible} of ${rows.length}` : '';
}

async function copy(frame) {
  try {
    await navigator.clipboard.writeText(frame.full);
  } catch {
    // no clipboard permission (or not a secure context): the old way
    const area = document.createElement('textarea');
    area.value = frame.full;
    area.setAttribute('readonly', '');
    area.className = 'sr-only';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    if (!ok) {
      notice('Could not copy: the browser did not allow it.');
      return;
    }
  }
  notice(`Copied the ${frame.kind} frame (${frame.full.length} characters).`);
}

/**
 * direction: out, in or event; kind: text, binary or an event's name; full: everything to copy and
 * search; previewText: what the cell shows when not pretty-printed.
 */
function logRow(direction, kind, bytes, full, previewText = preview(full)) {
  const row = document.createElement('tr');
  row.className = `dir-${direction}`;
  const frame = { direction, kind, full, preview: previewText };
  frames.set(row, frame);
  const arrow = { out: '→ sent', in: '← received', event: '• event' }[direction];
  for (const [text, cls] of [[timeOfDay(), 'time'], [arrow, 'dir'], [kind, 'type'],
    [bytes === null ? '' : String(bytes), 'num'], [shown(frame), 'data']]) {
    const cell = document.createElement('td');
    cell.className = cls;
    cell.textContent = text; // user data is always text, never HTML
    row.append(cell);
  }
  const copyCell = document.createElement('td');
  copyCell.className = 'copy';
  if (direction !== 'event') {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'quiet copy';
    button.textContent = 'Copy';
    button.setAttribute('aria-label', `Copy this ${kind} frame`);
    button.addEventListener('click', () => copy(frame));
    copyCell.append(button);
  }
  row.append(copyCell);
  row.hidden = !matches(row);
  const body = $('log').tBodies[0];
  body.prepend(row);
  while (body.rows.length > MAX_ROWS) body.deleteRow(-1);
  if ($('filter').value.trim()) applyFilter();
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

function notice(text, link = null) {
  $('notice').replaceChildren(text);
  if (link) {
    const a = document.createElement('a');
    a.href = link.href;
    a.textContent = link.text;
    $('notice').append(' ', a);
  }
}

socket.onopen = () => {
  notice('Connected.');
  logRow('event', 'open', null, url);
  render();
};
socket.onmessage = (event) => {
  received += 1;
  if (typeof event.data === 'string') {
    logRow('in', 'text', utf8Length(event.data), event.data);
  } else {
    logRow('in', 'binary', event.data.byteLength, hex(event.data, MAX_COPIED_HEX), hex(event.data, 24));
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
socket.onrefused = (answer) => {
  logRow('event', 'refused', null, `${answer.access}${answer.reason ? ` — ${answer.reason}` : ''}`);
  if (answer.access === 'login') {
    notice(answer.user ? `Your login is no longer valid (${answer.reason || 'refused'}).`
      : 'The server wants to know who you are.', { href: loginUrl(), text: 'Log in to use the echo console' });
  } else {
    notice(`You are not allowed to use the echo endpoint${answer.reason ? ` (${answer.reason})` : ''}.`);
  }
  render();
};

$('send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('message').value;
  try {
    socket.send(text);
    sent += 1;
    logRow('out', 'text', utf8Length(text), text);
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
    logRow('out', 'binary', buffer.byteLength, hex(buffer, MAX_COPIED_HEX), `${file.name} (${formatBytes(buffer.byteLength)})`);
  } catch (e) {
    notice(`Not sent: ${e.message}.`);
  }
  $('file').value = '';
  render();
});

/**
 * What is wrong with a close the user asks for, or null: browsers send only 1000 and 3000–4999
 * (the rest are the protocol's own), with a reason of at most 123 bytes of UTF-8.
 */
function closeProblem(codeText, reason) {
  const code = Number(codeText);
  if (!/^\d+$/.test(codeText.trim()) || !(code === 1000 || (code >= 3000 && code <= 4999))) {
    const why = /^\d+$/.test(codeText.trim()) && code >= 1000 && code <= 2999 ? 'is reserved for the protocol itself'
      : 'is not a close code';
    return `A page may close only with 1000 or 3000–4999 (${codeText.trim() || 'an empty field'} ${why}).`;
  }
  if (utf8Length(reason) > 123) return `The reason is ${utf8Length(reason)} bytes; at most 123 are allowed.`;
  return null;
}

function checkClose() {
  const problem = closeProblem($('close-code').value, $('close-reason').value);
  $('close-error').textContent = problem || '';
  $('close-code').setAttribute('aria-invalid', String(problem !== null));
  return problem;
}

$('close-code').addEventListener('input', checkClose);
$('close-reason').addEventListener('input', checkClose);

$('close-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (checkClose()) {
    $('close-code').focus();
    return;
  }
  const code = Number($('close-code').value);
  const reason = $('close-reason').value;
  const wanted = socket.wanted;
  try {
    socket.close(code, reason);
    logRow('event', 'closing', null, `asked to close with ${code}${reason ? ` “${reason}”` : ''}`);
  } catch (e) {
    // the browser refused the close: nothing closed, so automatic reconnecting stays as it was
    socket.wanted = wanted;
    $('close-error').textContent = `Cannot close with ${code}: ${e.message}`;
  }
  render();
});

$('connect').addEventListener('click', () => { socket.connect(); render(); });
$('auto-reconnect').addEventListener('change', (e) => { socket.autoReconnect = e.target.checked; });
$('clear').addEventListener('click', () => {
  $('log').tBodies[0].replaceChildren();
  applyFilter();
});
$('filter').addEventListener('input', applyFilter);
$('pretty').addEventListener('change', () => {
  for (const row of $('log').tBodies[0].rows) row.cells[4].textContent = shown(frames.get(row));
});

// readyState and bufferedAmount change without events; refresh them a few times a second.
setInterval(render, 250);
socket.autoReconnect = $('auto-reconnect').checked; // a box the browser restored unticked means it
showSession($('session'));
socket.connect();
render();
