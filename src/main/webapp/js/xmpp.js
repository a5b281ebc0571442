// xmpp.html: instant messaging over XMPP (RFC 7395) on Strophe.js — contacts with presence,
// one-to-one conversations, the chat rooms (XEP-0045), XEP-0199 pings both ways, and a log.
// Text from others only ever reaches the page through textContent.
import { Strophe, $iq, $msg, $pres } from '../vendor/strophe/strophe.esm.js';
import { webSocketUrl, access, loginUrl, timeOfDay } from './ws.js';
import { showSession } from './session.js';

const $ = (id) => document.getElementById(id);
const { Status } = Strophe;
const NS_ROSTER = 'jabber:iq:roster';
const NS_PING = 'urn:xmpp:ping';
const NS_MUC = 'http://jabber.org/protocol/muc';
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
const NS_DELAY = 'urn:xmpp:delay';
const NS_CHAT_STATES = 'http://jabber.org/protocol/chatstates';
const TYPING_SHOWN_MS = 4000;
const TYPING_SENT_EVERY_MS = 2000;
const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

/** Presence `show` as people say it; "" is plain available. Text and colour both carry it. */
const SHOW_LABEL = { '': 'Available', chat: 'Available', away: 'Away', dnd: 'Busy', xa: 'Gone', offline: 'Offline' };
/**
 * Stream errors after which the same attempt meets the same answer: never reconnect after them.
 * (`conflict`: another session took this resource over — reconnecting would throw it out in turn.)
 */
const REFUSING_STREAM_ERRORS = new Set(['not-authorized', 'policy-violation', 'conflict', 'host-unknown',
  'not-well-formed', 'restricted-xml', 'invalid-namespace', 'invalid-xml', 'unsupported-version',
  'bad-format', 'improper-addressing', 'invalid-from', 'unsupported-stanza-type', 'see-other-host',
  'x-strophe-bad-non-anon-jid', 'no-auth-mech']);
const STREAM_ERROR_TEXT = {
  'not-authorized': 'the server refused this login',
  'policy-violation': 'the server ended the session for breaking one of its limits',
  conflict: 'you logged in again somewhere else with the same resource, so this session was closed',
  'host-unknown': 'this server does not serve that domain — check the part after @ in your JID',
  'system-shutdown': 'the server is shutting down',
  'connection-timeout': 'the server closed a connection that was quiet for too long',
  'x-strophe-bad-non-anon-jid': 'a JID needs a name before the @',
  'no-auth-mech': 'the server offers no login method this page can use',
};
const PING_EVERY_MS = 30000;
const PING_TIMEOUT_MS = 10000;
const LOG_LIMIT = 500;

let session = { security: false, user: null, operator: false };
let conn = null;
let generation = 0; // each connection attempt's number: callbacks of an older one are ignored
let ended = 0; // the last attempt whose DISCONNECTED was handled
let wanted = false; // the user wants to be connected (Connect pressed, Disconnect not)
let connectedOnce = false; // this login reached CONNECTED: a later loss is a drop, and retried
let attempt = 0;
let plainOnly = false; // SCRAM was refused for this login and PLAIN is used instead
let retryTimer = null;
let failure = null; // {refused, text}: why the current connection is ending, once known
let streamErrorText = ''; // the text of the last stream error the server sent
let closeCode = 0; // the WebSocket close code of the last connection
/**
 * Closes that the same attempt would meet again (as js/ws.js says for every page): a 1009 comes
 * without a stream error when a compressed message inflates past the server's limit.
 */
const REFUSING_CLOSES = new Map([
  [1002, 'the server ended the session: a protocol error'],
  [1003, 'the server ended the session: it takes text only'],
  [1007, 'the server ended the session: a message it could not read'],
  [1008, 'the server ended the session for breaking one of its limits'],
  [1009, 'the server ended the session for breaking one of its limits (a message too large)'],
]);
// jid: what was typed (a reconnect lets the server pick a fresh resource); full: the bound JID
const me = { jid: '', full: '', bare: '', node: '', domain: '', password: '', show: '', status: '' };
const contacts = new Map(); // bare JID -> {name, resources: Map(resource -> {show, status})}
const conversations = new Map(); // key (bare JID or room JID) -> conversation
let active = null;

// ---- small helpers -----------------------------------------------------------------------------

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function child(stanza, name, ns) {
  for (const c of stanza.children) {
    if (c.localName === name && (!ns || c.namespaceURI === ns || c.getAttribute('xmlns') === ns)) return c;
  }
  return null;
}

function childText(stanza, name) {
  const c = child(stanza, name);
  return c ? c.textContent : '';
}

/** The defined condition of a stanza's `<error/>` (e.g. `service-unavailable`), and its code. */
function stanzaError(stanza) {
  const error = child(stanza, 'error');
  if (!error) return { condition: 'undefined-condition', code: '', text: '' };
  let condition = 'undefined-condition';
  let text = '';
  for (const c of error.children) {
    if (c.localName === 'text') text = c.textContent;
    else if (c.namespaceURI === NS_STANZAS || c.getAttribute('xmlns') === NS_STANZAS) condition = c.localName;
  }
  return { condition, code: error.getAttribute('code') || '', text };
}

const bareOf = (jid) => Strophe.getBareJidFromJid(jid || '');
const nodeOf = (jid) => Strophe.getNodeFromJid(jid || '') || '';
const resourceOf = (jid) => Strophe.getResourceFromJid(jid || '') || '';
const mucDomain = () => `conference.${me.domain}`;
const isRoomJid = (jid) => Strophe.getDomainFromJid(jid || '') === mucDomain();

