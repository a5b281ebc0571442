// Helpers around @stomp/stompjs (a STOMP client written by others) for Switchboard's tests.
import { Client, Versions } from '@stomp/stompjs';
import WebSocket from 'ws';

export const URL = process.env.SWITCHBOARD_STOMP_URL;
if (!URL) throw new Error('SWITCHBOARD_STOMP_URL is not set (the JUnit test that starts the server sets it)');

/** Connects a stompjs client speaking the given versions (to `url`, the server's by default); resolves once CONNECTED arrives. */
export function connect({ url = URL, versions = ['1.2', '1.1', '1.0'], connectHeaders = {}, heartbeat = 0, debug = false } = {}) {
  return new Promise((resolve, reject) => {
    const stompVersions = new Versions(versions);
    const events = { errors: [], closes: [] };
    const client = new Client({
      webSocketFactory: () => new WebSocket(url, stompVersions.protocolVersions()),
      stompVersions,
      connectHeaders,
      reconnectDelay: 0,
      heartbeatIncoming: heartbeat,
      heartbeatOutgoing: heartbeat,
      debug: debug ? (text) => console.log(text) : () => {},
    });
    client.events = events;
    client.onConnect = () => resolve(client);
    client.onStompError = (frame) => {
      events.errors.push(frame);
    };
    client.onWebSocketClose = (event) => {
      events.closes.push(event);
      if (!client.connected) reject(Object.assign(new Error(`closed ${event.code} ${event.reason}`), { event, client }));
    };
    client.onWebSocketError = () => {};
    client.activate();
  });
}

/** Subscribes and returns a queue of its messages with a next() that waits. */
export function subscribe(client, destination, headers = {}) {
  const messages = [];
  const waiters = [];
  const subscription = client.subscribe(destination, (message) => {
    const waiter = waiters.shift();
    if (waiter) waiter(message); else messages.push(message);
  }, headers);
  return {
    id: subscription.id,
    unsubscribe: (h) => subscription.unsubscribe(h),
    pending: () => messages.length,
    next(timeoutMs = 5000) {
      if (messages.length) return Promise.resolve(messages.shift());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no message on ${destination} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push((message) => { clearTimeout(timer); resolve(message); });
      });
    },
  };
}

/** Resolves when the receipt for `id` arrives. */
export function receipt(client, id, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no RECEIPT ${id}`)), timeoutMs);
    client.watchForReceipt(id, (frame) => { clearTimeout(timer); resolve(frame); });
  });
}

/** Resolves with the WebSocket close event (waits for it). */
export function closed(client, timeoutMs = 5000) {
  if (client.events.closes.length) return Promise.resolve(client.events.closes[0]);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('not closed')), timeoutMs);
    const previous = client.onWebSocketClose;
    client.onWebSocketClose = (event) => { previous(event); clearTimeout(timer); resolve(event); };
  });
}

/** A round trip through the broker: everything sent before it has been handled. */
export async function sync(client) {
  const id = `sync-${Math.random().toString(36).slice(2)}`;
  const got = receipt(client, id);
  client.publish({ destination: '/topic/switchboard.test.sync', body: '', headers: { receipt: id } });
  await got;
}

export function unique(name) {
  return `${name}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 7)}`;
}
