import { webSocketUrl, ReconnectingWebSocket, READY_STATES, describeClose, loginUrl } from './ws.js';
import { showSession } from './session.js';

const $ = (id) => document.getElementById(id);
const PRESENCE_LABEL = { available: 'available', away: 'away', dnd: 'do not disturb', unavailable: 'offline' };
const ERROR_TEXT = {
  'bad-request': 'The server did not understand that',
  'nick-taken': 'That name is already taken in this room — pick another',
  'not-joined': 'Join the room first',
  'no-such-member': 'Nobody by that name is in the room',
  'too-long': 'That is too long',
  'rate-limited': 'Slow down a little — you are sending too fast',
  forbidden: 'Not allowed',
};
const TYPING_SHOWN_MS = 4000;
const TYPING_SENT_EVERY_MS = 2000;

const me = { nick: null, room: null, joined: false, presence: 'available', status: '' };
const members = new Map(); // nick -> {presence, status}
const typing = new Map(); // nick -> expiry time
let socket = null;
// Where this page is in the room's log, for a rejoin after a drop: the epoch of the last welcome
// and the offset of the last room message seen (the welcome's own offset until one comes).
const position = { epoch: null, offset: 0 };
const shown = new Set(); // ids of the room messages on screen, so a recovered one is never shown twice
let unread = 0;
let unreadMarker = null;
let lastTypingSent = 0;
// What the composer sent and waits to see come back: the input is cleared only then, so a message
// the server refuses (too long, too fast) is still there to fix.
let pending = null;
let outage = false; // a drop was reported in the log; the next welcome ends it
// {security, user, operator} once GET access answered: with security on the nick is the user's name
let session = { security: false, user: null, operator: false };
const baseTitle = document.title;

// ---- rendering (user text only ever through textContent) -------------------------------------

function renderState() {
  const state = socket ? READY_STATES[socket.readyState] : 'CLOSED';
  $('state').textContent = state;
  $('state').dataset.state = state;
  $('send').disabled = !(me.joined && state === 'OPEN');
  const waiting = me.joined && socket && state === 'CLOSED';
  $('connection').hidden = !waiting;
  if (!waiting) $('connection').dataset.retryMs = '';
}

/** The line under the messages while the room is out of reach, with its "Reconnect now" button. */
function showConnection(text, retryIn) {
  $('connection-text').textContent = text;
  $('connection').dataset.retryMs = retryIn === null ? '' : String(retryIn);
  renderState();
}

/** Text, then a link (built as elements: nothing here is HTML). */
function withLink(element, text, href, linkText) {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = linkText;
  element.replaceChildren(text, ' ', a);
}

function renderMembers() {
  const list = $('members');
  list.replaceChildren();
  const sorted = [...members.entries()].sort(([a], [b]) => a.localeCompare(b));
  for (const [nick, info] of sorted) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.nick = nick;
    button.title = nick === me.nick ? 'You' : `Send a private message to ${nick}`;
    const dot = document.createElement('span');
    dot.className = 'dot';
    dot.dataset.presence = info.presence;
    dot.title = PRESENCE_LABEL[info.presence] || info.presence;
    const name = document.createElement('span');
    name.className = 'nick';
    name.textContent = nick;
    if (nick === me.nick) {
      const tag = document.createElement('span');
      tag.className = 'me-tag';
      tag.textContent = ' (you)';
      name.append(tag);
    }
    const status = document.createElement('span');
    status.className = 'status';
    status.textContent = [PRESENCE_LABEL[info.presence], info.status].filter(Boolean).join(' · ');
    button.append(dot, name, status);
    button.addEventListener('click', () => {
      if (nick !== me.nick) {
        $('to').value = nick;
        $('text').focus();
      }
    });
    item.append(button);
    list.append(item);
  }
  $('member-count').textContent = `(${members.size})`;
  const to = $('to');
  const chosen = to.value;
  to.replaceChildren(new Option('Everyone', ''));
  for (const [nick] of sorted) {
    if (nick !== me.nick) to.append(new Option(`Only ${nick}`, nick));
  }
  to.value = members.has(chosen) ? chosen : '';
}