function presenceText(show, status) {
  return [SHOW_LABEL[show] ?? show, status].filter(Boolean).join(' — ');
}

function clock(date) {
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
}

// ---- the log -----------------------------------------------------------------------------------

function log(kind, text) {
  const list = $('log');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const item = el('li', `log-${kind}`);
  item.append(el('span', 'time', timeOfDay()), el('span', 'text', text));
  list.append(item);
  while (list.children.length > LOG_LIMIT) list.firstElementChild.remove();
  if (atBottom) list.scrollTop = list.scrollHeight;
}

/** The human text of a `<stream:error>` (RFC 6120 §4.9.2), which Strophe does not pass on. */
function noteStreamError(data) {
  if (!data.includes('urn:ietf:params:xml:ns:xmpp-streams')) return;
  const text = /<text\b[^>]*>([^<]*)<\/text>/.exec(data);
  if (text) streamErrorText = new DOMParser().parseFromString(`<t>${text[1]}</t>`, 'text/xml').documentElement.textContent;
}

/** Raw XML for the log: credentials (SASL auth and responses) never shown. */
function rawForLog(direction, data) {
  if (!$('raw').checked) return;
  const hidden = /<(auth|response)\b[^>]*urn:ietf:params:xml:ns:xmpp-sasl/.test(data) ? '<… SASL, credentials hidden …/>' : data;
  log(direction === 'in' ? 'raw-in' : 'raw-out', `${direction === 'in' ? '⇐' : '⇒'} ${hidden}`);
}

// ---- connection state --------------------------------------------------------------------------

function setState(state, label) {
  $('state').dataset.state = state;
  $('state').textContent = label;
  const open = state === 'OPEN';
  $('text').disabled = !open || !active;
  $('send').disabled = !open || !active;
  $('update-status').disabled = !open;
  $('join').disabled = !open;
}

function showConnection(text, retrying) {
  $('connection').hidden = !text;
  $('connection-text').textContent = text || '';
  $('reconnect-now').hidden = !retrying;
}

/** The condition of a SASL `<failure/>` (RFC 6120 §6.5), or "". */
function saslCondition(elem) {
  return elem && elem.localName === 'failure' && elem.firstElementChild ? elem.firstElementChild.localName : '';
}

function refusalText(status, condition, elem) {
  if (status === Status.AUTHFAIL) {
    if (condition === 'conflict') return 'that resource is already in use';
    const sasl = saslCondition(elem);
    if (sasl === 'temporary-auth-failure') return 'too many failed logins — wait a minute, then try again';
    if (sasl === 'account-disabled') return 'this account is disabled';
    if (sasl === 'credentials-expired') return 'this password has expired';
    if (sasl && sasl !== 'not-authorized') return `the server refused the login (${sasl})`;
    return 'wrong name or password';
  }
  return STREAM_ERROR_TEXT[condition] || condition || 'the server refused';
}

function onStatus(gen) {
  return (status, condition, elem) => {
    if (gen !== generation) return; // an older connection's last words
    switch (status) {
      case Status.CONNECTING:
        setState('CONNECTING', 'CONNECTING');
        log('event', `Connecting to ${conn.service}…`);
        break;
      case Status.AUTHENTICATING:
        setState('CONNECTING', 'LOGGING IN');
        break;
      case Status.CONNECTED:
        onConnected();
        break;
      case Status.AUTHFAIL:
        if (!plainOnly && saslCondition(elem) === 'not-authorized' && /^SCRAM/.test(conn._sasl_mechanism?.mechname || '')) {
          // A SCRAM login fails for a user whose entry is a bcrypt hash (SCRAM needs its own kind of
          // entry) though the password is right; the server still takes PLAIN: try that once.
          plainOnly = true;
          failure = { retryPlain: true };
          log('event', `${conn._sasl_mechanism.mechname} refused; trying PLAIN.`);
          conn.disconnect('trying PLAIN');
          break;
        }
        failure = { refused: true, text: refusalText(status, condition, elem) };
        log('error', `Login refused: ${failure.text}.`);
        conn.disconnect('login refused');
        break;
      case Status.CONNFAIL:
      case Status.ERROR:
        if (!failure) { // Strophe may report one failure twice (the socket's error, then its close)
          const byClose = !streamErrorText && REFUSING_CLOSES.get(closeCode);
          const refused = REFUSING_STREAM_ERRORS.has(condition) || Boolean(byClose);
          const said = byClose || (refused ? refusalText(status, condition) : describeDrop(condition));
          failure = { refused, text: streamErrorText ? `${said}: ${streamErrorText}` : said };
          if (refused) log('error', `Refused: ${failure.text}.`);
        }
        break;
      case Status.CONNTIMEOUT:
        failure = failure || { refused: false, text: 'the server did not answer in time' };
        break;
      case Status.DISCONNECTING:
        setState('CLOSING', 'DISCONNECTING');
        break;
      case Status.DISCONNECTED:
        if (ended === gen) break; // Strophe may say it twice
        ended = gen;
        onDisconnected();
        break;
      default:
        break;
    }
  };
}

function describeDrop(condition) {
  if (!condition || /could not be established|disconnected/.test(condition)) return 'the connection dropped';
  return STREAM_ERROR_TEXT[condition] || condition;
}

