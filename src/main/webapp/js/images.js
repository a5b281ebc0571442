import { webSocketUrl, ReconnectingWebSocket, READY_STATES, describeClose, formatBytes, loginUrl } from './ws.js';
import { showSession } from './session.js';

const $ = (id) => document.getElementById(id);
const ERROR_TEXT = {
  'not-an-image': 'That file is not a PNG, JPEG, GIF or WebP image',
  'too-large': 'That image is too large',
  'rate-limited': 'Too many uploads at once — wait a moment',
  forbidden: 'You may not post images in this room',
};
const MAX_GALLERY = 60;
const ACCEPTED = 'PNG, JPEG, GIF or WebP';
let maxBytes = 8 * 1024 * 1024; // until the welcome says
let refused = null; // 'login' or 'forbidden': the server will not let this page in; no retries

let socket = null;
let room = null;
let pendingDescription = null; // an "image" description waits for its bytes
let uploads = []; // files sent and not yet acknowledged: {name, item}
// Where this page is in the room's log, for a reconnect after a drop: the epoch of the last
// welcome and the offset of the last image received whole (the welcome's own offset until one comes).
const position = { epoch: null, offset: 0 };
const shown = new Set(); // ids of the images in the gallery, so a recovered one is never shown twice
let welcomed = false; // this room has had a welcome on this page: later welcomes are reconnects
// While the images a reconnect recovered arrive: how many are still to come and how many were new
// (our own uploads come back too when the ack carried no offset; they are not "missed").
let recovering = null;

function setStatus(text, kind = '') {
  $('status').textContent = text;
  $('status').className = `status ${kind}`;
}

function renderState() {
  const state = socket ? READY_STATES[socket.readyState] : 'CLOSED';
  $('state').textContent = refused ? (refused === 'login' ? 'REFUSED' : 'FORBIDDEN') : state;
  $('state').dataset.state = refused ? 'CLOSED' : state;
  const buffered = socket ? socket.bufferedAmount : 0;
  const progress = $('progress');
  if (buffered > 0) {
    progress.hidden = false;
    progress.max = Math.max(progress.max, buffered);
    progress.value = progress.max - buffered;
  } else if (!progress.hidden && uploads.length === 0) {
    progress.hidden = true;
    progress.max = 1;
  }
}

function setRecovery(text, kind) {
  $('recovery').textContent = text;
  $('recovery').className = `recovery ${kind}`;
}

function clearGallery() {
  for (const img of $('gallery').querySelectorAll('img')) URL.revokeObjectURL(img.src);
  $('gallery').replaceChildren();
  $('empty').hidden = false;
  shown.clear();
}

/** Sizes as the server's refusals say them: "8.5 MiB", "8 MiB" (exact bytes when rounding would hide the difference). */
function human(n) {
  const one = (v) => v.toFixed(1).replace(/\.0$/, '');
  if (n < 1024) return `${n} B`;
  return n < 1024 * 1024 ? `${one(n / 1024)} KiB` : `${one(n / 1024 / 1024)} MiB`;
}

function tooLarge(size, limit) {
  return human(size) === human(limit) ? `${size.toLocaleString('en')} bytes; the limit is ${limit.toLocaleString('en')} bytes`
    : `${human(size)}; the limit is ${human(limit)}`;
}

