// Lets a page be driven by Switchboard's remote console: load it as a module on any page of your
// own (<script type="module" src=".../js/console-target.js" data-label="my page"></script>).
// It attaches as a target, evaluates what operators send (indirect eval, in the page's global
// scope) and answers with the result as a string. Remove it from pages nobody should drive.
import { webSocketUrl, ReconnectingWebSocket } from './ws.js';

const MAX_VALUE_CHARS = 64 * 1024;

/** Result rendering: strings as they are, other values as JSON (cycles shown as "[Circular]"). */
export function render(value) {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'symbol' || typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  const seen = new WeakSet();
  try {
    const json = JSON.stringify(value, (key, v) => {
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'object' && v !== null) {
        if (seen.has(v)) return '[Circular]';
        seen.add(v);
      }
      return v;
    });
    return json === undefined ? String(value) : json;
  } catch (e) {
    return String(value);
  }
}

function clip(text) {
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length - MAX_VALUE_CHARS} more characters)` : text;
}

async function evaluate(code) {
  try {
    // indirect eval: global scope, not this module's
    let value = (0, eval)(code); // eslint-disable-line no-eval
    if (value && typeof value.then === 'function') value = await value;
    return { value: clip(render(value)) };
  } catch (e) {
    return { error: clip(e instanceof Error ? `${e.name}: ${e.message}` : `Uncaught ${render(e)}`) };
  }
}

/** Attaches this page as a console target. `onEvent({type, ...})` hears what happens. */
export function attachTarget({ label = document.title || location.pathname, url = webSocketUrl(consoleUrl()) } = {}) {
  // a refusal can be told from a drop only by asking this server's access, which sits next to the pages
  const besideThePages = new URL('../', import.meta.url).href === new URL('./', window.location.href).href;
  const socket = new ReconnectingWebSocket(url, { accessPath: besideThePages ? 'console' : null });
  const listeners = new Set(); // this attachment's own: an earlier, detached one says nothing here
  const emit = (event) => listeners.forEach((l) => l(event));
  socket.onopen = () => {
    socket.send(JSON.stringify({ type: 'attach', role: 'target', label }));
    emit({ type: 'open' });
  };
  socket.onmessage = async (event) => {
    let message;
    try { message = JSON.parse(event.data); } catch { return; }
    if (message.type === 'attached') emit({ type: 'attached', id: message.id });
    if (message.type === 'eval') {
      emit({ type: 'eval', code: message.code });
      const result = await evaluate(message.code);
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'result', id: message.id, ...result }));
      emit({ type: 'result', code: message.code, ...result });
    }
  };
  socket.onclose = (event, retryIn) => emit({ type: 'close', code: event.code, reason: event.reason, retryIn });
  socket.onrefused = (answer) => emit({ type: 'refused', ...answer });
  socket.connect();
  return {
    onEvent(listener) { listeners.add(listener); },
    detach() { socket.close(1000, 'detached'); },
  };
}

function consoleUrl() {
  // relative to this script, so a page anywhere on the site reaches this server's console endpoint
  return new URL('../console', import.meta.url).toString();
}

// Loaded by a plain <script data-label> tag on someone's page: attach right away.
const tag = document.querySelector('script[src$="console-target.js"][data-label]');
if (tag) attachTarget({ label: tag.dataset.label });