function connect() {
  clearTimeout(retryTimer);
  retryTimer = null;
  generation += 1;
  failure = null;
  streamErrorText = '';
  closeCode = 0;
  if (conn) conn.reset?.();
  conn = new Strophe.Connection(webSocketUrl('xmpp'),
    plainOnly ? { protocol: 'ws', mechanisms: [Strophe.SASLPlain] } : { protocol: 'ws' });
  conn.rawInput = (data) => rawForLog('in', data);
  // Strophe reports a stream error's condition but not its text, and handles it before rawInput:
  // the text is read off each incoming message first (its WebSocket transport's two handlers)
  const transport = conn._proto;
  for (const handler of ['_onInitialMessage', '_onMessage']) {
    const original = transport[handler];
    if (typeof original !== 'function') continue;
    transport[handler] = function (message) {
      if (typeof message.data === 'string') noteStreamError(message.data);
      return original.call(this, message);
    };
  }
  const onClose = transport._onClose;
  if (typeof onClose === 'function') {
    transport._onClose = function (event) {
      closeCode = event?.code || 0;
      return onClose.call(this, event);
    };
  }
  conn.rawOutput = (data) => rawForLog('out', data);
  conn.connect(me.jid, me.password, onStatus(generation));
}

function onConnected() {
  attempt = 0;
  connectedOnce = true;
  failure = null;
  const again = me.full !== '';
  me.full = conn.jid;
  setState('OPEN', 'CONNECTED');
  showConnection('', false);
  $('notice').textContent = '';
  showChat();
  log('event', `${again ? 'Reconnected' : 'Connected'} as ${conn.jid}.`);
  conn.addHandler(onPing, NS_PING, 'iq', 'get');
  conn.addHandler(onRosterPush, NS_ROSTER, 'iq', 'set');
  conn.addHandler(onPresence, null, 'presence');
  conn.addHandler(onMessage, null, 'message');
  // XEP-0199 from our side: a connection that stopped answering is a drop, found within 40 s
  conn.addTimedHandler(PING_EVERY_MS, () => { pingServer(); return true; });
  fetchRoster();
  sendPresence();
  for (const c of conversations.values()) {
    if (c.kind === 'room' && c.wanted) joinRoom(c.room, c.nick, { rejoin: true });
  }
}

function onDisconnected() {
  // Strophe reports a server's close without a stream error as a plain disconnect: its code says more
  const byClose = REFUSING_CLOSES.get(closeCode);
  const why = failure || (byClose ? { refused: true, text: byClose } : null);
  if (!failure && byClose) log('error', `Refused: ${byClose}.`);
  failure = null;
  if (why && why.retryPlain && wanted) {
    connect();
    return;
  }
  for (const c of conversations.values()) {
    if (c.kind === 'room') { c.joined = false; c.occupants.clear(); renderOccupants(c); }
  }
  for (const contact of contacts.values()) contact.resources.clear();
  renderRoster();
  if (why && why.refused) {
    wanted = false;
    setState('CLOSED', 'REFUSED');
    showConnection('', false);
    showLogin(`Refused: ${why.text}.`);
    return;
  }
  if (!wanted) {
    setState('CLOSED', 'DISCONNECTED');
    showConnection('', false);
    log('event', 'Disconnected.');
    return;
  }
  if (!connectedOnce || session.security) {
    // A refused handshake looks like a drop to a browser: ask the server whether it refuses this
    // browser (log in, not allowed) before trying again — a login can also expire meanwhile.
    access('xmpp').then((answer) => {
      if (!wanted) return;
      if (answer.access === 'login' || answer.access === 'forbidden') {
        wanted = false;
        setState('CLOSED', 'REFUSED');
        refused(answer);
      } else {
        scheduleRetry(why ? why.text : 'could not reach the server');
      }
    }, () => { if (wanted) scheduleRetry('could not reach the server'); });
    return;
  }
  scheduleRetry(why ? why.text : 'the connection dropped');
}

/** After a drop: 0.5 s, 1 s, 2 s … 30 s, with jitter so a restarted server is not hit by every page at once. */
function scheduleRetry(reason) {
  const base = Math.min(30000, 500 * 2 ** attempt);
  const delay = Math.round(base / 2 + Math.random() * base / 2);
  attempt += 1;
  setState('CLOSED', 'RECONNECTING');
  showConnection(`Connection lost (${reason}). Reconnecting in ${(delay / 1000).toFixed(1)} s…`, true);
  log('event', `Connection lost (${reason}). Reconnecting in ${(delay / 1000).toFixed(1)} s (attempt ${attempt}).`);
  retryTimer = setTimeout(connect, delay);
}

function refused(answer) {
  const error = $('login-error');
  showLogin('');
  if (answer.access === 'login') {
    const a = el('a', '', 'Log in');
    a.href = loginUrl();
    error.replaceChildren(answer.user ? 'Your login is no longer valid. ' : 'XMPP wants to know who you are. ', a);
  } else {
    error.textContent = `You are not allowed to use XMPP here${answer.reason ? ` (${answer.reason})` : ''}.`;
  }
}

function pingServer() {
  if (!conn || !conn.connected) return;
  const gen = generation;
  conn.sendIQ($iq({ type: 'get', to: me.domain }).c('ping', { xmlns: NS_PING }), null, (answer) => {
    if (gen !== generation || answer) return; // an error answer is still an answer: the line is alive
    failure = { refused: false, text: 'the server stopped answering pings' };
    log('error', 'No answer to a ping in 10 s: the connection is gone.');
    conn._doDisconnect?.();
  }, PING_TIMEOUT_MS);
}

