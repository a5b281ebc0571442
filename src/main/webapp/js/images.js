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
let uploads = []; // names of files sent and not yet acknowledged

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

function addToGallery(description, bytes, { mine = false } = {}) {
  const blob = new Blob([bytes], { type: description.mime });
  const url = URL.createObjectURL(blob);
  const item = document.createElement('li');
  if (mine) item.className = 'mine';
  const img = document.createElement('img');
  img.src = url;
  img.alt = `Image from ${description.from}`;
  img.dataset.id = description.id;
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
}

function onMessage(event) {
  if (typeof event.data !== 'string') {
    if (pendingDescription) addToGallery(pendingDescription, event.data);
    pendingDescription = null;
    return;
  }
  let message;
  try { message = JSON.parse(event.data); } catch { return; }
  switch (message.type) {
    case 'welcome':
      if (message.maxBytes) $('max-size').textContent = formatBytes(message.maxBytes);
      $('gallery').replaceChildren();
      $('empty').hidden = false;
      setStatus(message.history ? `Joined ${message.room}; showing its last ${message.history} image(s).` : `Joined ${message.room}.`);
      break;
    case 'image':
      pendingDescription = message;
      break;
    case 'ack': {
      const name = uploads.shift();
      setStatus(`Sent ${name || 'image'} (${formatBytes(message.bytes)}) to the room.`, 'good');
      break;
    }
    case 'error': {
      const name = uploads.shift();
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
    uploads.push(file.name || 'pasted image');
    socket.send(bytes);
    // show our own image at once: the server never echoes it back
    addToGallery({ id: '', from: 'you', mime: file.type || 'image/*', bytes: bytes.byteLength, ts: Date.now() }, bytes, { mine: true });
    setStatus(`Sending ${file.name || 'pasted image'} (${formatBytes(bytes.byteLength)})…`);
  }
  renderState();
}

function open(name) {
  room = name;
  $('room-title').textContent = `· ${room}`;
  const url = new URL(window.location.href);
  url.searchParams.set('room', room);
  window.history.replaceState(null, '', url);
  if (socket) socket.close();
  pendingDescription = null;
  uploads = [];
  socket = new ReconnectingWebSocket(webSocketUrl(`images/${encodeURIComponent(room)}`), { binaryType: 'arraybuffer' });
  socket.onmessage = onMessage;
  socket.onopen = () => renderState();
  socket.onclose = (event, retryIn) => {
    pendingDescription = null;
    uploads = [];
    if (retryIn !== null) {
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
drop.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); $('file').click(); }
});
document.addEventListener('paste', (event) => {
  const files = [...event.clipboardData.items].filter((i) => i.kind === 'file').map((i) => i.getAsFile());
  if (files.length) upload(files);
});

const params = new URLSearchParams(window.location.search);
$('room').value = params.get('room') || $('room').value;
setInterval(renderState, 200);
open($('room').value);
