import { webSocketUrl, ReconnectingWebSocket, describeClose } from './ws.js';
import { attachTarget } from './console-target.js';

const $ = (id) => document.getElementById(id);
const isTarget = new URLSearchParams(window.location.search).has('target');

function setState(state) {
  $('state').textContent = state;
  $('state').dataset.state = state === 'ATTACHED' ? 'OPEN' : state;
}

// ---- target page ------------------------------------------------------------------------------

function targetPage() {
  $('target-view').hidden = false;
  $('mode-title').textContent = 'Remote console — target';
  $('server-host').textContent = window.location.host;
  $('label').value = `Tab ${Math.floor(Math.random() * 900 + 100)}`;
  let target = null;
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
        $('target-id').textContent = `Attached as ${e.id}.`;
      } else if (e.type === 'close') {
        setState(e.retryIn === null ? 'CLOSED' : 'CONNECTING');
        $('target-id').textContent = `Connection closed (${e.code})${e.retryIn === null ? '' : ', reconnecting…'}`;
      } else if (e.type === 'result') {
        const item = document.createElement('li');
        const code = Object.assign(document.createElement('div'), { className: 'code' });
        code.textContent = e.code;
        const value = Object.assign(document.createElement('div'), { className: `value${e.error ? ' error' : ''}` });
        value.textContent = e.error || e.value;
        item.append(code, value);
        $('evaluated').prepend(item);
      }
    });
  });
  $('label-form').requestSubmit();
}

// ---- operator page ----------------------------------------------------------------------------

function operatorPage() {
  $('operator-view').hidden = false;
  const socket = new ReconnectingWebSocket(webSocketUrl('console'));
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
      const cells = [[t.label, 'label'], [t.agent, 'agent'], [new Date(t.since).toLocaleTimeString(), ''], [t.id, 'id']]
        .map(([text, cls]) => Object.assign(document.createElement('td'), { className: cls, textContent: text, title: text }));
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
    $('results').prepend(item);
    const rows = new Map();
    for (const t of targets.filter((x) => !to || to.includes(x.id))) {
      const row = document.createElement('li');
      row.dataset.target = t.id;
      const who = Object.assign(document.createElement('span'), { className: 'who', title: t.agent });
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
    setState(retryIn === null ? 'CLOSED' : 'CONNECTING');
    $('run').disabled = true;
    $('notice').textContent = event.code === 1008
      ? `Refused: ${describeClose(event)}. The console can be operated from this machine only, or with the operator role.`
      : `Connection closed (${describeClose(event)})${retryIn === null ? '' : ` — reconnecting in ${(retryIn / 1000).toFixed(1)} s`}.`;
    if (event.code === 1008) socket.close();
  };
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
    if (event.key === 'ArrowUp' && historyIndex > 0) {
      historyIndex -= 1;
      $('code').value = history[historyIndex];
      event.preventDefault();
    } else if (event.key === 'ArrowDown') {
      historyIndex = Math.min(history.length, historyIndex + 1);
      $('code').value = history[historyIndex] || '';
      event.preventDefault();
    }
  });
  $('code').focus();
}

if (isTarget) targetPage(); else operatorPage();