/** XEP-0199: the server's ping is answered, or it would drop this session as dead. */
function onPing(iq) {
  conn.send($iq({ type: 'result', id: iq.getAttribute('id'), to: iq.getAttribute('from') || me.domain }));
  return true;
}

// ---- roster and presence -----------------------------------------------------------------------

function contact(bare) {
  let c = contacts.get(bare);
  if (!c) {
    c = { name: nodeOf(bare) || bare, resources: new Map() };
    contacts.set(bare, c);
  }
  return c;
}

/** A contact's best presence over its online resources (available beats away beats gone). */
function bestPresence(c) {
  const rank = { chat: 0, '': 0, away: 1, dnd: 2, xa: 3 };
  let best = null;
  for (const p of c.resources.values()) if (!best || rank[p.show] < rank[best.show]) best = p;
  return best || { show: 'offline', status: '' };
}

function fetchRoster() {
  conn.sendIQ($iq({ type: 'get' }).c('query', { xmlns: NS_ROSTER }), (answer) => {
    const query = child(answer, 'query', NS_ROSTER);
    for (const item of query ? query.children : []) updateRosterItem(item);
    renderRoster();
  }, () => log('error', 'The server did not send the contact list.'));
}

function updateRosterItem(item) {
  const jid = bareOf(item.getAttribute('jid'));
  if (!jid || jid === me.bare) return;
  if (item.getAttribute('subscription') === 'remove') {
    contacts.delete(jid);
    return;
  }
  contact(jid).name = item.getAttribute('name') || nodeOf(jid) || jid;
}

function onRosterPush(iq) {
  const from = iq.getAttribute('from');
  if (!from || bareOf(from) === me.bare || from === me.domain) {
    const query = child(iq, 'query', NS_ROSTER);
    for (const item of query ? query.children : []) updateRosterItem(item);
    renderRoster();
    conn.send($iq({ type: 'result', id: iq.getAttribute('id') }));
  }
  return true;
}

function onPresence(p) {
  const from = p.getAttribute('from') || '';
  if (isRoomJid(from)) return onRoomPresence(p), true;
  const bare = bareOf(from);
  if (bare === me.bare) return true; // our own other sessions
  const type = p.getAttribute('type') || '';
  if (type && type !== 'unavailable') return true; // subscriptions: the server's roster is everyone
  const c = contact(bare);
  const before = presenceText(bestPresence(c).show, bestPresence(c).status);
  if (type === 'unavailable') c.resources.delete(resourceOf(from));
  else c.resources.set(resourceOf(from), { show: childText(p, 'show'), status: childText(p, 'status') });
  const now = bestPresence(c);
  const after = presenceText(now.show, now.status);
  if (before !== after) log('presence', `[presence] ${bare}: ${after}`);
  renderRoster();
  const conversation = conversations.get(bare);
  if (conversation) renderConversationHeader(conversation);
  return true;
}

function renderRoster() {
  const list = $('roster');
  list.replaceChildren();
  const sorted = [...contacts.entries()].sort(([a], [b]) => a.localeCompare(b));
  for (const [bare, c] of sorted) {
    const p = bestPresence(c);
    const item = el('li');
    item.dataset.jid = bare;
    const button = el('button', 'person');
    button.type = 'button';
    button.dataset.jid = bare;
    button.setAttribute('aria-label', `Talk to ${c.name}, ${presenceText(p.show, p.status)}`);
    const dot = el('span', 'dot');
    dot.dataset.presence = p.show || 'available';
    dot.setAttribute('aria-hidden', 'true');
    const line = el('span', 'presence', presenceText(p.show, p.status));
    line.dataset.presence = p.show || 'available';
    button.append(dot, el('span', 'name', c.name), line);
    button.addEventListener('click', () => { openChat(bare, true); $('text').focus(); });
    item.append(button);
    list.append(item);
  }
  $('roster-count').textContent = `(${contacts.size})`;
  $('roster-empty').hidden = contacts.size > 0;
}

function sendPresence() {
  const presence = $pres();
  if (me.show) presence.c('show').t(me.show).up();
  if (me.status) presence.c('status').t(me.status).up();
  conn.send(presence);
  // rooms are told directly (XEP-0045: presence to the room's occupant JID)
  for (const c of conversations.values()) {
    if (c.kind !== 'room' || !c.joined) continue;
    const directed = $pres({ to: `${c.room}/${c.nick}` });
    if (me.show) directed.c('show').t(me.show).up();
    if (me.status) directed.c('status').t(me.status).up();
    conn.send(directed);
  }
}

// ---- conversations -----------------------------------------------------------------------------

