// The STOMP client library (@stomp/stompjs, from its WebJar) wired to Switchboard's stomp endpoint,
// with the pages' reconnect rules (those of ws.js's ReconnectingWebSocket) instead of stompjs's own loop.
import { Client, Versions } from '../webjars/stomp__stompjs/7.2.1/esm6/index.js';
import { webSocketUrl, access, RETRYABLE_CLOSES } from './ws.js';

export { Versions };

/**
 * What an ERROR frame means for the person: `login` (the broker did not take the login: log in,
 * or fix login/passcode), `forbidden` (this user may not use that destination) or `error` (the
 * frame was refused: fix it). None of them is retried: the same frames would meet the same ERROR.
 */
export function errorKind(frame) {
  const message = errorMessage(frame);
  if (/^(login failed|CONNECT names a different user|too many failed logins|password checks busy)/.test(message)) return 'login';
  if (/^not allowed to /.test(message)) return 'forbidden';
  return 'error';
}

export function errorMessage(frame) {
  return String(frame.headers.message || frame.body || 'ERROR').trim();
}

/** A raw frame as it may be shown: no NUL, and a passcode never in clear. */
export function showableFrame(text) {
  return text.replace(/\0$/, '').replace(/^passcode:.*$/m, 'passcode:••••');
}

/**
 * A stompjs Client for this page's Switchboard that heart-beats every 10 s and reconnects only
 * when a retry can help: after a dropped connection ({@link RETRYABLE_CLOSES}, or a close before
 * the CONNECTED frame that `GET access?path=stomp` does not call a refusal), waiting 0.5 s, 1 s,
 * 2 s … 30 s with jitter. Never after an ERROR (the broker refused a frame; reconnecting would send
 * it again), never after stop(). Callbacks:
 * - onState(state, detail): state CONNECTING | OPEN | CLOSED; for CLOSED, detail is
 *   {event, retryIn (ms, or null when it will not reconnect), error (the ERROR frame or null),
 *   kind (errorKind, or 'refused' for a refused handshake), cause (the frame the ERROR answered),
 *   stopped (stop() was called)};
 * - onError(frame, kind, cause) as soon as an ERROR arrives.
 * `versions` limits the STOMP versions offered. The client has stop() (the person's Disconnect).
 */
export function stompClient({ versions = ['1.2', '1.1', '1.0'], connectHeaders = {}, onState = () => {}, onError = () => {},
  debug, minDelay = 500, maxDelay = 30000 } = {}) {
  const url = webSocketUrl('stomp');
  const sent = []; // the last frames sent (raw text), to name the one an ERROR answers
  let attempt = 0;
  let wanted = false;
  let timer = null;
  let connected = false; // this socket got CONNECTED
  let error = null; // the ERROR this socket got
  let cause = null;
  const client = new Client({
    brokerURL: url,
    stompVersions: new Versions(versions),
    connectHeaders,
    heartbeatIncoming: 10000,
    heartbeatOutgoing: 10000,
    reconnectDelay: 0, // the loop is ours (below): stompjs's would retry after any close
    logRawCommunication: true,
    debug: (raw) => {
      if (raw.startsWith('>>> ') && raw.length > 5) {
        sent.push(raw.slice(4));
        if (sent.length > 20) sent.shift();
      }
      if (debug) debug(raw.startsWith('>>> ') || raw.startsWith('<<< ') ? raw.slice(0, 4) + showableFrame(raw.slice(4)) : raw);
    },
  });
  client.beforeConnect = () => {
    connected = false;
    error = null;
    cause = null;
    sent.length = 0;
    onState('CONNECTING', { attempt });
  };
  const onConnect = [];
  client.onConnect = (frame) => {
    attempt = 0;
    connected = true;
    onState('OPEN', { frame });
    onConnect.forEach((f) => f(frame));
  };
  client.onStompError = (frame) => {
    error = frame;
    cause = causeOf(frame, sent);
    onError(frame, errorKind(frame), cause);
  };
  client.onWebSocketClose = (event) => {
    // stompjs would reconnect now if still active: this close is ours to judge
    client.deactivate();
    const detail = { event, retryIn: null, error, kind: error ? errorKind(error) : null, cause, stopped: !wanted };
    if (!wanted || error || (connected && !RETRYABLE_CLOSES.has(event.code))) {
      wanted = false;
      onState('CLOSED', detail);
      return;
    }
    if (connected) {
      retry(detail);
      return;
    }
    // closed before CONNECTED: a refused handshake looks like a drop (1006); the server can tell
    access('stomp').then((answer) => answer, () => null).then((answer) => {
      if (!wanted) return;
      if (answer && (answer.access === 'login' || answer.access === 'forbidden')) {
        wanted = false;
        onState('CLOSED', { ...detail, kind: 'refused', access: answer });
      } else {
        retry(detail);
      }
    });
  };

  function retry(detail) {
    const base = Math.min(maxDelay, minDelay * 2 ** attempt);
    const delay = Math.round(base / 2 + Math.random() * base / 2);
    attempt += 1;
    onState('CLOSED', { ...detail, retryIn: delay });
    timer = setTimeout(() => { timer = null; if (wanted) client.activate(); }, delay);
  }

  client.start = () => {
    wanted = true;
    attempt = 0;
    clearTimeout(timer);
    timer = null;
    client.activate();
  };
  /** The person's Disconnect: no reconnect, also when a retry is waiting or a socket is opening. */
  client.stop = () => {
    wanted = false;
    clearTimeout(timer);
    timer = null;
    onState('CLOSED', { event: null, retryIn: null, error: null, kind: null, cause: null, stopped: true });
    return client.deactivate();
  };
  /** Connects now: after a refusal, or instead of waiting for the next retry. */
  client.reconnectNow = () => {
    if (client.connected) return;
    client.start();
  };
  client.whenConnected = (f) => onConnect.push(f);
  client.url = url;
  return client;
}

/** The frame an ERROR answers: the one with its receipt-id, else the last one sent before it. */
function causeOf(frame, sent) {
  const receipt = frame.headers['receipt-id'];
  const frames = sent.filter((text) => !/^\s*$/.test(text));
  const byReceipt = receipt ? frames.find((text) => new RegExp(`^receipt:${escape(receipt)}$`, 'm').test(text)) : undefined;
  const text = byReceipt || frames[frames.length - 1];
  return text ? showableFrame(text).trimEnd() : null;
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
