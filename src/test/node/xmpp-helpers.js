// Shared pieces of the XMPP scenarios: clients of two third-party libraries (@xmpp/client and
// Strophe.js) and a JSON chat member, each with an inbox a test awaits.
import WebSocket from 'ws';
import { client, xml } from '@xmpp/client';
import { Strophe } from 'strophe.js';

globalThis.WebSocket = WebSocket; // both libraries use the platform's WebSocket, which Node 20 lacks
Strophe.setLogLevel(Strophe.LogLevel.ERROR);

export const XMPP_URL = process.env.SWITCHBOARD_XMPP_URL ?? 'ws://127.0.0.1:8080/xmpp';
export const CHAT_URL = process.env.SWITCHBOARD_CHAT_URL ?? 'ws://127.0.0.1:8080/chat';
export const DOMAIN = process.env.SWITCHBOARD_XMPP_DOMAIN ?? 'localhost';
export const MUC = `conference.${DOMAIN}`;
export { xml };

let counter = 0;
/** A name no other test uses (the server is shared by every test in the file). */
export const unique = (prefix) => `${prefix}${process.pid % 1000}x${(counter += 1)}`;

/** Items as they arrive; `next(match)` takes the first that matches, waiting up to `ms` for it. */
export class Inbox {
  constructor() { this.items = []; this.waiters = []; }

  push(item) {
    const waiter = this.waiters.find((w) => w.match(item));
    if (waiter) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      clearTimeout(waiter.timer);
      waiter.resolve(item);
    } else {
      this.items.push(item);
    }
  }

  next(match = () => true, ms = 5000, what = 'a stanza') {
    const i = this.items.findIndex(match);
    if (i >= 0) return Promise.resolve(this.items.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      waiter.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`timed out waiting for ${what}; inbox:\n${this.items.map(String).join('\n')}`));
      }, ms);
      this.waiters.push(waiter);
    });
  }

  /** Nothing matching arrived (of what is already here). */
  none(match) { return !this.items.some(match); }
}

/** An @xmpp/client (xmpp.js) session, online, with every incoming stanza in `inbox`. */
export async function xmppJs(username, { password = 'any', resource = 'xmppjs', mechanism } = {}) {
  const c = client({ service: XMPP_URL, domain: DOMAIN, username, password, resource });
  if (mechanism) {
    // offer only this mechanism: xmpp.js picks the first the server and it share
    c.saslFactory._mechs = c.saslFactory._mechs.filter((m) => m.name === mechanism);
  }
  c.inbox = new Inbox();
  c.on('stanza', (s) => c.inbox.push(s));
  c.on('error', () => {});
  try {
    await c.start();
  } catch (e) {
    await c.stop().catch(() => {}); // a refused login leaves the stream open for another try: end it
    throw e;
  }
  return c;
}

/** A Strophe.js connection, connected; its stanzas (DOM elements) land in `inbox`, its statuses in `statuses`. */
export function strophe(jid, password = 'any') {
  return new Promise((resolve, reject) => {
    const c = new Strophe.Connection(XMPP_URL);
    c.inbox = new Inbox();
    c.statuses = new Inbox();
    c.addHandler((el) => { c.inbox.push(el); return true; }, null, null, null, null, null);
    c.connect(jid, password, (status, condition) => {
      c.statuses.push({ status, condition });
      if (status === Strophe.Status.CONNECTED) resolve(c);
      if (status === Strophe.Status.AUTHFAIL) {
        c.disconnect(); // a refused login leaves the stream open for another try: end it
        reject(Object.assign(new Error('AUTHFAIL'), { condition }));
      }
      if (status === Strophe.Status.CONNFAIL) reject(Object.assign(new Error(`CONNFAIL ${condition}`), { condition }));
    });
  });
}

/** Disconnects and waits until Strophe says DISCONNECTED. */
export async function stropheDisconnect(c) {
  c.disconnect();
  await c.statuses.next((s) => s.status === Strophe.Status.DISCONNECTED, 5000, 'DISCONNECTED');
}

/** A JSON chat member of `room` (docs/protocol.md, chat): its messages in `inbox`, the welcome in `welcome`. */
export function jsonMember(room, nick) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${CHAT_URL}/${room}`);
    ws.inbox = new Inbox();
    ws.on('error', reject);
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m.type === 'welcome') { ws.welcome = m; resolve(ws); } else ws.inbox.push(m);
    });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'join', nick })));
    ws.say = (text) => ws.send(JSON.stringify({ type: 'message', text }));
  });
}

export { Strophe };