function makeConversation(key, kind, title) {
  const panel = el('section', `conversation ${kind}`);
  panel.id = `conv-${conversations.size + 1}`;
  panel.setAttribute('role', 'tabpanel');
  panel.dataset.key = key;
  panel.hidden = true;
  const header = el('p', 'conversation-header');
  const body = el('div', 'conversation-body');
  const list = el('ol', 'messages');
  list.setAttribute('aria-live', 'polite');
  list.setAttribute('aria-label', `Messages with ${title}`);
  list.tabIndex = 0;
  body.append(list);
  const tab = el('button', 'tab');
  tab.type = 'button';
  tab.id = `${panel.id}-tab`;
  tab.setAttribute('role', 'tab');
  tab.setAttribute('aria-controls', panel.id);
  tab.setAttribute('aria-selected', 'false');
  tab.tabIndex = -1;
  tab.dataset.key = key;
  const label = el('span', 'tab-label', title);
  const badge = el('span', 'badge');
  badge.hidden = true;
  tab.append(label, badge);
  tab.addEventListener('click', () => activate(key));
  panel.setAttribute('aria-labelledby', tab.id);
  panel.append(header, body);
  $('tabs').append(tab);
  $('conversations').append(panel);
  const c = { key, kind, title, panel, header, body, list, tab, badge, unread: 0, seen: new Set(), typing: new Map() };
  conversations.set(key, c);
  $('no-conversation').hidden = true;
  return c;
}

function openChat(bare, focus) {
  let c = conversations.get(bare);
  if (!c) {
    c = makeConversation(bare, 'chat', contact(bare).name);
    c.panel.dataset.jid = bare;
    renderConversationHeader(c);
  }
  if (focus || !active) activate(bare);
  return c;
}

function renderConversationHeader(c) {
  if (c.kind === 'chat') {
    const p = bestPresence(contact(c.key));
    const state = el('span', 'presence', presenceText(p.show, p.status));
    state.dataset.presence = p.show || 'available';
    c.header.replaceChildren(el('strong', '', c.key), ' · ', state, closeButton(c));
  } else {
    const subject = c.subject ? ` · ${c.subject}` : '';
    c.header.replaceChildren(el('strong', '', c.key),
      el('span', 'hint', c.joined ? ` · you are ${c.nick}${subject}` : c.joining ? ' · joining…' : ' · not joined'),
      closeButton(c));
    c.leave.hidden = !c.joined;
  }
}

function closeButton(c) {
  const button = el('button', 'quiet close', 'Close');
  button.type = 'button';
  button.setAttribute('aria-label', c.kind === 'room' ? `Leave and close ${nodeOf(c.room)}` : `Close the conversation with ${c.title}`);
  button.addEventListener('click', () => closeConversation(c));
  return button;
}

function closeConversation(c) {
  if (c.kind === 'room' && (c.joined || c.joining)) leaveRoom(c);
  const keys = [...conversations.keys()];
  const i = keys.indexOf(c.key);
  conversations.delete(c.key);
  c.tab.remove();
  c.panel.remove();
  if (active === c.key) {
    active = null;
    const next = keys[i + 1] || keys[i - 1];
    if (next && conversations.has(next)) activate(next);
    else setState($('state').dataset.state, $('state').textContent);
  }
  $('no-conversation').hidden = conversations.size > 0;
}

function activate(key) {
  active = key;
  for (const c of conversations.values()) {
    const on = c.key === key;
    c.panel.hidden = !on;
    c.tab.setAttribute('aria-selected', String(on));
    c.tab.tabIndex = on ? 0 : -1;
    if (on) {
      c.unread = 0;
      c.badge.hidden = true;
      c.list.scrollTop = c.list.scrollHeight;
    }
  }
  const c = conversations.get(key);
  renderTyping();
  $('text').placeholder = c.kind === 'room' ? `Message # ${nodeOf(c.room)}` : `Message ${c.title}`;
  setState($('state').dataset.state, $('state').textContent);
}

function addLine(c, className, parts) {
  const atBottom = c.list.scrollHeight - c.list.scrollTop - c.list.clientHeight < 40;
  const item = el('li', className);
  for (const [cls, text] of parts) item.append(el('span', cls, text));
  c.list.append(item);
  if (atBottom || className.includes('mine')) c.list.scrollTop = c.list.scrollHeight;
  if (c.key !== active && !className.includes('history') && !className.includes('mine')) {
    c.unread += 1;
    c.badge.textContent = String(c.unread);
    c.badge.hidden = false;
    c.badge.setAttribute('aria-label', `${c.unread} unread`);
  }
  return item;
}

function note(c, text, kind = 'system') {
  addLine(c, kind, [['text', text]]);
}

function delayOf(stanza) {
  const delay = child(stanza, 'delay', NS_DELAY);
  return delay ? new Date(delay.getAttribute('stamp')) : null;
}

function onMessage(m) {
  const from = m.getAttribute('from') || '';
  const type = m.getAttribute('type') || 'normal';
  if (type === 'error') return onMessageError(m), true;
  if (type === 'groupchat' || isRoomJid(from)) return onRoomMessage(m), true;
  const body = child(m, 'body');
  const bare = bareOf(from);
  if (!body) { // XEP-0085 chat states (receipts and the rest: nothing to show)
    const known = conversations.get(bare);
    if (known && child(m, 'composing', NS_CHAT_STATES)) typingFrom(known, contact(bare).name);
    else if (known && (child(m, 'paused', NS_CHAT_STATES) || child(m, 'active', NS_CHAT_STATES))) stoppedTyping(known, contact(bare).name);
    return true;
  }
  const c = openChat(bare, false);
  stoppedTyping(c, c.title);
  const delay = delayOf(m);
  addLine(c, `message${delay ? ' history' : ''}`,
    [['meta', delay ? `earlier, ${clock(delay)}` : clock(new Date())], ['from', c.title], ['text', body.textContent]]);
  log('message', `${bare}: ${body.textContent}`);
  return true;
}