/** The image type its first bytes say (what the server checks too), or null: a name or a MIME type proves nothing. */
function sniff(bytes) {
  const b = new Uint8Array(bytes, 0, Math.min(12, bytes.byteLength));
  const ascii = (from, to) => String.fromCharCode(...b.slice(from, to));
  if (b.length >= 8 && b[0] === 0x89 && ascii(1, 4) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'image/gif';
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return null;
}

/** Says the server will not let this page in (and how to get in), instead of retrying. */
function showRefused(answer) {
  refused = answer.access;
  const status = $('status');
  status.className = 'status bad';
  if (answer.access === 'login') {
    const link = Object.assign(document.createElement('a'), { href: loginUrl(), className: 'login', textContent: 'Log in' });
    status.replaceChildren(link, ' to use image drop: with security on, only logged-in users may.');
  } else {
    status.textContent = `You are not allowed in this room${answer.user ? ` as ${answer.user}` : ''}${answer.reason ? ` (${answer.reason})` : ''}.`;
  }
  renderState();
}

function recoveredText(n) {
  return `Reconnected — ${n === 0 ? 'no images missed' : `${n} missed image${n === 1 ? '' : 's'} recovered`}`;
}

/** A whole image from the room: its description and then its bytes. */
function receiveImage(description, bytes) {
  if (Number.isInteger(description.offset)) position.offset = Math.max(position.offset, description.offset);
  const fresh = !description.id || !shown.has(description.id);
  if (fresh) {
    const item = addToGallery(description, bytes);
    if (recovering) item.classList.add('recovered');
  }
  if (recovering) {
    recovering.left -= 1;
    if (fresh) recovering.added += 1;
    if (recovering.left === 0) {
      setRecovery(recoveredText(recovering.added), 'good');
      recovering = null;
    }
  }
}

function addToGallery(description, bytes, { mine = false, sending = false } = {}) {
  if (description.id) shown.add(description.id);
  const blob = new Blob([bytes], { type: description.mime });
  const url = URL.createObjectURL(blob);
  const item = document.createElement('li');
  if (mine) item.className = sending ? 'mine sending' : 'mine';
  const img = document.createElement('img');
  img.src = url;
  img.alt = `Image from ${description.from}`;
  img.dataset.id = description.id;
  if (description.offset !== undefined) img.dataset.offset = description.offset;
  const caption = document.createElement('div');
  caption.className = 'caption';
  const from = document.createElement('span');
  from.className = 'from';
  from.textContent = mine ? 'you' : description.from;
  const meta = document.createElement('span');
  meta.className = 'meta';
  meta.textContent = sending ? `sending… · ${formatBytes(description.bytes)}` : metaText(description);
  caption.append(from, meta);
  item.append(img, caption);
  $('gallery').prepend(item);
  $('empty').hidden = true;
  while ($('gallery').children.length > MAX_GALLERY) {
    const last = $('gallery').lastElementChild;
    URL.revokeObjectURL(last.querySelector('img').src);
    last.remove();
  }
  return item;
}

function metaText(description) {
  return `${new Date(description.ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })} · ${formatBytes(description.bytes)}`;
}

/** An upload the server refused, or that never reached it, leaves the gallery: it was never posted. */
function withdraw(upload) {
  if (!upload) return;
  URL.revokeObjectURL(upload.item.querySelector('img').src);
  upload.item.remove();
  $('empty').hidden = $('gallery').children.length > 0;
}

function onMessage(event) {
  if (typeof event.data !== 'string') {
    if (pendingDescription) receiveImage(pendingDescription, event.data);
    pendingDescription = null;
    return;
  }
  let message;
  try { message = JSON.parse(event.data); } catch { return; }
  switch (message.type) {
    case 'welcome':
      if (message.maxBytes) {
        maxBytes = message.maxBytes;
        $('max-size').textContent = human(maxBytes);
      }
      if (typeof message.epoch === 'string') position.epoch = message.epoch;
      if (welcomed && message.recovered === true) {
        // the missed images follow this welcome; the gallery keeps what it has, and the offset
        // moves on with each image that arrives whole (a drop halfway resumes from there)
        setStatus(`Back in ${message.room}.`, 'good');
        recovering = null;
        if (message.history > 0) recovering = { left: message.history, added: 0 };
        else setRecovery(recoveredText(0), 'good');
      } else {
        clearGallery();
        recovering = null;
        if (Number.isInteger(message.offset)) position.offset = message.offset;
        if (welcomed && message.recovered === false) {
          setStatus(`Back in ${message.room}.`, 'good');
          setRecovery('Reconnected — could not recover what was missed; the room was reloaded', 'bad');
        } else {
          setStatus(message.history ? `Joined ${message.room}; showing its last ${message.history} image(s).` : `Joined ${message.room}.`);
          setRecovery('', '');
        }
      }
      welcomed = true;
      break;
    case 'image':
      pendingDescription = message;
      break;
    case 'ack': {
      const upload = uploads.shift();
      if (upload && message.id) {
        // the server never echoes our own image, but a recovery may bring it back: know it by id
        shown.add(message.id);
        upload.item.querySelector('img').dataset.id = message.id;
      }
      if (upload) {
        upload.item.classList.remove('sending');
        upload.item.querySelector('.meta').textContent = metaText({ ts: Date.now(), bytes: message.bytes });
      }
      if (Number.isInteger(message.offset)) position.offset = Math.max(position.offset, message.offset);
      setStatus(`Sent ${upload ? upload.name : 'image'} (${formatBytes(message.bytes)}) to the room.`, 'good');
      break;
    }
    case 'error': {
      const upload = uploads.shift();
      const name = upload && upload.name;
      withdraw(upload);
      setStatus(`${name ? `${name}: ` : ''}${ERROR_TEXT[message.code] || 'Refused'}${message.detail ? ` (${message.detail})` : ''}.`, 'bad');
      break;
    }
    default:
      break;
  }
  renderState();
}

async function upload(files) {
  const refusals = [];
  for (const file of files) {
    const name = file.name || 'pasted image';
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      // refused: the status already says why (and links to the login)
      if (!refused) setStatus(`${name}: not sent — not connected; wait for the connection to come back.`, 'bad');
      return;
    }
    // what the server would refuse is refused here, before a byte is sent
    if (file.size > maxBytes) {
      refusals.push(`${name}: ${tooLarge(file.size, maxBytes)}`);
      continue;
    }
    const bytes = await file.arrayBuffer();
    const mime = sniff(bytes);
    if (!mime) {
      refusals.push(`${name} is not a ${ACCEPTED} image`);
      continue;
    }
    socket.send(bytes);
    // shown at once (the server never echoes our own image), marked as sending until the ack
    const item = addToGallery({ id: '', from: 'you', mime, bytes: bytes.byteLength, ts: Date.now() }, bytes, { mine: true, sending: true });
    uploads.push({ name, item });
    setStatus(`Sending ${name} (${formatBytes(bytes.byteLength)})…`);
  }
  if (refusals.length) setStatus(`${refusals.join('. ')}. Not sent.`, 'bad');
  renderState();
}

