// Switchboard's STOMP endpoint through @stomp/stompjs, a third-party client: every frame, ack
// mode, transaction and error the contract names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, subscribe, receipt, closed, sync, unique } from './stomp-helpers.js';

for (const [version, subprotocol] of [['1.2', 'v12.stomp'], ['1.1', 'v11.stomp'], ['1.0', 'v10.stomp']]) {
  test(`connects with subprotocol ${subprotocol} and speaks STOMP ${version}`, async () => {
    const client = await connect({ versions: [version] });
    assert.equal(client.connectedVersion, version);
    assert.equal(client.webSocket.protocol, subprotocol);
    const topic = `/topic/${unique('hello')}`;
    const sub = subscribe(client, topic);
    client.publish({ destination: topic, body: `hi in ${version}` });
    assert.equal((await sub.next()).body, `hi in ${version}`);
    await client.deactivate();
  });
}

test('topic: every subscriber gets every message, with its headers', async () => {
  const [a, b, sender] = await Promise.all([connect(), connect(), connect()]);
  const topic = `/topic/${unique('news')}`;
  const subA = subscribe(a, topic);
  const subB = subscribe(b, topic);
  await Promise.all([sync(a), sync(b)]);
  sender.publish({ destination: topic, body: 'first', headers: { 'content-type': 'text/plain', 'x-trace': 'abc:def' } });
  sender.publish({ destination: topic, body: 'second' });
  for (const sub of [subA, subB]) {
    const first = await sub.next();
    assert.equal(first.body, 'first');
    assert.equal(first.headers['x-trace'], 'abc:def', 'escaped header value survives');
    assert.equal(first.headers.destination, topic);
    assert.ok(first.headers['message-id']);
    assert.equal((await sub.next()).body, 'second');
  }
  await Promise.all([a.deactivate(), b.deactivate(), sender.deactivate()]);
});

test('queue: each message to exactly one subscriber, round-robin', async () => {
  const [a, b, sender] = await Promise.all([connect(), connect(), connect()]);
  const queue = `/queue/${unique('work')}`;
  const subA = subscribe(a, queue);
  const subB = subscribe(b, queue);
  await Promise.all([sync(a), sync(b)]);
  for (let i = 1; i <= 4; i += 1) sender.publish({ destination: queue, body: `job ${i}` });
  const got = [(await subA.next()).body, (await subA.next()).body, (await subB.next()).body, (await subB.next()).body];
  assert.deepEqual(got.sort(), ['job 1', 'job 2', 'job 3', 'job 4']);
  await sync(sender);
  assert.equal(subA.pending() + subB.pending(), 0, 'nobody got a message twice');
  await Promise.all([a.deactivate(), b.deactivate(), sender.deactivate()]);
});

test('queue: messages wait while nobody subscribes', async () => {
  const sender = await connect();
  const queue = `/queue/${unique('later')}`;
  sender.publish({ destination: queue, body: 'rock' });
  await sync(sender);
  const late = await connect();
  const sub = subscribe(late, queue);
  assert.equal((await sub.next()).body, 'rock');
  await Promise.all([sender.deactivate(), late.deactivate()]);
});

test('ack client: cumulative; the unacked rest is redelivered to the next subscriber', async () => {
  const first = await connect();
  const queue = `/queue/${unique('client-ack')}`;
  const sub = subscribe(first, queue, { ack: 'client' });
  await sync(first);
  const sender = await connect();
  for (const body of ['m1', 'm2', 'm3']) sender.publish({ destination: queue, body });
  await sub.next();
  const m2 = await sub.next();
  await sub.next();
  m2.ack(); // acks m1 and m2
  await sync(first);
  await first.deactivate();
  const second = await connect();
  const again = subscribe(second, queue, { ack: 'client' });
  const redelivered = await again.next();
  assert.equal(redelivered.body, 'm3');
  assert.equal(redelivered.headers.redelivered, 'true');
  await Promise.all([second.deactivate(), sender.deactivate()]);
});

test('ack client-individual: one message at a time', async () => {
  const first = await connect();
  const queue = `/queue/${unique('individual')}`;
  const sub = subscribe(first, queue, { ack: 'client-individual' });
  await sync(first);
  const sender = await connect();
  for (const body of ['m1', 'm2', 'm3']) sender.publish({ destination: queue, body });
  await sub.next();
  (await sub.next()).ack(); // m2 only
  await sub.next();
  await sync(first);
  await first.deactivate();
  const second = await connect();
  const again = subscribe(second, queue);
  assert.deepEqual([(await again.next()).body, (await again.next()).body], ['m1', 'm3']);
  await Promise.all([second.deactivate(), sender.deactivate()]);
});

test('nack: redelivered to another subscriber, marked redelivered', async () => {
  const [a, b, sender] = await Promise.all([connect(), connect(), connect()]);
  const queue = `/queue/${unique('nack')}`;
  const subA = subscribe(a, queue, { ack: 'client-individual' });
  await sync(a);
  sender.publish({ destination: queue, body: 'hot potato' });
  const first = await subA.next();
  const subB = subscribe(b, queue, { ack: 'client-individual' });
  await sync(b);
  first.nack();
  const second = await subB.next();
  assert.equal(second.body, 'hot potato');
  assert.equal(second.headers.redelivered, 'true');
  assert.equal(second.headers['message-id'], first.headers['message-id']);
  second.ack();
  await Promise.all([a.deactivate(), b.deactivate(), sender.deactivate()]);
});

