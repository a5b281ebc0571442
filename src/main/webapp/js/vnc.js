import RFB from '../vendor/novnc/core/rfb.js';
import { webSocketUrl, describeClose, pageFetch, access, loginUrl, RETRYABLE_CLOSES } from './ws.js';
import { showSession } from './session.js';

const $ = (id) => document.getElementById(id);
const KEYSYMS = { Control_L: 0xffe3, Alt_L: 0xffe9, Tab: 0xff09, Escape: 0xff1b };
let rfb = null;
let targets = [];
let wanted = false; // the user wants a connection (reconnect after drops a retry can help)
let everConnected = false; // since the user pressed Connect: a drop of a session that worked is worth retrying
let attempt = 0;
let retryTimer = null;
const held = new Set(); // modifiers held down from the extra-keys bar

function setState(text, state) {
  $('state').textContent = text;
  $('state').dataset.state = state;
  const connected = state === 'OPEN';
  $('disconnect').disabled = !wanted;
  $('connect').disabled = wanted;
  $('send-clipboard').disabled = !connected;
  for (const key of document.querySelectorAll('#extra-keys button')) key.disabled = !connected || $('view-only').checked;
  if (!connected) releaseModifiers(false);
}

function status(text) {
  $('status').replaceChildren(text);
}

async function loadTargets() {
  try {
    const response = await pageFetch('vnc-targets');
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    ({ targets } = await response.json());
    const select = $('target');
    select.replaceChildren(...targets.map((name) => new Option(name, name)));
    if (targets.length === 0) status('No VNC targets are configured on this server (vnc.targets).');
    const wantedTarget = new URLSearchParams(window.location.search).get('target');
    if (wantedTarget && targets.includes(wantedTarget)) select.value = wantedTarget;
    else if (wantedTarget) status(`There is no desktop called “${wantedTarget}” on this server.`);
  } catch (e) {
    status(`Cannot load the list of desktops: ${e.message}.`);
  }
}

/** The delay before the next attempt: 0.5 s, 1 s, 2 s … 30 s, with jitter. */
function nextDelay() {
  const base = Math.min(30000, 500 * 2 ** attempt);
  attempt += 1;
  return Math.round(base / 2 + Math.random() * base / 2);
}

function retry(target, why) {
  const delay = nextDelay();
  setState('RECONNECTING', 'CONNECTING');
  status(`Lost the connection to ${target} (${why}). Reconnecting in ${(delay / 1000).toFixed(1)} s…`);
  retryTimer = setTimeout(() => connect(target), delay);
}

function stop(text, badge = 'DISCONNECTED') {
  wanted = false;
  setState(badge, 'CLOSED');
  if (typeof text === 'string') status(text); else $('status').replaceChildren(...text);
}

/** A close before the WebSocket opened: refused (log in, not allowed) or dropped (the server is away)? */
async function closedBeforeOpen(target, close) {
  let answer = null;
  try { answer = await access(`vnc/${target}`); } catch { /* the server is not answering */ }
  if (!wanted) return;
  if (answer && answer.access === 'login') {
    const link = Object.assign(document.createElement('a'), { href: loginUrl(), className: 'login', textContent: 'Log in' });
    stop([link, ` to use ${target}: with security on, the VNC viewer needs a logged-in operator.`], 'REFUSED');
  } else if (answer && answer.access === 'forbidden') {
    stop(`You are not allowed to use ${target}${answer.user ? ` as ${answer.user}` : ''}${answer.reason ? ` (${answer.reason})` : ''}.`, 'FORBIDDEN');
  } else if (everConnected) {
    retry(target, describeClose(close));
  } else {
    stop(`Could not connect to ${target}: ${answer ? describeClose(close) : 'the server does not answer'}.`);
  }
}