function onMessageError(m) {
  const from = m.getAttribute('from') || '';
  const { condition, code, text } = stanzaError(m);
  if (isRoomJid(from)) {
    const c = conversations.get(bareOf(from));
    const why = condition === 'resource-constraint' ? `slow down, you are sending too fast${text ? ` (${text})` : ''}`
      : condition === 'forbidden' ? `you may not send that in ${nodeOf(from)}${text ? ` (${text})` : ''}`
        : condition === 'not-acceptable' ? (text || 'the room does not accept that message')
          : condition === 'item-not-found' ? `nobody is called ${resourceOf(from) || 'that'} in ${nodeOf(from)}`
            : text || condition;
    pending = null; // what was sent stays in the composer, to fix
    if (c) note(c, `Not sent: ${why}.`, 'system refusal');
    log('error', `Not sent to ${from}: ${why} (${condition}${code ? ` ${code}` : ''}).`);
    return;
  }
  const bare = bareOf(from);
  const c = openChat(bare, false);
  const name = contact(bare).name;
  const said = condition === 'service-unavailable' || condition === 'recipient-unavailable'
    ? `${name} is offline — the message was not delivered.`
    : condition === 'item-not-found' || condition === 'remote-server-not-found'
      ? `There is no ${bare} — the message was not delivered.`
      : `The message to ${name} was not delivered (${text || condition}).`;
  note(c, said, 'system refusal');
  log('error', said);
}

// ---- rooms (XEP-0045) --------------------------------------------------------------------------

function roomConversation(room) {
  let c = conversations.get(room);
  if (!c) {
    c = makeConversation(room, 'room', `# ${nodeOf(room)}`);
    c.room = room;
    c.panel.dataset.room = nodeOf(room);
    c.occupants = new Map();
    c.joined = false;
    c.wanted = false;
    const side = el('div', 'occupants-panel');
    const heading = el('h3', '', 'Occupants ');
    c.count = el('span', 'count');
    heading.append(c.count);
    c.occupantList = el('ul', 'people occupants');
    const leave = el('button', 'quiet leave', 'Leave room');
    leave.type = 'button';
    leave.addEventListener('click', () => leaveRoom(c));
    c.leave = leave;
    side.append(heading, c.occupantList, leave);
    c.body.append(side);
    renderOccupants(c);
  }
  return c;
}

function joinRoom(room, nick, { rejoin = false } = {}) {
  const c = roomConversation(room);
  c.nick = nick;
  c.wanted = true;
  c.joining = true;
  c.rejoining = rejoin;
  c.occupants.clear();
  const join = $pres({ to: `${room}/${nick}` }).c('x', { xmlns: NS_MUC });
  // a rejoin after a drop asks only for what came after the last message seen
  if (rejoin && c.lastStamp) join.c('history', { since: c.lastStamp.toISOString() }).up();
  join.up();
  if (me.show) join.c('show').t(me.show).up();
  if (me.status) join.c('status').t(me.status).up();
  conn.send(join);
  renderConversationHeader(c);
  if (!rejoin) activate(room);
  log('event', `${rejoin ? 'Rejoining' : 'Joining'} ${room} as ${nick}…`);
}

function leaveRoom(c) {
  c.wanted = false;
  if (c.joined && conn && conn.connected) conn.send($pres({ to: `${c.room}/${c.nick}`, type: 'unavailable' }));
  c.joined = false;
  c.joining = false;
  c.occupants.clear();
  renderOccupants(c);
  renderConversationHeader(c);
  note(c, `You left ${nodeOf(c.room)}.`);
}

function statusCodes(p) {
  const x = child(p, 'x', NS_MUC_USER);
  return x ? [...x.children].filter((s) => s.localName === 'status').map((s) => s.getAttribute('code')) : [];
}

function onRoomPresence(p) {
  const from = p.getAttribute('from');
  const room = bareOf(from);
  const nick = resourceOf(from);
  const c = conversations.get(room);
  if (!c) return;
  const type = p.getAttribute('type') || '';
  if (type === 'error') {
    const { condition, code, text } = stanzaError(p);
    const name = nodeOf(room);
    const said = condition === 'conflict' ? `that nick is taken in ${name} — pick another`
      : condition === 'not-acceptable' ? 'your nick must be your user name'
        : condition === 'forbidden' ? `you are not allowed in ${name}`
          : condition === 'registration-required' ? `${name} is for members only`
            : condition === 'service-unavailable' ? `${name} is full or closed`
              : condition === 'not-authorized' ? `${name} needs a password`
                : `could not join ${name} (${text || condition}${code ? ` ${code}` : ''})`;
    c.wanted = false;
    c.joining = false;
    c.joined = false;
    note(c, `Not joined: ${said}.`, 'system refusal');
    if (active !== room) $('notice').textContent = `Not joined: ${said}.`;
    log('error', `Not joined ${room}: ${said} (${condition}${code ? ` ${code}` : ''}).`);
    renderConversationHeader(c);
    if (condition === 'conflict' || condition === 'not-acceptable') $('room-nick').focus();
    return;
  }
  const codes = statusCodes(p);
  const self = codes.includes('110') || (nick === c.nick && c.joining);
  if (type === 'unavailable') {
    c.occupants.delete(nick);
    if (self) {
      c.joined = false;
      renderConversationHeader(c);
    } else {
      note(c, `${nick} left.`);
    }
  } else {
    const before = c.occupants.get(nick);
    const now = { show: childText(p, 'show'), status: childText(p, 'status') };
    c.occupants.set(nick, now);
    if (self && !c.joined) {
      c.joined = true;
      c.joining = false;
      note(c, c.rejoining ? `Back in ${nodeOf(room)} as ${nick}.` : `You joined ${nodeOf(room)} as ${nick}.`);
      $('notice').textContent = '';
      renderConversationHeader(c);
    } else if (!before && c.joined) {
      note(c, `${nick} joined.`);
    } else if (before && presenceText(before.show, before.status) !== presenceText(now.show, now.status)) {
      note(c, `${nick} is now ${presenceText(now.show, now.status)}.`);
    }
  }
  renderOccupants(c);
}

