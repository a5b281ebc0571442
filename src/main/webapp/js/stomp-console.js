import { stompClient } from './stomp-client.js';
import { timeOfDay, describeClose } from './ws.js';

const $ = (id) => document.getElementById(id);
const MAX_ITEMS = 300;
let client = null;
let transaction = null;
const subscriptions = new Map(); // id -> {destination, ack, resume, prefetch, selector, durable, handle}
// The client-id the current connection was opened with ('' for none): durable subscriptions need one.
let connectedClientId = '';
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
  $('client-id').disabled = open || state === 'CONNECTING';
  renderSubscribeOptions();
  if (state === 'OPEN') {
    $('connection-info').textContent = `Connected to ${client.url} with STOMP ${client.connectedVersion}`
      + `${connectedClientId ? ` as client id ${connectedClientId}` : ''}.`;
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

/** What a subscription asked for besides its destination, as header:value text. */
function describeSubscription(sub) {
  const parts = [`ack:${sub.ack}`];
  if (sub.prefetch) parts.push(`prefetch-count:${sub.prefetch}`);
  if (sub.durable) parts.push(`durable-subscription-name:${sub.durable}`);
  if (sub.selector) parts.push(`selector:${sub.selector}`);
  if (sub.resume) parts.push('resumes');
  return parts;
}

function unsubscribeButton(label, ariaLabel, act) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'quiet';
  button.textContent = label;
  button.setAttribute('aria-label', ariaLabel);
  button.addEventListener('click', act);
  return button;
}

function renderSubscriptions() {
  const list = $('subscriptions');
  list.replaceChildren();
  for (const [id, sub] of subscriptions) {
    const item = document.createElement('li');
    item.dataset.id = id;
    const what = document.createElement('span');
    what.className = 'sub-what';
    const destination = Object.assign(document.createElement('span'), { className: 'sub-destination', textContent: sub.destination });
    const headers = Object.assign(document.createElement('span'), { className: 'sub-headers', textContent: describeSubscription(sub).join('  ') });
    what.append(destination, ' ', headers);
    item.append(what);
    // a plain UNSUBSCRIBE leaves a durable subscription away (the broker keeps its messages);
    // one carrying durable-subscription-name ends it for good
    item.append(unsubscribeButton('Unsubscribe', `Unsubscribe from ${sub.destination}`, () => {
      sub.handle.unsubscribe();
      subscriptions.delete(id);
      renderSubscriptions();
      setSubscriptionNote(sub.durable
        ? `Durable subscription ${sub.durable} is away: the broker keeps ${sub.destination}'s messages for it until you subscribe again with the same client id and name.`
        : '');
    }));
    if (sub.durable) {
      item.append(unsubscribeButton('End durable subscription', `End durable subscription ${sub.durable} on ${sub.destination}`, () => {
        sub.handle.unsubscribe({ 'durable-subscription-name': sub.durable });
        subscriptions.delete(id);
        renderSubscriptions();
        setSubscriptionNote(`Durable subscription ${sub.durable} ended: the broker no longer keeps messages for it.`);
      }));
    }
    list.append(item);
  }
}

function setSubscriptionNote(text) {
  $('subscription-note').textContent = text;
}

function showMessage(message, ack) {
  const headers = Object.entries(message.headers).map(([k, v]) => `${k}:${v}`).join('  ');
  const item = addItem($('messages'), 'message', [['meta', `${timeOfDay()}  ${headers}`], ['text', message.body]]);
  if (message.headers.redelivered === 'true') {
    item.classList.add('redelivered');
    item.prepend(Object.assign(document.createElement('span'), { className: 'badge', textContent: 'redelivered' }));
  }
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
  if (sub.prefetch) headers['prefetch-count'] = sub.prefetch;
  if (sub.selector) headers.selector = sub.selector;
  if (sub.durable) headers['durable-subscription-name'] = sub.durable;
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
  connectedClientId = $('client-id').value.trim();
  if (connectedClientId) connectHeaders['client-id'] = connectedClientId;
  subscriptions.clear();
  renderSubscriptions();
  if (client) client.deactivate(); // one client at a time: a Connect while reconnecting replaces it
  const current = stompClient({
    versions: [version],
    connectHeaders,
    // a replaced client's last close must not show on the page as this one's state
    onState: (state, closeEvent) => { if (client === current) setState(state, closeEvent); },
    debug: logFrame,
  });
  client = current;
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

const ACKED_BY_CLIENT = new Set(['client', 'client-individual']);
const MAX_PREFETCH = 2147483647;

/** The client id a durable subscription would be made under: this connection's, or the one the form will connect with. */
function effectiveClientId() {
  return client && client.active ? connectedClientId : $('client-id').value.trim();
}

/**
 * Enables the subscribe options that apply to the destination and ack mode, each with a line
 * saying why it is off. A durable name already typed stays editable (marked) when it stops
 * applying, so nothing typed is dropped silently; submitting then explains instead of sending.
 */
function renderSubscribeOptions() {
  const destination = $('sub-destination').value.trim();
  const prefetchApplies = ACKED_BY_CLIENT.has($('ack-mode').value);
  $('prefetch').disabled = !prefetchApplies;
  $('prefetch-hint').textContent = prefetchApplies
    ? 'At most this many unacknowledged messages at a time (a whole number, 1 or more); empty for no limit.'
    : 'Only with ack client or client-individual: with auto nothing waits for an acknowledgement.';
  if (!prefetchApplies) showFieldError('prefetch', 'prefetch-error', '');

  const clientId = effectiveClientId();
  const why = durableUnavailable(destination, clientId);
  const typed = $('durable-name').value.trim() !== '';
  $('durable-name').disabled = Boolean(why) && !typed;
  $('durable-hint').textContent = why
    || `The broker keeps this topic's messages for client id ${clientId} under this name while you are away; empty for an ordinary subscription.`;
  if (!why) showFieldError('durable-name', 'durable-error', '');
}

/** Why a durable subscription cannot be made here ('' when it can). */
function durableUnavailable(destination, clientId) {
  if (!clientId) {
    return client && client.active
      ? 'Off: this connection has no client id. Disconnect and connect with one to subscribe durably.'
      : 'Off: durable subscriptions need a client id. Enter one under Connection before connecting.';
  }
  if (!isTopic(destination)) return 'Off: durable subscriptions are for /topic/ destinations only (a queue keeps its messages anyway).';
  return '';
}

function showFieldError(field, errorId, text) {
  const error = $(errorId);
  error.textContent = text;
  error.hidden = !text;
  if (text) $(field).setAttribute('aria-invalid', 'true');
  else $(field).removeAttribute('aria-invalid');
}

/** A problem that makes the broker refuse the selector for sure: an open quote or unbalanced parentheses ('' if none). */
function selectorProblem(selector) {
  let depth = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === "'") {
      // a string literal; '' inside it is a quote
      i += 1;
      while (i < selector.length && !(selector[i] === "'" && selector[i + 1] !== "'")) i += selector[i] === "'" ? 2 : 1;
      if (i >= selector.length) return 'A string in the selector is not closed: end it with a single quote (\').';
    } else if (c === '(') {
      depth += 1;
    } else if (c === ')') {
      depth -= 1;
      if (depth < 0) return 'The selector closes a parenthesis that was not opened.';
    }
  }
  return depth > 0 ? 'The selector leaves a parenthesis open.' : '';
}

