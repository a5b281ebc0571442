import { stompClient } from './stomp-client.js';
import { timeOfDay, describeClose } from './ws.js';

const $ = (id) => document.getElementById(id);
const MAX_ITEMS = 300;
let client = null;
let transaction = null;
const subscriptions = new Map(); // id -> {destination, ack, resume, handle}
// The last x-epoch/x-offset seen on each /topic/*: where a "resume" subscription starts (x-since).
const positions = new Map(); // destination -> {epoch, offset}
let receipts = 0;

function addItem(list, className, parts) {
  const item = document.createElement('li');
  item.className = className;
  for (const [cls, text] of parts) {
    const span = document.createElement('div');
    span.className = cls;
    span.textContent = text; // frames and bodies are shown as text, never HTML
    item.append(span);
  }
  list.prepend(item);
  while (list.children.length > MAX_ITEMS) list.lastElementChild.remove();
  return item;
}

function logFrame(raw) {
  // stompjs reports raw traffic as ">>> FRAME" (sent) and "<<< FRAME" (received)
  const out = raw.startsWith('>>> ');
  const inbound = raw.startsWith('<<< ');
  if (!out && !inbound) return;
  const text = raw.slice(4).replace(/\0$/, '');
  const kind = text.startsWith('ERROR') ? 'error' : (out ? 'out' : 'in');
  addItem($('frames'), kind, [['frame', `${timeOfDay()} ${out ? '→' : '←'} ${text || '(heart-beat)'}`]]);
}

function setState(state, event) {
  $('state').textContent = state;
  $('state').dataset.state = state;
  const open = state === 'OPEN';
  for (const id of ['subscribe', 'send', 'begin', 'disconnect']) $(id).disabled = !open;
  $('connect').disabled = open || state === 'CONNECTING';
  $('commit').disabled = !open || !transaction;
  $('abort').disabled = !open || !transaction;
  $('use-tx').disabled = !open || !transaction;
  if (state === 'OPEN') {
    $('connection-info').textContent = `Connected to ${client.url} with STOMP ${client.connectedVersion}.`;
  } else if (state === 'CLOSED' && event) {
    $('connection-info').textContent = `Closed: ${describeClose(event)}.${client && client.active ? ' Reconnecting…' : ''}`;
    transaction = null;
    $('tx-id').textContent = '–';
  }
}

function parseHeaders(text) {
  const headers = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function renderSubscriptions() {
  const list = $('subscriptions');
  list.replaceChildren();
  for (const [id, sub] of subscriptions) {
    const item = document.createElement('li');
    item.textContent = `${sub.destination} (${sub.ack}${sub.resume ? ', resumes' : ''})`;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'quiet';
    button.textContent = 'Unsubscribe';
    button.setAttribute('aria-label', `Unsubscribe from ${sub.destination}`);
    button.addEventListener('click', () => {
      sub.handle.unsubscribe();
      subscriptions.delete(id);
      renderSubscriptions();
    });
    item.append(button);
    list.append(item);
  }
}

function showMessage(message, ack) {
  const headers = Object.entries(message.headers).map(([k, v]) => `${k}:${v}`).join('  ');
  const item = addItem($('messages'), 'message', [['meta', `${timeOfDay()}  ${headers}`], ['text', message.body]]);
  if (ack !== 'auto') {
    const acks = document.createElement('div');
    acks.className = 'acks';
    for (const [label, act] of [['ACK', () => message.ack(txHeader())], ['NACK', () => message.nack(txHeader())]]) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = label;
      button.addEventListener('click', () => {
        act();
        acks.replaceChildren(Object.assign(document.createElement('span'), { className: 'done', textContent: `${label} sent` }));
      });
      acks.append(button);
    }
    item.append(acks);
  }
}

function isTopic(destination) {
  return destination.startsWith('/topic/');
}

function notePosition(destination, headers) {
  const offset = Number(headers['x-offset']);
  if (headers['x-epoch'] === undefined || !Number.isInteger(offset)) return;
  positions.set(destination, { epoch: headers['x-epoch'], offset });
  renderPosition();
}

function renderPosition() {
  const destination = $('sub-destination').value.trim();
  const at = positions.get(destination);
  $('resume-position').textContent = !isTopic(destination) ? '(topics only)'
    : at ? `last seen on ${destination}: ${at.epoch}:${at.offset}` : `nothing seen yet on ${destination}`;
}

