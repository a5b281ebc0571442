// XMPP with security on: SCRAM-SHA-256 (Strophe.js), SCRAM-SHA-1 (xmpp.js) and PLAIN against the
// user store, refusals as RFC 6120 <failure/>, and the chat rooms' nick rule.
// Users (set by the Java test): alice (an entry for every mechanism), bob (bcrypt only), olga (operator).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { xmppJs, strophe, stropheDisconnect, xml, unique, DOMAIN, MUC, Strophe } from './xmpp-helpers.js';

const ALICE_PASSWORD = process.env.ALICE_PASSWORD;

test('Strophe.js logs in with SCRAM-SHA-256', async () => {
  const c = await strophe(`alice@${DOMAIN}`, ALICE_PASSWORD);
  assert.equal(c._sasl_mechanism.mechname, 'SCRAM-SHA-256');
  assert.ok(c.jid.startsWith(`alice@${DOMAIN}/`));
  await stropheDisconnect(c);
});

test('xmpp.js logs in with SCRAM-SHA-1', async () => {
  const a = await xmppJs('alice', { password: ALICE_PASSWORD, mechanism: 'SCRAM-SHA-1' });
  assert.equal(a.jid.bare().toString(), `alice@${DOMAIN}`);
  await a.stop();
});

test('a wrong password is refused not-authorized, with SCRAM as with PLAIN', async () => {
  for (const mechanism of ['SCRAM-SHA-1', 'PLAIN']) {
    await assert.rejects(xmppJs('alice', { password: 'wrong', mechanism }),
      (e) => e.condition === 'not-authorized', mechanism);
  }
  const refused = await strophe(`alice@${DOMAIN}`, 'wrong').then(() => null, (e) => e);
  assert.equal(refused?.message, 'AUTHFAIL');
});

test('a bcrypt-only user logs in with PLAIN; SCRAM cannot check a bcrypt hash', async () => {
  const b = await xmppJs('bob', { password: 'bob-pw', mechanism: 'PLAIN' });
  await b.stop();
  await assert.rejects(xmppJs('bob', { password: 'bob-pw', mechanism: 'SCRAM-SHA-1' }),
    (e) => e.condition === 'not-authorized');
});

test('ANONYMOUS is not offered with security on', async () => {
  await assert.rejects(xmppJs(undefined, { mechanism: 'ANONYMOUS' }));
});

test('rooms: the nick is the user name; an operator may choose another', async () => {
  const room = unique('secure');
  const b = await xmppJs('bob', { password: 'bob-pw', mechanism: 'PLAIN' });
  await b.send(xml('presence', { to: `${room}@${MUC}/ops` }));
  const refused = await b.inbox.next((s) => s.name === 'presence' && s.attrs.type === 'error');
  assert.ok(refused.getChild('error').getChild('not-acceptable', 'urn:ietf:params:xml:ns:xmpp-stanzas'));
  await b.send(xml('presence', { to: `${room}@${MUC}/bob` }));
  await b.inbox.next((s) => s.name === 'message' && s.getChild('subject'), 5000, 'bob joined as bob');
  const o = await xmppJs('olga', { password: 'op', mechanism: 'PLAIN' });
  await o.send(xml('presence', { to: `${room}@${MUC}/The Operator` }));
  await o.inbox.next((s) => s.name === 'message' && s.getChild('subject'), 5000, 'olga joined with a nick of her choice');
  await Promise.all([b.stop(), o.stop()]);
});

test('the roster is every configured user but oneself', async () => {
  const o = await xmppJs('olga', { password: 'op', mechanism: 'PLAIN' });
  const roster = await o.iqCaller.get(xml('query', 'jabber:iq:roster'));
  assert.deepEqual(roster.getChildren('item').map((i) => i.attrs.jid), [`alice@${DOMAIN}`, `bob@${DOMAIN}`]);
  await o.stop();
});