/**
 * The subscription's options from the form, checked the way the broker will check them, or
 * null when a field is wrong (each such field then shows why, and the first gets the focus).
 */
function subscribeOptions(destination, ack) {
  const problems = [];
  let prefetch;
  if (ACKED_BY_CLIENT.has(ack)) {
    const field = $('prefetch');
    const text = field.value.trim();
    if (field.validity.badInput || (text !== '' && !(/^[0-9]+$/.test(text) && Number(text) >= 1 && Number(text) <= MAX_PREFETCH))) {
      problems.push(['prefetch', 'prefetch-error', 'Prefetch is a whole number of messages, 1 or more (or empty for no limit).']);
    } else if (text !== '') {
      prefetch = String(Number(text));
    }
  }
  const selector = $('selector').value.trim();
  const badSelector = selector ? selectorProblem(selector) : '';
  if (badSelector) problems.push(['selector', 'selector-error', badSelector]);
  const durable = $('durable-name').value.trim();
  if (durable && !effectiveClientId()) {
    problems.push(['durable-name', 'durable-error', 'Not subscribed: a durable name needs a client id. Clear the name, or connect again with a client id.']);
  } else if (durable && !isTopic(destination)) {
    problems.push(['durable-name', 'durable-error', 'Not subscribed: a durable name needs a /topic/ destination. Clear the name, or subscribe to a topic.']);
  }

  for (const [field, error] of [['prefetch', 'prefetch-error'], ['selector', 'selector-error'], ['durable-name', 'durable-error']]) {
    const problem = problems.find((p) => p[0] === field);
    showFieldError(field, error, problem ? problem[2] : '');
  }
  if (problems.length) {
    $(problems[0][0]).focus();
    return null;
  }
  return { prefetch, selector: selector || undefined, durable: durable || undefined };
}

$('subscribe-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const destination = $('sub-destination').value.trim();
  const ack = $('ack-mode').value;
  const options = subscribeOptions(destination, ack);
  if (!options) return; // the fields say what is wrong; nothing was sent
  const sub = { destination, ack, resume: $('resume').checked, ...options };
  if (!sub.resume) setResumeStatus('', '');
  setSubscriptionNote('');
  const handle = subscribe(sub);
  subscriptions.set(handle.id, sub);
  renderSubscriptions();
});

$('send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const headers = { ...parseHeaders($('headers').value), ...txHeader() };
  if ($('persistent').checked) headers.persistent = 'true';
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
$('sub-destination').addEventListener('input', () => { renderPosition(); renderSubscribeOptions(); });
$('ack-mode').addEventListener('change', renderSubscribeOptions);
$('client-id').addEventListener('input', renderSubscribeOptions);
for (const [field, error] of [['prefetch', 'prefetch-error'], ['selector', 'selector-error'], ['durable-name', 'durable-error']]) {
  $(field).addEventListener('input', () => showFieldError(field, error, ''));
}
// a durable name cleared where it does not apply is switched off once the field is left, not mid-keystroke
$('durable-name').addEventListener('change', renderSubscribeOptions);
$('clear-messages').addEventListener('click', () => $('messages').replaceChildren());
$('clear-frames').addEventListener('click', () => $('frames').replaceChildren());
setState('CLOSED');
renderPosition();