test('auto ack: nothing is redelivered after the subscriber leaves', async () => {
  const first = await connect();
  const queue = `/queue/${unique('auto')}`;
  const sub = subscribe(first, queue);
  await sync(first);
  first.publish({ destination: queue, body: 'once' });
  assert.equal((await sub.next()).body, 'once');
  await first.deactivate();
  const second = await connect();
  const again = subscribe(second, queue);
  await assert.rejects(again.next(300));
  await second.deactivate();
});

test('transactions: sends and acks take effect at COMMIT, not at ABORT', async () => {
  const [receiver, sender] = await Promise.all([connect(), connect()]);
  const topic = `/topic/${unique('tx')}`;
  const sub = subscribe(receiver, topic);
  await sync(receiver);
  const tx = sender.begin();
  sender.publish({ destination: topic, body: 'in tx', headers: { transaction: tx.id } });
  await sync(sender);
  assert.equal(sub.pending(), 0, 'not before COMMIT');
  tx.commit();
  assert.equal((await sub.next()).body, 'in tx');
  const aborted = sender.begin();
  sender.publish({ destination: topic, body: 'never', headers: { transaction: aborted.id } });
  aborted.abort();
  await sync(sender);
  await assert.rejects(sub.next(200));

  const queue = `/queue/${unique('tx-ack')}`;
  const qsub = subscribe(receiver, queue, { ack: 'client-individual' });
  await sync(receiver);
  sender.publish({ destination: queue, body: 'to ack' });
  const message = await qsub.next();
  const ackTx = receiver.begin();
  message.ack({ transaction: ackTx.id });
  ackTx.abort(); // the ACK never happened
  await sync(receiver);
  await receiver.deactivate();
  const other = await connect();
  const again = subscribe(other, queue);
  assert.equal((await again.next()).body, 'to ack', 'an aborted ACK leaves the message unacked');
  await Promise.all([other.deactivate(), sender.deactivate()]);
});

test('receipts for SUBSCRIBE, SEND, UNSUBSCRIBE and DISCONNECT', async () => {
  const client = await connect();
  const topic = `/topic/${unique('receipts')}`;
  const subscribed = receipt(client, 'r-sub');
  const sub = client.subscribe(topic, () => {}, { receipt: 'r-sub' });
  await subscribed;
  const sent = receipt(client, 'r-send');
  client.publish({ destination: topic, body: 'x', headers: { receipt: 'r-send' } });
  await sent;
  const unsubscribed = receipt(client, 'r-unsub');
  sub.unsubscribe({ receipt: 'r-unsub' });
  await unsubscribed;
  await client.deactivate(); // stompjs sends DISCONNECT with a receipt and waits for it
  assert.equal(client.events.errors.length, 0);
});

test('binary body with NUL bytes arrives byte for byte', async () => {
  const [a, b] = await Promise.all([connect(), connect()]);
  const topic = `/topic/${unique('binary')}`;
  const sub = subscribe(a, topic);
  await sync(a);
  const bytes = new Uint8Array([0, 1, 2, 0, 255, 254, 0]);
  b.publish({ destination: topic, binaryBody: bytes, headers: { 'content-type': 'application/octet-stream' } });
  const message = await sub.next();
  assert.deepEqual([...message.binaryBody], [...bytes]);
  await Promise.all([a.deactivate(), b.deactivate()]);
});

test('error: unknown destination gets ERROR with a message header, then close 1002', async () => {
  const client = await connect();
  client.publish({ destination: '/nowhere/x', body: 'x', headers: { receipt: 'will-fail' } });
  const event = await closed(client);
  assert.equal(event.code, 1002);
  const error = client.events.errors[0];
  assert.match(error.headers.message, /destination/);
  assert.equal(error.headers['receipt-id'], 'will-fail');
});

test('error: oversized frame gets ERROR, then close 1009', async () => {
  const client = await connect();
  client.publish({ destination: '/topic/big', body: 'x'.repeat(1024 * 1024 + 10) });
  const event = await closed(client);
  assert.equal(event.code, 1009);
  assert.match(client.events.errors[0].headers.message, /larger than/);
});

test('heart-beats flow both ways when asked for', async () => {
  const client = await connect({ heartbeat: 200 });
  const topic = `/topic/${unique('beat')}`;
  const sub = subscribe(client, topic);
  await new Promise((resolve) => setTimeout(resolve, 1000)); // several heart-beat periods, on purpose
  assert.ok(client.connected, 'still connected after heart-beat periods');
  client.publish({ destination: topic, body: 'alive' });
  assert.equal((await sub.next()).body, 'alive');
  await client.deactivate();
});