function renderTyping() {
  const now = Date.now();
  for (const [nick, until] of typing) if (until < now || !members.has(nick)) typing.delete(nick);
  const nicks = [...typing.keys()];
  $('typing').textContent = nicks.length === 0 ? ''
    : nicks.length === 1 ? `${nicks[0]} is typing…` : `${nicks.join(', ')} are typing…`;
}

function time(ts) {
  return new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function addLine(className, parts) {
  const list = $('messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const item = document.createElement('li');
  item.className = className;
  for (const [cls, text] of parts) {
    const span = document.createElement('span');
    span.className = cls;
    span.textContent = text;
    item.append(span);
  }
  list.append(item);
  if (atBottom || className.includes('mine')) item.scrollIntoView({ block: 'end' });
  return item;
}

// The list follows the newest line while the reader is at its bottom, also when the list gets
// shorter (a narrower window, a phone's keyboard opening): addLine only scrolls when a line comes.
let followNewest = true;
$('messages').addEventListener('scroll', () => {
  const list = $('messages');
  followNewest = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
});
new ResizeObserver(() => {
  const list = $('messages');
  if (followNewest) list.scrollTop = list.scrollHeight;
}).observe($('messages'));

function system(text) {
  addLine('system', [['text', text]]);
}

function noteUnread() {
  if (!document.hidden) return;
  unread += 1;
  if (!unreadMarker) {
    unreadMarker = document.createElement('li');
    unreadMarker.className = 'unread-marker';
    unreadMarker.textContent = 'new messages';
    $('messages').append(unreadMarker);
  }
  document.title = `(${unread}) ${me.room} · ${baseTitle}`;
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden) {
    unread = 0;
    document.title = me.room ? `${me.room} · ${baseTitle}` : baseTitle;
  } else if (unreadMarker) {
    unreadMarker.remove(); // a fresh marker for the next absence
    unreadMarker = null;
  }
});

function noteOffset(message) {
  if (Number.isInteger(message.offset)) position.offset = Math.max(position.offset, message.offset);
}

function clearMessages() {
  $('messages').replaceChildren();
  shown.clear();
  unreadMarker = null;
}

function setRecovery(text, kind) {
  $('recovery').textContent = text;
  $('recovery').className = `recovery ${kind}`;
}

function showMessage(message, { history = false, recovered = false } = {}) {
  noteOffset(message);
  if (message.id !== undefined) {
    if (shown.has(message.id)) return;
    shown.add(message.id);
  }
  const mine = message.from === me.nick;
  if (!history && !mine) noteUnread(); // recovered messages are news too
  if (mine && !history) settlePending('', message.text);
  typing.delete(message.from);
  addLine(`message${mine ? ' mine' : ''}${history ? ' history' : ''}${recovered ? ' recovered' : ''}`,
    [['meta', time(message.ts)], ['from', message.from], ['text', message.text]]);
}

/** Our own message came back: the composer is emptied (unless something new was typed meanwhile). */
function settlePending(to, text) {
  if (!pending || pending.to !== to || pending.text !== text) return;
  if ($('text').value === pending.text) $('text').value = '';
  if (to && $('to').value === to) $('to').value = ''; // after a private message, the next goes to the room
  pending = null;
}

function showPrivate(message) {
  const mine = message.from === me.nick;
  if (!mine) noteUnread();
  if (mine) settlePending(message.to, message.text);
  const who = mine ? `to ${message.to} (private)` : `${message.from} (private)`;
  addLine(`message private${mine ? ' mine' : ''}`, [['meta', time(message.ts)], ['from', who], ['text', message.text]]);
}

// ---- protocol ---------------------------------------------------------------------------------

function send(object) {
  socket.send(JSON.stringify(object));
}

