import { webSocketUrl, ReconnectingWebSocket, describeClose, loginUrl } from './ws.js';
import { attachTarget } from './console-target.js';
import { showSession } from './session.js';

const $ = (id) => document.getElementById(id);
const isTarget = new URLSearchParams(window.location.search).has('target');

const BADGE = { ATTACHED: 'OPEN', DETACHED: 'CLOSED', REFUSED: 'CLOSED', FORBIDDEN: 'CLOSED' };

function setState(state) {
  $('state').textContent = state;
  $('state').dataset.state = BADGE[state] || state;
}

/** "Chrome 131", "Firefox 133", "Safari 17.2" … from a user agent (the whole one stays in the title). */
export function browserName(agent) {
  const found = (pattern) => (agent.match(pattern) || [])[1];
  const version = (v) => v.split('.').slice(0, 1).join('.');
  let name;
  let v;
  if ((v = found(/Edg(?:e|A|iOS)?\/([\d.]+)/))) name = 'Edge';
  else if ((v = found(/(?:OPR|Opera)\/([\d.]+)/))) name = 'Opera';
  else if ((v = found(/(?:Firefox|FxiOS)\/([\d.]+)/))) name = 'Firefox';
  else if ((v = found(/HeadlessChrome\/([\d.]+)/))) name = 'Headless Chrome';
  else if ((v = found(/Chromium\/([\d.]+)/))) name = 'Chromium';
  else if ((v = found(/(?:Chrome|CriOS)\/([\d.]+)/))) name = 'Chrome';
  else if ((v = found(/Version\/([\d.]+).*Safari\//))) return `Safari ${v.split('.').slice(0, 2).join('.')}${os(agent)}`;
  else return agent.split(' ')[0] || 'unknown browser';
  return `${name} ${version(v)}${os(agent)}`;
}

function os(agent) {
  const systems = [[/Android/, 'Android'], [/iPhone|iPad/, 'iOS'], [/Windows/, 'Windows'], [/Mac OS X/, 'macOS'],
    [/CrOS/, 'ChromeOS'], [/Linux/, 'Linux']];
  const match = systems.find(([pattern]) => pattern.test(agent));
  return match ? ` on ${match[1]}` : '';
}

/** The page's "log in" / "not allowed" line, in `element`, from an access answer. */
function refusal(element, answer, what) {
  if (answer.access === 'login') {
    const link = Object.assign(document.createElement('a'), { href: loginUrl(), className: 'login', textContent: 'Log in' });
    element.replaceChildren(link, ` to ${what}: with security on, only logged-in users may.`);
    setState('REFUSED');
  } else {
    element.textContent = `You are not allowed to ${what}${answer.user ? ` as ${answer.user}` : ''}${answer.reason ? ` (${answer.reason})` : ''}.`;
    setState('FORBIDDEN');
  }
}

// ---- target page ------------------------------------------------------------------------------

function targetPage() {
  $('target-view').hidden = false;
  $('mode-title').textContent = 'Remote console — target';
  $('server-host').textContent = window.location.host;
  $('label').value = `Tab ${Math.floor(Math.random() * 900 + 100)}`;
  let target = null;
  const attached = (yes) => {
    $('detach').hidden = !yes;
    $('attach').textContent = yes ? 'Change label' : 'Attach';
  };
  $('detach').addEventListener('click', () => {
    const attachment = target;
    target = null;
    if (attachment) attachment.detach();
    attached(false);
    setState('DETACHED');
    $('target-id').textContent = 'Detached: operators can no longer run anything here. Attach again to let them.';
    $('attach').focus();
  });
  $('label-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (target) target.detach();
    const attachment = attachTarget({ label: $('label').value });
    target = attachment;
    setState('CONNECTING');
    target.onEvent((e) => {
      // the close of the attachment this one replaced can arrive after this one attached
      if (target !== attachment) return;
      if (e.type === 'attached') {
        setState('ATTACHED');
        attached(true);
        $('target-id').textContent = `Attached as ${e.id}.`;
      } else if (e.type === 'refused') {
        attached(false);
        target = null;
        refusal($('target-id'), e, 'attach this page to the console');
      } else if (e.type === 'close') {
        if (e.retryIn === null && e.code === 1008) {
          attached(false);
          refusal($('target-id'), { access: 'forbidden', reason: e.reason }, 'attach this page to the console');
          return;
        }
        setState(e.retryIn === null ? 'CLOSED' : 'CONNECTING');
        if (e.retryIn === null) attached(false);
        $('target-id').textContent = `Connection closed (${describeClose(e)})${e.retryIn === null ? '' : `; reconnecting in ${(e.retryIn / 1000).toFixed(1)} s…`}`;
      } else if (e.type === 'result') {
        const item = document.createElement('li');
        const code = Object.assign(document.createElement('div'), { className: 'code' });
        code.textContent = e.code;
        const value = Object.assign(document.createElement('div'), { className: `value${e.error ? ' error' : ''}` });
        value.textContent = e.error || e.value;
        item.append(code, value);
        $('evaluated').append(item); // oldest first, as a console reads
      }
    });
  });
  $('label-form').requestSubmit();
}

// ---- operator page ----------------------------------------------------------------------------

function operatorPage() {
  $('operator-view').hidden = false;
  const socket = new ReconnectingWebSocket(webSocketUrl('console'), { accessPath: 'console' });
  const history = [];
  let historyIndex = 0;
  let targets = [];
  let nextId = 1;
  const requests = new Map(); // request id -> {target id -> value element}

  const send = (message) => socket.send(JSON.stringify(message));

  function renderTargets() {
    const checked = new Set([...document.querySelectorAll('#targets input:checked')].map((box) => box.value));
    const body = $('targets').tBodies[0];
    body.replaceChildren();
    for (const t of targets) {
      const row = document.createElement('tr');
      row.dataset.target = t.id;
      const pick = document.createElement('td');
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: t.id, checked: checked.has(t.id) });
      box.setAttribute('aria-label', `Send to ${t.label}`);
      pick.append(box);
      const cells = [[t.label, 'label', t.label], [browserName(t.agent || ''), 'agent', t.agent],
        [new Date(t.since).toLocaleTimeString(), 'since', ''], [t.id, 'id', t.id]]
        .map(([text, cls, title]) => Object.assign(document.createElement('td'), { className: cls, textContent: text, title }));
      row.append(pick, ...cells);
      body.append(row);
    }
    $('target-count').textContent = `(${targets.length})`;
    $('no-targets').hidden = targets.length > 0;
  }

  function startRequest(id, code, to) {
    const item = document.createElement('li');
    item.dataset.request = id;
    const line = Object.assign(document.createElement('div'), { className: 'code' });
    line.textContent = code;
    const list = document.createElement('ul');
    item.append(line, list);
    $('results').append(item); // oldest first: the newest at the bottom, next to where it was typed
    item.scrollIntoView({ block: 'nearest' });
    const rows = new Map();
    for (const t of targets.filter((x) => !to || to.includes(x.id))) {
      const row = document.createElement('li');
      row.dataset.target = t.id;
      const who = Object.assign(document.createElement('span'), { className: 'who', title: `${t.label} · ${browserName(t.agent || '')}` });
      who.textContent = `${t.label} (${t.id})`;
      const value = Object.assign(document.createElement('span'), { className: 'value waiting', textContent: 'waiting…' });
      row.append(who, value);
      list.append(row);
      rows.set(t.id, value);
    }
    requests.set(id, rows);
  }

  socket.onopen = () => {
    setState('OPEN');
    $('notice').textContent = '';
    send({ type: 'attach', role: 'operator' });
  };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    switch (message.type) {
      case 'attached':
        setState('ATTACHED');
        $('run').disabled = false;
        break;
      case 'targets':
        targets = message.targets;
        renderTargets();
        break;
      case 'pending': {
        const rows = requests.get(message.id);
        if (rows && message.targets === 0) {
          const item = document.querySelector(`#results li[data-request="${CSS.escape(message.id)}"] ul`);
          item.append(Object.assign(document.createElement('li'), { textContent: 'No page is attached.' }));
        }
        break;
      }
      case 'result': {
        const rows = requests.get(message.id);
        const value = rows && rows.get(message.target);
        if (!value) break;
        const error = message.error !== undefined;
        value.className = `value${error ? ' error' : ''}`;
        value.textContent = error ? (message.error === 'timeout' ? 'timeout: no answer in time'
          : message.error === 'detached' ? 'detached: the page went away' : message.error) : message.value;
        break;
      }
      case 'error':
        $('notice').textContent = `${message.code}: ${message.detail}`;
        break;
      default:
        break;
    }
  };
  socket.onclose = (event, retryIn) => {
    $('run').disabled = true;
    if (event.code === 1008) {
      // the server said no (not an operator): the same attempt gets the same answer
      socket.close();
      setState('FORBIDDEN');
      $('notice').textContent = `You are not allowed to operate the console (${describeClose(event)}): `
        + 'it can be operated from this machine only, or with the operator role.';
      return;
    }
    setState(retryIn === null ? 'CLOSED' : 'CONNECTING');
    $('notice').textContent = `Connection closed (${describeClose(event)})${retryIn === null ? '' : ` — reconnecting in ${(retryIn / 1000).toFixed(1)} s`}.`;
  };
  socket.onrefused = (answer) => refusal($('notice'), answer, 'operate the console');
  socket.connect();

  $('eval-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const code = $('code').value.trim();
    if (!code) return;
    const to = [...document.querySelectorAll('#targets input:checked')].map((box) => box.value);
    const id = `r${nextId++}`;
    startRequest(id, code, to.length ? to : null);
    send(to.length ? { type: 'eval', id, code, to } : { type: 'eval', id, code });
    if (history[history.length - 1] !== code) history.push(code);
    historyIndex = history.length;
    $('code').value = '';
  });
  $('code').addEventListener('keydown', (event) => {
    const field = $('code');
    const onFirstLine = !field.value.slice(0, field.selectionStart).includes('\n');
    const onLastLine = !field.value.slice(field.selectionEnd).includes('\n');
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      // Enter runs; Shift+Enter is a new line of a longer expression
      event.preventDefault();
      $('eval-form').requestSubmit();
    } else if (event.key === 'ArrowUp' && onFirstLine && historyIndex > 0) {
      historyIndex -= 1;
      $('code').value = history[historyIndex];
      event.preventDefault();
    } else if (event.key === 'ArrowDown' && onLastLine) {
      historyIndex = Math.min(history.length, historyIndex + 1);
      $('code').value = history[historyIndex] || '';
      event.preventDefault();
    }
  });
  $('code').focus();
}

showSession($('session'));
if (isTarget) targetPage(); else operatorPage();