test('topic recovery: resubscribing with x-since gets what was missed, then live (docs/protocol.md)', async () => {
  const topic = `/topic/${unique('resume')}`;
  const sender = await connect();
  const first = await connect();
  const sub = subscribe(first, topic);
  await sync(first);
  sender.publish({ destination: topic, body: 'seen' });
  const seen = await sub.next();
  assert.ok(seen.headers['x-epoch']);
  assert.equal(seen.headers['x-offset'], '1');
  await first.deactivate();
  for (const body of ['missed 1', 'missed 2']) sender.publish({ destination: topic, body });
  await sync(sender);

  const back = await connect();
  const answered = receipt(back, 'resume');
  const resumed = subscribe(back, topic, {
    receipt: 'resume', 'x-since': `${seen.headers['x-epoch']}:${seen.headers['x-offset']}`,
  });
  assert.equal((await answered).headers['x-recovered'], 'true');
  assert.deepEqual([(await resumed.next()).body, (await resumed.next()).body], ['missed 1', 'missed 2']);
  sender.publish({ destination: topic, body: 'live' });
  const live = await resumed.next();
  assert.equal(live.body, 'live');
  assert.equal(live.headers['x-offset'], '4');

  const stale = receipt(back, 'stale');
  subscribe(back, topic, { receipt: 'stale', 'x-since': 'an-old-epoch:1' });
  assert.equal((await stale).headers['x-recovered'], 'false');
  await Promise.all([sender.deactivate(), back.deactivate()]);
});

test('prefetch-count: at most N unacked outstanding; an ack lets the next one through (docs/protocol.md)', async () => {
  const [consumer, sender] = await Promise.all([connect(), connect()]);
  const queue = `/queue/${unique('prefetch')}`;
  const sub = subscribe(consumer, queue, { ack: 'client-individual', 'prefetch-count': '2' });
  await sync(consumer);
  for (let i = 1; i <= 5; i += 1) sender.publish({ destination: queue, body: `job ${i}` });
  await sync(sender);
  const first = await sub.next();
  const second = await sub.next();
  await sync(consumer);
  assert.equal(sub.pending(), 0, 'the third waits while two are unacknowledged');
  first.ack();
  assert.equal((await sub.next()).body, 'job 3');
  await sync(consumer);
  assert.equal(sub.pending(), 0, 'one ack, one more');
  const other = await connect();
  const otherSub = subscribe(other, queue);
  assert.deepEqual([(await otherSub.next()).body, (await otherSub.next()).body], ['job 4', 'job 5'],
    'waiting messages go to a consumer with room');
  second.ack();
  await Promise.all([consumer.deactivate(), other.deactivate(), sender.deactivate()]);
});

test('selector: JMS syntax over headers, numbers compare as numbers; a bad one is ERROR + 1002', async () => {
  const [reader, sender] = await Promise.all([connect(), connect()]);
  const topic = `/topic/${unique('selected')}`;
  const sub = subscribe(reader, topic, { selector: "region = 'eu' AND amount >= 100" });
  await sync(reader);
  sender.publish({ destination: topic, body: 'small', headers: { region: 'eu', amount: '99' } });
  sender.publish({ destination: topic, body: 'elsewhere', headers: { region: 'us', amount: '500' } });
  sender.publish({ destination: topic, body: 'match', headers: { region: 'eu', amount: '250' } });
  assert.equal((await sub.next()).body, 'match');
  await sync(sender);
  await sync(reader);
  assert.equal(sub.pending(), 0);
  const bad = await connect();
  subscribe(bad, topic, { selector: 'amount >>> 1' });
  const event = await closed(bad);
  assert.equal(event.code, 1002);
  assert.match(bad.events.errors[0].headers.message, /selector/);
  await Promise.all([reader.deactivate(), sender.deactivate()]);
});

test('durable subscription: away for a while, back with the same client-id and name, gets what it missed in order', async () => {
  const clientId = unique('app');
  const topic = `/topic/${unique('durable')}`;
  const first = await connect({ connectHeaders: { 'client-id': clientId } });
  const sub = subscribe(first, topic, { 'durable-subscription-name': 'audit' });
  await sync(first);
  const sender = await connect();
  sender.publish({ destination: topic, body: 'while here' });
  assert.equal((await sub.next()).body, 'while here');
  sub.unsubscribe();
  await sync(first);
  await first.deactivate();
  for (let i = 1; i <= 20; i += 1) sender.publish({ destination: topic, body: `missed ${i}` });
  await sync(sender);
  const back = await connect({ connectHeaders: { 'client-id': clientId } });
  const again = subscribe(back, topic, { 'durable-subscription-name': 'audit' });
  for (let i = 1; i <= 20; i += 1) assert.equal((await again.next()).body, `missed ${i}`);
  again.unsubscribe({ 'durable-subscription-name': 'audit' });
  await sync(back);
  sender.publish({ destination: topic, body: 'after the end' });
  await sync(sender);
  const third = await connect({ connectHeaders: { 'client-id': clientId } });
  const fresh = subscribe(third, topic, { 'durable-subscription-name': 'audit' });
  await sync(third);
  assert.equal(fresh.pending(), 0, 'ended for good: nothing kept after the end');
  await Promise.all([back.deactivate(), third.deactivate(), sender.deactivate()]);
});