function sendJoin() {
  const join = { type: 'join', nick: me.nick, presence: me.presence, status: me.status };
  // a rejoin after a drop asks for what was missed (RECOVERY: welcome says whether it could)
  if (me.joined && position.epoch !== null) join.since = { epoch: position.epoch, offset: position.offset };
  send(join);
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

/** The welcome of a rejoin: the missed messages appended, or the room reloaded when they are gone. */
function showRejoin(message) {
  system(`Reconnected: back in ${message.room} as ${message.nick}.`);
  if (message.recovered === true) {
    for (const h of message.history) showMessage(h, { recovered: true });
    const n = message.history.length;
    setRecovery(`Reconnected — ${n === 0 ? 'no messages missed' : `${plural(n, 'missed message', 'missed messages')} recovered`}`, 'good');
  } else if (message.recovered === false) {
    clearMessages();
    system(`Reloaded ${message.room}: its latest messages.`);
    for (const h of message.history) showMessage(h, { history: true });
    setRecovery('Reconnected — could not recover what was missed; the room was reloaded', 'bad');
  } else {
    // a server without recovery: the history is the room's latest, shown where not seen yet
    for (const h of message.history) showMessage(h, { history: true });
    setRecovery('', '');
  }
}

function onMessage(event) {
  let message;
  try {
    message = JSON.parse(event.data);
  } catch {
    return;
  }
  switch (message.type) {
    case 'welcome': {
      const rejoin = me.joined;
      me.joined = true;
      outage = false;
      members.clear();
      for (const m of message.members) members.set(m.nick, { presence: m.presence, status: m.status });
      if (typeof message.epoch === 'string') position.epoch = message.epoch;
      if (Number.isInteger(message.offset)) position.offset = message.offset;
      if (!rejoin) {
        for (const h of message.history) showMessage(h, { history: true });
        system(`You joined ${message.room} as ${message.nick}.`);
      } else {
        showRejoin(message);
      }
      showChat();
      break;
    }
    case 'message':
      showMessage(message);
      break;
    case 'private':
      showPrivate(message);
      break;
    case 'presence':
      if (message.presence === 'unavailable') {
        if (members.delete(message.nick)) system(`${message.nick} left.`);
      } else {
        const before = members.get(message.nick);
        if (!before) {
          system(`${message.nick} joined.`);
        } else if (before.presence !== message.presence || before.status !== message.status) {
          const label = PRESENCE_LABEL[message.presence] || message.presence;
          system(`${message.nick} is now ${label}${message.status ? ` — ${message.status}` : ''}.`);
        }
        members.set(message.nick, { presence: message.presence, status: message.status });
        if (message.nick === me.nick) {
          me.presence = message.presence;
          me.status = message.status;
        }
      }
      renderMembers();
      renderTyping();
      break;
    case 'typing':
      typing.set(message.nick, Date.now() + TYPING_SHOWN_MS);
      renderTyping();
      break;
    case 'error':
      showError(message.code, message.detail);
      break;
    default:
      break;
  }
}

function showError(code, detail) {
  const text = code === 'forbidden' && detail ? `Not allowed: ${detail}.`
    : `${ERROR_TEXT[code] || 'Error'}${detail ? ` (${detail})` : ''}.`;
  pending = null; // what was sent is refused: it stays in the composer to fix
  if (!me.joined) {
    $('join-error').textContent = text;
    if (code === 'nick-taken' || code === 'forbidden') {
      socket.close(1000, 'choose another name');
      showJoin();
    }
  } else {
    $('notice').textContent = text;
  }
}

function connect() {
  // accessPath: a handshake refused for want of a login or a permission is said so, not retried
  socket = new ReconnectingWebSocket(webSocketUrl(`chat/${encodeURIComponent(me.room)}`),
    { accessPath: `chat/${me.room}` });
  socket.onopen = () => {
    $('notice').textContent = '';
    pending = null;
    sendJoin();
    renderState();
  };
  socket.onmessage = onMessage;
  socket.onclose = (event, retryIn) => {
    renderState();
    if (retryIn !== null && me.joined) {
      setRecovery('', '');
      if (!outage) system(`Connection lost (${describeClose(event)}). Reconnecting…`);
      outage = true;
      showConnection(`Connection lost (${describeClose(event)}). Reconnecting in ${(retryIn / 1000).toFixed(1)} s…`, retryIn);
    } else if (retryIn === null && event.code === 1008) {
      $('join-error').textContent = `Refused: ${describeClose(event)}.`;
      showJoin();
    } else if (retryIn === null && me.joined && event.code !== 1000) {
      showConnection(`Connection closed (${describeClose(event)}).`, null);
    }
  };
  socket.onrefused = (answer) => refused(answer);
  socket.connect();
  renderState();
}

/** The server would not let this browser in: say why, on the join form (a retry would not help). */
function refused(answer) {
  showJoin();
  if (answer.access === 'login') {
    withLink($('join-error'), answer.user ? 'Your login is no longer valid.' : 'Chat wants to know who you are.',
      loginUrl(), 'Log in to chat');
  } else {
    $('join-error').textContent = `You are not allowed in ${me.room}${answer.reason ? ` (${answer.reason})` : ''}.`;
  }
}

// ---- views ------------------------------------------------------------------------------------

function showChat() {
  $('join-view').hidden = true;
  $('chat-view').hidden = false;
  $('room-title').textContent = `· ${me.room}`;
  $('chat-heading').textContent = `Chat room ${me.room}`;
  document.title = `${me.room} · ${baseTitle}`;
  $('my-presence').value = me.presence;
  $('my-status').value = me.status;
  renderMembers();
  renderState();
  $('text').focus();
}

function showJoin() {
  me.joined = false;
  $('chat-view').hidden = true;
  $('join-view').hidden = false;
  $('room-title').textContent = '';
  $('nick').focus();
}

$('join-form').addEventListener('submit', (event) => {
  event.preventDefault();
  $('join-error').textContent = '';
  if (session.security && !session.user) {
    refused({ access: 'login', user: null });
    return;
  }
  me.nick = $('nick').value.trim();
  me.room = $('room').value.trim();
  me.presence = $('join-presence').value;
  me.status = $('join-status').value;
  me.joined = false;
  members.clear();
  clearMessages();
  setRecovery('', '');
  position.epoch = null;
  position.offset = 0;
  const url = new URL(window.location.href);
  url.searchParams.set('room', me.room);
  window.history.replaceState(null, '', url);
  if (socket) socket.close();
  connect();
});

$('send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('text').value;
  if (!text.trim()) return;
  const to = $('to').value;
  try {
    send(to ? { type: 'private', to, text } : { type: 'message', text });
    pending = { to, text }; // cleared from the input when it comes back, kept when refused
    // the message ends the others' "is typing" hint: the next keystroke starts a new one at once
    lastTypingSent = 0;
    $('notice').textContent = '';
  } catch (e) {
    $('notice').textContent = `Not sent: ${e.message}.`;
  }
});