function connect(target = $('target').value) {
  clearTimeout(retryTimer);
  if (!target) return;
  if (!targets.includes(target)) {
    stop(`There is no desktop called “${target}” on this server.`);
    return;
  }
  wanted = true;
  setState(attempt > 0 ? 'RECONNECTING' : 'CONNECTING', 'CONNECTING');
  if (attempt === 0) status(`Connecting to ${target}…`);
  // our own WebSocket, handed to noVNC, so that the close code and the bridge's reason are ours to show
  const socket = new WebSocket(webSocketUrl(`vnc/${encodeURIComponent(target)}`), ['binary']);
  socket.binaryType = 'arraybuffer';
  let opened = false;
  let close = null;
  let failure = null;
  socket.addEventListener('open', () => { opened = true; });
  socket.addEventListener('close', (event) => { close = event; });
  const session = new RFB($('screen'), socket);
  rfb = session;
  session.scaleViewport = $('scale').checked;
  session.resizeSession = false;
  session.viewOnly = $('view-only').checked;
  let connected = false;
  session.addEventListener('connect', () => {
    connected = true;
    everConnected = true;
    attempt = 0;
    $('password-form').hidden = true;
    setState('CONNECTED', 'OPEN');
    status(`Connected to ${target}${session.viewOnly ? ' (view only)' : ''}.`);
    session.focus();
  });
  session.addEventListener('disconnect', () => {
    if (rfb === session) rfb = null;
    $('password-form').hidden = true;
    const why = close ? describeClose(close) : 'the viewer ended the session';
    if (!wanted) {
      if ($('state').dataset.state !== 'CLOSED') stop(`Disconnected from ${target} (you disconnected).`);
      return;
    }
    if (failure) {
      stop(failure);
    } else if (close && !opened) {
      closedBeforeOpen(target, close);
    } else if (everConnected && close && (RETRYABLE_CLOSES.has(close.code) || close.code === 1000)) {
      // the server went away or restarted, the VNC server exited or was lost: it may well come back
      retry(target, why);
    } else if (connected) {
      stop(`Disconnected from ${target}: ${why}.`);
    } else {
      stop(`Could not connect to ${target}: ${close && close.reason ? close.reason : why}.`);
    }
  });
  session.addEventListener('credentialsrequired', () => {
    $('password-form').hidden = false;
    status(`${target} needs its VNC password.`);
    $('password').focus();
  });
  session.addEventListener('securityfailure', (event) => {
    failure = `${target} refused the password${event.detail.reason ? `: ${event.detail.reason}` : ''}.`;
  });
  session.addEventListener('clipboard', (event) => {
    $('clipboard-text').value = event.detail.text;
  });
  session.addEventListener('desktopname', (event) => {
    document.title = `${event.detail.name} · VNC viewer`;
  });
}

/** Lets go of every modifier held from the bar (telling the desktop when still connected). */
function releaseModifiers(send = true) {
  for (const name of held) {
    if (send && rfb) rfb.sendKey(KEYSYMS[name], null, false);
    document.querySelector(`#extra-keys [data-key="${name}"]`).setAttribute('aria-pressed', 'false');
  }
  held.clear();
}

$('controls').addEventListener('submit', (event) => {
  event.preventDefault();
  attempt = 0;
  everConnected = false;
  connect();
});
$('disconnect').addEventListener('click', () => {
  wanted = false;
  clearTimeout(retryTimer);
  releaseModifiers();
  if (rfb) rfb.disconnect(); else stop(`Disconnected from ${$('target').value} (you disconnected).`);
});
$('password-form').addEventListener('submit', (event) => {
  event.preventDefault();
  rfb.sendCredentials({ password: $('password').value });
  $('password').value = '';
  $('password-form').hidden = true;
});
$('scale').addEventListener('change', () => { if (rfb) rfb.scaleViewport = $('scale').checked; });
$('view-only').addEventListener('change', () => {
  if (rfb) rfb.viewOnly = $('view-only').checked;
  setState($('state').textContent, $('state').dataset.state);
});
$('send-clipboard').addEventListener('click', () => rfb && rfb.clipboardPasteFrom($('clipboard-text').value));
$('extra-keys').addEventListener('click', (event) => {
  const button = event.target.closest('button');
  if (!button || !rfb) return;
  const name = button.dataset.key;
  if (button.id === 'ctrl-alt-del') {
    rfb.sendCtrlAltDel();
  } else if (button.hasAttribute('aria-pressed')) {
    // a modifier: held until pressed again, so Ctrl then Tab is Ctrl+Tab on the desktop
    const down = !held.has(name);
    if (down) held.add(name); else held.delete(name);
    rfb.sendKey(KEYSYMS[name], null, down);
    button.setAttribute('aria-pressed', String(down));
  } else {
    rfb.sendKey(KEYSYMS[name], null);
  }
  rfb.focus();
});
$('fullscreen').addEventListener('click', async () => {
  try {
    if (document.fullscreenElement) await document.exitFullscreen();
    else await $('screen-area').requestFullscreen();
  } catch (e) {
    status(`Fullscreen is not available here: ${e.message}.`);
  }
});
document.addEventListener('fullscreenchange', () => {
  $('fullscreen').textContent = document.fullscreenElement ? 'Exit fullscreen' : 'Fullscreen';
  if (rfb) rfb.focus();
});

setState('DISCONNECTED', 'CLOSED');
showSession($('session'));
await loadTargets();
const asked = new URLSearchParams(window.location.search);
if (asked.has('connect')) connect(asked.get('target') || $('target').value);