function renderOccupants(c) {
  c.occupantList.replaceChildren();
  const sorted = [...c.occupants.entries()].sort(([a], [b]) => a.localeCompare(b));
  for (const [nick, p] of sorted) {
    const item = el('li', 'occupant');
    item.dataset.nick = nick;
    const dot = el('span', 'dot');
    dot.dataset.presence = p.show || 'available';
    dot.setAttribute('aria-hidden', 'true');
    const name = el('span', 'name', nick);
    if (nick === c.nick) name.append(el('span', 'me-tag', ' (you)'));
    const line = el('span', 'presence', presenceText(p.show, p.status));
    line.dataset.presence = p.show || 'available';
    item.append(dot, name, line);
    c.occupantList.append(item);
  }
  c.count.textContent = `(${c.occupants.size})`;
}

function onRoomMessage(m) {
  const from = m.getAttribute('from') || '';
  const room = bareOf(from);
  const c = conversations.get(room);
  if (!c) return;
  const nick = resourceOf(from);
  const subject = child(m, 'subject');
  const body = child(m, 'body');
  if (subject && !body) {
    c.subject = subject.textContent;
    renderConversationHeader(c);
    if (c.subject) note(c, `Subject: ${c.subject}`);
    return;
  }
  if (!body) {
    if (child(m, 'composing', NS_CHAT_STATES) && nick !== c.nick) typingFrom(c, nick);
    return;
  }
  stoppedTyping(c, nick);
  const id = m.getAttribute('id');
  if (id) {
    if (c.seen.has(id)) return; // a rejoin's history repeats what is on screen
    c.seen.add(id);
  }
  const delay = delayOf(m);
  const when = delay || new Date();
  if (!c.lastStamp || when > c.lastStamp) c.lastStamp = when;
  const mine = nick === c.nick && !delay;
  addLine(c, `message${mine ? ' mine' : ''}${delay ? ' history' : ''}`,
    [['meta', delay ? `earlier, ${clock(delay)}` : clock(when)], ['from', nick || nodeOf(room)], ['text', body.textContent]]);
  if (!delay) log('message', `${nodeOf(room)} · ${nick}: ${body.textContent}`);
  if (mine) settlePending(c, body.textContent);
}

// ---- typing hints (XEP-0085) -------------------------------------------------------------------

function typingFrom(c, who) {
  c.typing.set(who, Date.now() + TYPING_SHOWN_MS);
  renderTyping();
}

function stoppedTyping(c, who) {
  if (c.typing.delete(who)) renderTyping();
}