$('text').addEventListener('input', () => {
  const now = Date.now();
  if (me.joined && now - lastTypingSent > TYPING_SENT_EVERY_MS && socket.readyState === WebSocket.OPEN) {
    lastTypingSent = now;
    send({ type: 'typing' });
  }
});

$('me-form').addEventListener('submit', (event) => {
  event.preventDefault();
  send({ type: 'presence', presence: $('my-presence').value, status: $('my-status').value });
});

$('reconnect-now').addEventListener('click', () => {
  showConnection('Reconnecting…', null);
  socket.connect();
  renderState();
});

$('leave').addEventListener('click', () => {
  socket.close(1000, 'left');
  members.clear();
  showJoin();
});

const params = new URLSearchParams(window.location.search);
if (params.get('room')) $('room').value = params.get('room');
if (params.get('nick')) $('nick').value = params.get('nick');
setInterval(() => { renderTyping(); renderState(); }, 1000);
renderState();
$('nick').focus();
showSession($('session')).then((answer) => {
  session = answer;
  if (!answer.security) return;
  const nick = $('nick');
  if (!answer.user) {
    withLink($('nick-hint'), 'With security on, you chat under your login name.', loginUrl(), 'Log in');
    return;
  }
  if (!nick.value || !answer.operator) nick.value = answer.user;
  if (answer.operator) {
    $('nick-hint').textContent = `Logged in as ${answer.user}: as an operator you may use another name.`;
  } else {
    nick.readOnly = true; // the server allows no other nick (the contract: the nick is the user's name)
    if (document.activeElement === nick) $('room').focus();
    $('nick-hint').textContent = `Logged in as ${answer.user}: you chat under your login name.`;
  }
});