/** The resume line: parts are text, or [text] for a header shown as code (it never breaks). */
function setResumeStatus(parts, kind) {
  const line = $('resume-status');
  line.replaceChildren(...[].concat(parts).map((part) => (Array.isArray(part)
    ? Object.assign(document.createElement('code'), { textContent: part[0] }) : document.createTextNode(part))));
  line.className = `recovery ${kind}`;
}

/**
 * SUBSCRIBEs (again, after a reconnect, with the same id). A resuming topic subscription with a
 * remembered position asks for what came after it (x-since) with a receipt: the RECEIPT's
 * x-recovered says whether the broker still held it all; it comes before the recovered messages.
 */
function subscribe(sub, id) {
  const headers = { ack: sub.ack };
  if (id) headers.id = id;
  const from = sub.resume && isTopic(sub.destination) ? positions.get(sub.destination) : undefined;
  if (from) {
    headers['x-since'] = `${from.epoch}:${from.offset}`;
    receipts += 1;
    headers.receipt = `resume-${receipts}`;
    client.watchForReceipt(headers.receipt, (frame) => {
      if (frame.headers['x-recovered'] === 'true') {
        setResumeStatus([`Resumed ${sub.destination} after offset ${from.offset}: `, ['x-recovered:true'],
          ' — the missed messages follow.'], 'good');
      } else {
        setResumeStatus([`Could not resume ${sub.destination} after offset ${from.offset}: `,
          [`x-recovered:${frame.headers['x-recovered'] || '(none)'}`], ' — only new messages follow.'], 'bad');
      }
    });
  } else if (sub.resume) {
    setResumeStatus(isTopic(sub.destination) ? `Nothing seen yet on ${sub.destination}: subscribed from now.`
      : `${sub.destination} is not a topic: only topics resume.`, '');
  }
  sub.handle = client.subscribe(sub.destination, (m) => {
    if (isTopic(sub.destination)) notePosition(sub.destination, m.headers);
    showMessage(m, sub.ack);
  }, headers);
  return sub.handle;
}

function txHeader() {
  return transaction && $('use-tx').checked ? { transaction: transaction.id } : {};
}

$('connect-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const version = $('version').value;
  const connectHeaders = {};
  if ($('login').value) connectHeaders.login = $('login').value;
  if ($('passcode').value) connectHeaders.passcode = $('passcode').value;
  subscriptions.clear();
  renderSubscriptions();
  client = stompClient({
    versions: [version], connectHeaders, onState: setState, debug: logFrame,
  });
  client.onStompError = (frame) => {
    $('connection-info').textContent = `ERROR from the broker: ${frame.headers.message || frame.body}`;
  };
  client.whenConnected(() => {
    // resubscribe after a reconnect
    for (const [id, sub] of subscriptions) subscribe(sub, id);
  });
  client.activate();
});

$('disconnect').addEventListener('click', async () => {
  await client.deactivate();
  setState('CLOSED');
  $('connection-info').textContent = 'Disconnected.';
});

$('subscribe-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const destination = $('sub-destination').value.trim();
  const ack = $('ack-mode').value;
  const sub = { destination, ack, resume: $('resume').checked };
  if (!sub.resume) setResumeStatus('', '');
  const handle = subscribe(sub);
  subscriptions.set(handle.id, sub);
  renderSubscriptions();
});

$('send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const headers = { ...parseHeaders($('headers').value), ...txHeader() };
  client.publish({ destination: $('send-destination').value.trim(), body: $('body').value, headers });
});

$('begin').addEventListener('click', () => {
  transaction = client.begin();
  $('tx-id').textContent = transaction.id;
  $('use-tx').checked = true;
  setState('OPEN');
});
for (const [id, act] of [['commit', 'commit'], ['abort', 'abort']]) {
  $(id).addEventListener('click', () => {
    transaction[act]();
    transaction = null;
    $('tx-id').textContent = '–';
    $('use-tx').checked = false;
    setState('OPEN');
  });
}
$('sub-destination').addEventListener('input', renderPosition);
$('clear-messages').addEventListener('click', () => $('messages').replaceChildren());
$('clear-frames').addEventListener('click', () => $('frames').replaceChildren());
setState('CLOSED');
renderPosition();