function renderTyping() {
  const c = conversations.get(active);
  const now = Date.now();
  let names = [];
  if (c) {
    for (const [who, until] of c.typing) if (until < now) c.typing.delete(who);
    names = [...c.typing.keys()];
  }
  $('typing').textContent = names.length === 0 ? ''
    : names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`;
}

let lastTypingSent = 0;
$('text').addEventListener('input', () => {
  const c = conversations.get(active);
  const now = Date.now();
  if (!c || !conn || !conn.connected || now - lastTypingSent < TYPING_SENT_EVERY_MS) return;
  if (c.kind === 'room' && !c.joined) return;
  lastTypingSent = now;
  conn.send($msg({ to: c.key, type: c.kind === 'room' ? 'groupchat' : 'chat' }).c('composing', { xmlns: NS_CHAT_STATES }));
});

setInterval(renderTyping, 1000);

// ---- sending -----------------------------------------------------------------------------------

let pending = null; // a room message sent and not back yet: the input keeps it until it is

function settlePending(c, text) {
  if (pending && pending.key === c.key && pending.text === text) {
    if ($('text').value === text) $('text').value = '';
    pending = null;
  }
}

$('send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('text').value;
  const c = conversations.get(active);
  if (!text.trim() || !c || !conn || !conn.connected) return;
  if (c.kind === 'room') {
    if (!c.joined) {
      note(c, `Join ${nodeOf(c.room)} first.`, 'system refusal');
      return;
    }
    conn.send($msg({ to: c.room, type: 'groupchat', id: conn.getUniqueId('m') }).c('body').t(text));
    lastTypingSent = 0;
    pending = { key: c.key, text }; // the room sends it back to everyone, the sender included
  } else {
    conn.send($msg({ to: c.key, type: 'chat', id: conn.getUniqueId('m') }).c('body').t(text)
      .up().c('active', { xmlns: NS_CHAT_STATES }));
    lastTypingSent = 0;
    addLine(c, 'message mine', [['meta', clock(new Date())], ['from', 'you'], ['text', text]]);
    $('text').value = '';
  }
});

$('tabs').addEventListener('keydown', (event) => {
  const keys = [...conversations.keys()];
  const i = keys.indexOf(active);
  let next = null;
  if (event.key === 'ArrowRight') next = keys[(i + 1) % keys.length];
  else if (event.key === 'ArrowLeft') next = keys[(i - 1 + keys.length) % keys.length];
  else if (event.key === 'Home') next = keys[0];
  else if (event.key === 'End') next = keys[keys.length - 1];
  if (next) {
    event.preventDefault();
    activate(next);
    conversations.get(next).tab.focus();
  }
});

$('presence-form').addEventListener('submit', (event) => {
  event.preventDefault();
  me.show = $('show').value;
  me.status = $('status').value.trim();
  if (!conn || !conn.connected) return;
  sendPresence();
  log('event', `You are now ${presenceText(me.show, me.status)}.`);
});

$('room-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (!conn || !conn.connected) return;
  const name = $('room-name').value.trim().toLowerCase();
  const nick = $('room-nick').value.trim();
  if (!name || !nick) return;
  $('notice').textContent = '';
  const room = `${name}@${mucDomain()}`;
  const c = conversations.get(room);
  if (c && c.joined) {
    activate(room);
    return;
  }
  joinRoom(room, nick);
});

$('talk-form').addEventListener('submit', (event) => {
  event.preventDefault();
  let jid = bareOf($('talk-to').value.trim());
  if (!jid) return;
  if (!jid.includes('@')) jid = `${jid}@${me.domain}`;
  if (jid === me.bare) {
    $('notice').textContent = 'That is you.';
    return;
  }
  $('talk-to').value = '';
  openChat(jid, true);
  $('text').focus();
});

$('disconnect').addEventListener('click', () => {
  wanted = false;
  clearTimeout(retryTimer);
  if (conn && conn.connected) {
    for (const c of conversations.values()) if (c.kind === 'room') c.wanted = false;
    conn.disconnect('the user disconnected');
  } else {
    onDisconnected();
  }
  showLogin('');
});

$('reconnect-now').addEventListener('click', () => {
  attempt = 0;
  showConnection('Reconnecting…', false);
  connect();
});

$('clear-log').addEventListener('click', () => $('log').replaceChildren());

// ---- views -------------------------------------------------------------------------------------

function showChat() {
  $('login-view').hidden = true;
  $('chat-view').hidden = false;
  $('my-jid').textContent = me.full;
  $('me-title').textContent = `· ${me.bare}`;
  $('chat-heading').textContent = `XMPP chat as ${me.bare}`;
  if (!$('room-nick').value) $('room-nick').value = me.node;
  if (session.security && !session.operator) {
    // the server allows no other nick in a room (the contract: the nick is the user's name)
    $('room-nick').value = me.node;
    $('room-nick').readOnly = true;
    $('nick-hint').textContent = 'With security on, your nick is your user name.';
  } else if (session.security) {
    $('nick-hint').textContent = 'As an operator you may use another nick.';
  }
}

function showLogin(error) {
  $('chat-view').hidden = true;
  $('login-view').hidden = false;
  $('me-title').textContent = '';
  $('login-error').textContent = error;
  if ($('jid').value && (error || session.security)) {
    $('password').focus(); // the JID is there: what to fix (or type) is the password
    $('password').select();
  } else {
    $('jid').focus();
  }
}

$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  $('login-error').textContent = '';
  if (session.security && !session.user) {
    refused({ access: 'login', user: null });
    return;
  }
  let jid = $('jid').value.trim();
  if (!jid.includes('@')) jid = `${jid}@${defaultDomain()}`;
  if (me.bare && bareOf(jid) !== me.bare) resetConversations(); // another user's are not theirs
  me.jid = jid;
  me.bare = bareOf(jid);
  me.node = nodeOf(jid);
  me.domain = Strophe.getDomainFromJid(jid);
  me.password = $('password').value;
  me.full = '';
  plainOnly = false;
  wanted = true;
  connectedOnce = false;
  attempt = 0;
  connect();
});

/** A different user logs in: the previous one's conversations and contacts are not theirs. */
function resetConversations() {
  conversations.clear();
  contacts.clear();
  active = null;
  $('tabs').replaceChildren();
  $('conversations').replaceChildren();
  $('no-conversation').hidden = false;
  $('room-nick').value = '';
}

/** The server's `xmpp.domain` (from `access`), unless the page was given `?domain=`. */
let serverDomain = null;
function defaultDomain() {
  return new URLSearchParams(window.location.search).get('domain') || serverDomain || 'localhost';
}

function showJidHint() {
  $('jid-hint').textContent = `Your name on this server, e.g. alice@${defaultDomain()} (a name alone gets @${defaultDomain()}).`;
}

// ---- start -------------------------------------------------------------------------------------

const params = new URLSearchParams(window.location.search);
if (params.get('jid')) $('jid').value = params.get('jid');
showJidHint();
setState('CLOSED', 'DISCONNECTED');
$('jid').focus();
showSession($('session')).then((answer) => {
  session = answer;
  if (answer.xmppDomain) {
    serverDomain = answer.xmppDomain;
    showJidHint();
  }
  if (!answer.security) {
    $('password-hint').textContent = 'Security is off on this server: any name and any password work.';
    return;
  }
  if (!answer.user) {
    const a = el('a', '', 'Log in');
    a.href = loginUrl();
    $('jid-hint').replaceChildren('With security on, you chat under your login name. ', a);
    return;
  }
  if (!$('jid').value) $('jid').value = `${answer.user}@${defaultDomain()}`;
  $('jid-hint').textContent = `Logged in as ${answer.user}: your JID is your login name; type your password.`;
  $('password').focus();
});
