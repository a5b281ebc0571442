// Shared WebSocket helpers for Switchboard's pages.

/** ws:// or wss:// URL for an endpoint path, relative to this page (works at / and under /switchboard/). */
export function webSocketUrl(path) {
  const url = new URL(path, window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  return url.toString();
}

export const READY_STATES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];

/** Names of the close codes a person may meet (RFC 6455 §7.4.1 and the contract). */
export const CLOSE_CODES = {
  1000: 'normal', 1001: 'going away', 1002: 'protocol error', 1003: 'unsupported data',
  1005: 'no status', 1006: 'dropped', 1007: 'invalid data', 1008: 'policy violation',
  1009: 'message too big', 1011: 'server error', 1012: 'service restart', 1013: 'try again later',
  1015: 'TLS failure',
};

export function describeClose(event) {
  const name = CLOSE_CODES[event.code] || 'code';
  return `${event.code} ${name}${event.reason ? ` — ${event.reason}` : ''}`;
}

/**
 * A WebSocket that reconnects after an unexpected close, waiting 0.5 s, 1 s, 2 s … up to 30 s
 * (with jitter so a restarted server is not hit by every page at once). A close the user asked
 * for (close()) does not reconnect. Callbacks: onopen, onmessage, onclose(event, willRetryInMs),
 * onstate(state), onretry(attempt, delayMs).
 */
export class ReconnectingWebSocket {
  constructor(url, { protocols, binaryType = 'arraybuffer', minDelay = 500, maxDelay = 30000, autoReconnect = true } = {}) {
    this.url = url;
    this.protocols = protocols;
    this.binaryType = binaryType;
    this.minDelay = minDelay;
    this.maxDelay = maxDelay;
    this.autoReconnect = autoReconnect;
    this.attempt = 0;
    this.socket = null;
    this.timer = null;
    this.wanted = false;
    this.onopen = () => {};
    this.onmessage = () => {};
    this.onclose = () => {};
    this.onerror = () => {};
    this.onretry = () => {};
  }

  get readyState() { return this.socket ? this.socket.readyState : WebSocket.CLOSED; }
  get bufferedAmount() { return this.socket ? this.socket.bufferedAmount : 0; }
  get protocol() { return this.socket ? this.socket.protocol : ''; }
  get extensions() { return this.socket ? this.socket.extensions : ''; }

  connect() {
    this.wanted = true;
    clearTimeout(this.timer);
    this.timer = null;
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) return;
    const socket = this.protocols ? new WebSocket(this.url, this.protocols) : new WebSocket(this.url);
    socket.binaryType = this.binaryType;
    socket.onopen = (e) => { this.attempt = 0; this.onopen(e); };
    socket.onmessage = (e) => this.onmessage(e);
    socket.onerror = (e) => this.onerror(e);
    socket.onclose = (e) => {
      if (this.socket !== socket) return;
      const retryIn = this.wanted && this.autoReconnect ? this.nextDelay() : null;
      this.onclose(e, retryIn);
      if (retryIn !== null) {
        this.attempt += 1;
        this.onretry(this.attempt, retryIn);
        this.timer = setTimeout(() => this.connect(), retryIn);
      }
    };
    this.socket = socket;
  }

  nextDelay() {
    const base = Math.min(this.maxDelay, this.minDelay * 2 ** this.attempt);
    return Math.round(base / 2 + Math.random() * base / 2);
  }

  send(data) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) throw new Error('not connected');
    this.socket.send(data);
  }

  /** Closes on purpose: no reconnect. */
  close(code, reason) {
    this.wanted = false;
    clearTimeout(this.timer);
    this.timer = null;
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) {
      if (code === undefined) this.socket.close(); else this.socket.close(code, reason);
    }
  }
}

/** Size of text in UTF-8 bytes. */
export function utf8Length(text) {
  return new TextEncoder().encode(text).length;
}

export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function timeOfDay(date = new Date()) {
  return date.toLocaleTimeString([], { hour12: false }) + '.' + String(date.getMilliseconds()).padStart(3, '0');
}
