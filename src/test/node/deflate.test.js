// permessage-deflate against Switchboard with a client someone else wrote: the ws package's
// perMessageDeflate (RFC 7692). The JUnit test PerMessageDeflateWsClientTest starts the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';

const BASE = process.env.SWITCHBOARD_WS_BASE;
if (!BASE) throw new Error('SWITCHBOARD_WS_BASE is not set (the JUnit test that starts the server sets it)');

function open(path, perMessageDeflate, protocols) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(BASE + path, protocols, { perMessageDeflate });
    const inbox = [];
    const waiters = [];
    ws.closed = new Promise((done) => ws.on('close', (code, reason) => done({ code, reason: reason.toString() })));
    ws.on('message', (data, isBinary) => {
      const message = isBinary ? data : data.toString();
      const waiter = waiters.shift();
      if (waiter) waiter(message); else inbox.push(message);
    });
    ws.next = () => (inbox.length ? Promise.resolve(inbox.shift()) : new Promise((r) => waiters.push(r)));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Bytes the server sent on this connection's socket from now on. */
function countBytes(ws) {
  const counter = { bytes: 0 };
  ws._socket.on('data', (chunk) => { counter.bytes += chunk.length; });
  return counter;
}

test('echo round trips with permessage-deflate negotiated, long and short, text and binary', async () => {
  const ws = await open('echo', { threshold: 0 });
  assert.equal(ws.extensions, 'permessage-deflate');
  const received = countBytes(ws);
  const long = 'the same words again and again, '.repeat(100);
  ws.send(long);
  assert.equal(await ws.next(), long);
  assert.ok(received.bytes < long.length / 10, `${received.bytes} bytes on the wire for ${long.length}`);
  ws.send('hi');
  assert.equal(await ws.next(), 'hi');
  const binary = Buffer.alloc(4096, 7);
  ws.send(binary);
  assert.deepEqual(await ws.next(), binary);
  ws.close();
  await ws.closed;
});

test('echo round trips uncompressed when the client offers nothing', async () => {
  const ws = await open('echo', false);
  assert.equal(ws.extensions, '');
  const long = 'plain, '.repeat(100);
  ws.send(long);
  assert.equal(await ws.next(), long);
  ws.close();
  await ws.closed;
});

test('no context takeover, both ways', async () => {
  const ws = await open('echo', { serverNoContextTakeover: true, clientNoContextTakeover: true, threshold: 0 });
  assert.match(ws._extensions['permessage-deflate'] ? 'permessage-deflate' : '', /permessage-deflate/);
  const params = ws._extensions['permessage-deflate'].params;
  assert.equal(params.server_no_context_takeover, true);
  assert.equal(params.client_no_context_takeover, true);
  for (let i = 0; i < 5; i++) {
    const message = `message ${i} on its own, `.repeat(20);
    ws.send(message);
    assert.equal(await ws.next(), message);
  }
  ws.close();
  await ws.closed;
});

test('an offer of server_max_window_bits=10 is declined and the connection goes uncompressed', async () => {
  const ws = await open('echo', { serverMaxWindowBits: 10 });
  assert.equal(ws.extensions, '');
  ws.send('still works, '.repeat(20));
  assert.equal(await ws.next(), 'still works, '.repeat(20));
  ws.close();
  await ws.closed;
});

