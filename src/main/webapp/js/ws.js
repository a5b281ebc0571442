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
 * A fetch of one of Switchboard's own URLs by a page: it says so (X-Requested-With), so a 401 never
 * pops the browser's password dialog (the server answers it with a scheme no browser prompts for).
 */
export function pageFetch(url, options = {}) {
  const headers = new Headers(options.headers || {});
  headers.set('X-Requested-With', 'switchboard');
  return fetch(url, { cache: 'no-store', credentials: 'same-origin', ...options, headers });
}

/**
 * Who this browser is logged in as, and — with `path` (an endpoint path such as `chat/lobby`) —
 * what a WebSocket handshake there would get now: `{security, user, roles, operator, access,
 * reason}` with access `allowed`, `login` (no or wrong credentials: log in), `forbidden` (this user
 * may not), `unavailable` (full or busy: later) or `unknown`. A browser's WebSocket cannot tell a
 * refused handshake from a dropped connection (both close with 1006); this can.
 */
export async function access(path) {
  const response = await pageFetch(path ? `access?path=${encodeURIComponent(path)}` : 'access');
  if (!response.ok) throw new Error(`access: HTTP ${response.status}`);
  return response.json();
}

/** login.html, coming back to this page (with its query) after logging in. */
export function loginUrl() {
  const here = window.location.pathname.split('/').pop() + window.location.search;
  return `login.html?next=${encodeURIComponent(here)}`;
}

/**
 * Close codes after which reconnecting can help: the server went away, restarted, was busy, or
 * the connection dropped. After the others (1000 normal, 1002/1003/1007 the client sent what the
 * server refuses, 1008 policy, 1009 too big) the same attempt would meet the same answer.
 */
export const RETRYABLE_CLOSES = new Set([1001, 1005, 1006, 1011, 1012, 1013, 1014]);

/**
 * A WebSocket that reconnects after an unexpected close that a retry can help
 * ({@link RETRYABLE_CLOSES}), waiting 0.5 s, 1 s, 2 s … up to 30 s (with jitter so a restarted
 * server is not hit by every page at once). A close the user asked for (close()) does not
 * reconnect. With `accessPath` (the endpoint's path, e.g. `chat/lobby`), a close before the
 * socket opened asks the server why ({@link access}): a refusal (`login`, `forbidden`) stops the
 * retries and calls onrefused(answer) instead. Callbacks: onopen, onmessage,
 * onclose(event, willRetryInMs), onretry(attempt, delayMs), onrefused({access, reason, user}).
 */
export class ReconnectingWebSocket {
  constructor(url, { protocols, binaryType = 'arraybuffer', minDelay = 500, maxDelay = 30000, autoReconnect = true,
    accessPath = null, retryable = RETRYABLE_CLOSES } = {}) {
    this.url = url;
    this.accessPath = accessPath;
    this.retryable = retryable;
    this.onrefused = () => {};
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
    let socket;
    try {
      socket = this.protocols ? new WebSocket(this.url, this.protocols) : new WebSocket(this.url);
    } catch (error) {
      // a URL the browser refuses outright (a blocked port, a policy): say so, never stop silently
      this.socket = null;
      const retryIn = this.wanted && this.autoReconnect ? this.nextDelay() : null;
      this.onclose({ code: 1006, reason: String(error && error.message || error), wasClean: false }, retryIn);
      if (retryIn !== null) {
        this.attempt += 1;
        this.onretry(this.attempt, retryIn);
        this.timer = setTimeout(() => this.connect(), retryIn);
      }
      return;
    }
    socket.binaryType = this.binaryType;
    let opened = false;
    socket.onopen = (e) => { opened = true; this.attempt = 0; this.onopen(e); };
    socket.onmessage = (e) => this.onmessage(e);
    socket.onerror = (e) => this.onerror(e);
    socket.onclose = async (e) => {
      if (this.socket !== socket) return;
      if (!opened && this.accessPath && this.wanted) {
        let answer = null;
        try { answer = await access(this.accessPath); } catch { /* the server is not answering: a drop */ }
        if (this.socket !== socket) return;
        if (answer && (answer.access === 'login' || answer.access === 'forbidden')) {
          this.wanted = false;
          this.onclose(e, null);
          this.onrefused(answer);
          return;
        }
      }
      const retry = this.wanted && this.autoReconnect && (this.retryable.has(e.code) || !opened);
      const retryIn = retry ? this.nextDelay() : null;
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