/** The endpoint for this room; after a welcome it asks for what was missed (RECOVERY). */
function roomUrl() {
  const since = position.epoch !== null ? `?since=${encodeURIComponent(position.epoch)}:${position.offset}` : '';
  return webSocketUrl(`images/${encodeURIComponent(room)}${since}`);
}

function open(name) {
  room = name;
  position.epoch = null;
  position.offset = 0;
  welcomed = false;
  setRecovery('', '');
  $('room-title').textContent = `· ${room}`;
  const url = new URL(window.location.href);
  url.searchParams.set('room', room);
  window.history.replaceState(null, '', url);
  if (socket) socket.close();
  pendingDescription = null;
  uploads.forEach(withdraw);
  uploads = [];
  refused = null;
  socket = new ReconnectingWebSocket(roomUrl(), { binaryType: 'arraybuffer', accessPath: `images/${room}` });
  socket.onmessage = onMessage;
  socket.onopen = () => renderState();
  socket.onrefused = showRefused;
  socket.onclose = (event, retryIn) => {
    pendingDescription = null;
    // what was sent and not acknowledged never reached the room: say so, and take it back out
    const lost = uploads.map((u) => u.name);
    uploads.forEach(withdraw);
    uploads = [];
    recovering = null;
    const notSent = lost.length ? ` ${lost.join(', ')} ${lost.length === 1 ? 'was' : 'were'} not posted.` : '';
    if (retryIn !== null) {
      socket.url = roomUrl(); // the next attempt resumes from the last image seen
      setRecovery('', '');
      setStatus(`Connection lost (${describeClose(event)}).${notSent} Reconnecting in ${(retryIn / 1000).toFixed(1)} s…`, 'bad');
    } else if (event.code !== 1000 || notSent) {
      setStatus(`Closed: ${describeClose(event)}.${notSent}`, 'bad');
    }
    renderState();
  };
  socket.connect();
  renderState();
}

$('room-form').addEventListener('submit', (event) => {
  event.preventDefault();
  open($('room').value.trim());
});
$('file').addEventListener('change', async () => {
  await upload([...$('file').files]);
  $('file').value = '';
});
const drop = $('drop');
drop.addEventListener('dragover', (event) => { event.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  upload([...event.dataTransfer.files]);
});
document.addEventListener('paste', (event) => {
  const files = [...event.clipboardData.items].filter((i) => i.kind === 'file').map((i) => i.getAsFile());
  if (files.length) upload(files);
});

const params = new URLSearchParams(window.location.search);
$('room').value = params.get('room') || $('room').value;
showSession($('session'));
setInterval(renderState, 200);
open($('room').value);