test('a chat stream in JSON is at least four times smaller on the wire', async () => {
  const room = 'chat/wsdeflate';
  const plain = await open(room, false);
  const squeezed = await open(room, { threshold: 0 });
  const alice = await open(room, false);
  const next = async (ws, type) => {
    for (let i = 0; i < 1000; i++) {
      const m = JSON.parse(await ws.next());
      if (m.type === type) return m;
    }
    throw new Error(`no ${type}`);
  };
  for (const [ws, nick] of [[plain, 'plain'], [squeezed, 'squeezed'], [alice, 'alice']]) {
    ws.send(JSON.stringify({ type: 'join', nick }));
    await next(ws, 'welcome');
  }
  alice.send(JSON.stringify({ type: 'message', text: 'warm-up' }));
  for (const ws of [plain, squeezed]) while ((await next(ws, 'message')).text !== 'warm-up');
  const plainBytes = countBytes(plain);
  const squeezedBytes = countBytes(squeezed);
  const n = 200;
  for (let i = 0; i < n; i++) {
    const text = `message ${i}: shall we meet for lunch at ${11 + (i % 3)}:30 by the fountain?`;
    alice.send(JSON.stringify({ type: 'message', text }));
    assert.equal((await next(plain, 'message')).text, text);
    assert.equal((await next(squeezed, 'message')).text, text);
  }
  console.log(`ws client, chat: ${(plainBytes.bytes / n).toFixed(1)} bytes per message uncompressed, `
    + `${(squeezedBytes.bytes / n).toFixed(1)} compressed (${(plainBytes.bytes / squeezedBytes.bytes).toFixed(2)}x)`);
  assert.ok(plainBytes.bytes >= 4 * squeezedBytes.bytes, `${plainBytes.bytes} vs ${squeezedBytes.bytes}`);
  for (const ws of [plain, squeezed, alice]) ws.close();
  await Promise.all([plain.closed, squeezed.closed, alice.closed]);
});

test('one room: receivers sharing a compressed frame (server_no_context_takeover), one with context takeover, one uncompressed', async () => {
  const room = 'chat/wsshared';
  const shared = await open(room, { serverNoContextTakeover: true, threshold: 0 });
  const sharedBoth = await open(room, { serverNoContextTakeover: true, clientNoContextTakeover: true, threshold: 0 });
  const takeover = await open(room, { threshold: 0 });
  const plain = await open(room, false);
  const alice = await open(room, false);
  assert.equal(shared._extensions['permessage-deflate'].params.server_no_context_takeover, true);
  assert.equal(takeover._extensions['permessage-deflate'].params.server_no_context_takeover, undefined);
  const receivers = [shared, sharedBoth, takeover, plain];
  const next = async (ws, type) => {
    for (let i = 0; i < 1000; i++) {
      const m = JSON.parse(await ws.next());
      if (m.type === type) return m;
    }
    throw new Error(`no ${type}`);
  };
  for (const [ws, nick] of [[shared, 's1'], [sharedBoth, 's2'], [takeover, 'kept'], [plain, 'plain'], [alice, 'alice']]) {
    ws.send(JSON.stringify({ type: 'join', nick }));
    await next(ws, 'welcome');
  }
  alice.send(JSON.stringify({ type: 'message', text: 'warm-up' }));
  for (const ws of receivers) while ((await next(ws, 'message')).text !== 'warm-up');
  const n = 100;
  const texts = [];
  for (let i = 0; i < n; i++) {
    const text = i % 4 === 0 ? `ok ${i}` : `message ${i}: the deploy to staging failed again, ünïcødé ✓ ${'x'.repeat(i)}`;
    texts.push(text);
    alice.send(JSON.stringify({ type: 'message', text }));
  }
  for (const ws of receivers) {
    for (const text of texts) assert.equal((await next(ws, 'message')).text, text);
  }
  for (const ws of [...receivers, alice]) ws.close();
  await Promise.all([...receivers, alice].map((ws) => ws.closed));
});

test('a zip bomb (64 MiB of zeros, compressed) closes with 1009', async () => {
  const ws = await open('echo', { threshold: 0, zlibDeflateOptions: { level: 9 } });
  ws.on('error', () => {});
  ws.send(Buffer.alloc(64 << 20, 'a').toString());
  const closed = await ws.closed;
  assert.equal(closed.code, 1009, `closed ${closed.code} ${closed.reason}`);
});

test('images and vnc never negotiate it', async () => {
  const images = await open('images/lobby', { threshold: 0 });
  assert.equal(images.extensions, '');
  images.close();
  await images.closed;
});
