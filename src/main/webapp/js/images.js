import { webSocketUrl, ReconnectingWebSocket, READY_STATES, describeClose, formatBytes } from './ws.js';

const $ = (id) => document.getElementById(id);
const ERROR_TEXT = {
  'not-an-image': 'That file is not a PNG, JPEG, GIF or WebP image',
  'too-large': 'That image is too large',
  'rate-limited': 'Too many uploads at once — wait a moment',
  forbidden: 'You may not post images in this room',
};
const MAX_GALLERY = 60;

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
  $('state').textContent = state;
  $('state').dataset.state = state;
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

function addToGallery(description, bytes, { mine = false } = {}) {
  if (description.id) shown.add(description.id);
  const blob = new Blob([bytes], { type: description.mime });
  const url = URL.createObjectURL(blob);
  const item = document.createElement('li');
  if (mine) item.className = 'mine';
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
  meta.textContent = `${new Date(description.ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })} · ${formatBytes(description.bytes)}`;
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
      if (message.maxBytes) $('max-size').textContent = formatBytes(message.maxBytes);
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
      if (Number.isInteger(message.offset)) position.offset = Math.max(position.offset, message.offset);
      setStatus(`Sent ${upload ? upload.name : 'image'} (${formatBytes(message.bytes)}) to the room.`, 'good');
      break;
    }
    case 'error': {
      const upload = uploads.shift();
      const name = upload && upload.name;
      setStatus(`${name ? `${name}: ` : ''}${ERROR_TEXT[message.code] || 'Refused'}${message.detail ? ` (${message.detail})` : ''}.`, 'bad');
      break;
    }
    default:
      break;
  }
  renderState();
}

async function upload(files) {
  for (const file of files) {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      setStatus('Not connected — wait for the connection to come back.', 'bad');
      return;
    }
    const bytes = await file.arrayBuffer();
    socket.send(bytes);
    // show our own image at once: the server never echoes it back
    const item = addToGallery({ id: '', from: 'you', mime: file.type || 'image/*', bytes: bytes.byteLength, ts: Date.now() }, bytes, { mine: true });
    uploads.push({ name: file.name || 'pasted image', item });
    setStatus(`Sending ${file.name || 'pasted image'} (${formatBytes(bytes.byteLength)})…`);
  }
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
  uploads = [];
  socket = new ReconnectingWebSocket(roomUrl(), { binaryType: 'arraybuffer' });
  socket.onmessage = onMessage;
  socket.onopen = () => renderState();
  socket.onclose = (event, retryIn) => {
    pendingDescription = null;
    uploads = [];
    recovering = null;
    if (retryIn !== null) {
      socket.url = roomUrl(); // the next attempt resumes from the last image seen
      setRecovery('', '');
      setStatus(`Connection lost (${describeClose(event)}). Reconnecting in ${(retryIn / 1000).toFixed(1)} s…`, 'bad');
    } else if (event.code !== 1000) {
      setStatus(`Closed: ${describeClose(event)}.`, 'bad');
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
setInterval(renderState, 200);
open($('room').value);
