import RFB from '../vendor/novnc/core/rfb.js';
import { webSocketUrl } from './ws.js';

const $ = (id) => document.getElementById(id);
let rfb = null;
let wanted = false; // the user wants a connection (reconnect after unexpected drops)
let attempt = 0;
let retryTimer = null;

function setState(text, state) {
  $('state').textContent = text;
  $('state').dataset.state = state;
  const connected = state === 'OPEN';
  $('disconnect').disabled = !wanted;
  $('connect').disabled = wanted;
  $('ctrl-alt-del').disabled = !connected;
  $('send-clipboard').disabled = !connected;
}

function status(text) {
  $('status').textContent = text;
}

async function loadTargets() {
  try {
    const response = await fetch('vnc-targets', { cache: 'no-store' });
    const { targets } = await response.json();
    const select = $('target');
    select.replaceChildren(...targets.map((name) => new Option(name, name)));
    if (targets.length === 0) status('No VNC targets are configured on this server (vnc.targets).');
    const wantedTarget = new URLSearchParams(window.location.search).get('target');
    if (wantedTarget && targets.includes(wantedTarget)) select.value = wantedTarget;
  } catch (e) {
    status(`Cannot load the list of desktops: ${e.message}.`);
  }
}

function connect() {
  clearTimeout(retryTimer);
  const target = $('target').value;
  if (!target) return;
  wanted = true;
  setState('CONNECTING', 'CONNECTING');
  status(`Connecting to ${target}…`);
  rfb = new RFB($('screen'), webSocketUrl(`vnc/${encodeURIComponent(target)}`), { wsProtocols: ['binary'] });
  rfb.scaleViewport = $('scale').checked;
  rfb.resizeSession = false;
  rfb.viewOnly = $('view-only').checked;
  rfb.addEventListener('connect', () => {
    attempt = 0;
    $('password-form').hidden = true;
    setState('CONNECTED', 'OPEN');
    status(`Connected to ${target}${rfb.viewOnly ? ' (view only)' : ''}.`);
    rfb.focus();
  });
  rfb.addEventListener('disconnect', (event) => {
    rfb = null;
    $('password-form').hidden = true;
    if (wanted && !event.detail.clean) {
      const delay = Math.min(30000, 500 * 2 ** attempt);
      attempt += 1;
      setState('RECONNECTING', 'CONNECTING');
      status(`Lost the connection to ${target}. Reconnecting in ${(delay / 1000).toFixed(1)} s…`);
      retryTimer = setTimeout(connect, delay);
    } else {
      wanted = false;
      setState('DISCONNECTED', 'CLOSED');
      status(event.detail.clean ? `Disconnected from ${target}.` : `Could not connect to ${target}.`);
    }
  });
  rfb.addEventListener('credentialsrequired', () => {
    $('password-form').hidden = false;
    status(`${target} needs its VNC password.`);
    $('password').focus();
  });
  rfb.addEventListener('securityfailure', (event) => {
    wanted = false;
    status(`${target} refused the password${event.detail.reason ? `: ${event.detail.reason}` : ''}.`);
  });
  rfb.addEventListener('clipboard', (event) => {
    $('clipboard-text').value = event.detail.text;
  });
  rfb.addEventListener('desktopname', (event) => {
    document.title = `${event.detail.name} · VNC viewer`;
  });
}

$('controls').addEventListener('submit', (event) => {
  event.preventDefault();
  connect();
});
$('disconnect').addEventListener('click', () => {
  wanted = false;
  clearTimeout(retryTimer);
  if (rfb) rfb.disconnect(); else setState('DISCONNECTED', 'CLOSED');
});
$('password-form').addEventListener('submit', (event) => {
  event.preventDefault();
  rfb.sendCredentials({ password: $('password').value });
  $('password').value = '';
  $('password-form').hidden = true;
});
$('scale').addEventListener('change', () => { if (rfb) rfb.scaleViewport = $('scale').checked; });
$('view-only').addEventListener('change', () => { if (rfb) rfb.viewOnly = $('view-only').checked; });
$('ctrl-alt-del').addEventListener('click', () => rfb && rfb.sendCtrlAltDel());
$('send-clipboard').addEventListener('click', () => rfb && rfb.clipboardPasteFrom($('clipboard-text').value));

setState('DISCONNECTED', 'CLOSED');
await loadTargets();
if (new URLSearchParams(window.location.search).has('connect')) connect();
