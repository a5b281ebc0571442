// Switchboard's XMPP over WebSocket through two third-party clients, @xmpp/client (xmpp.js) and
// Strophe.js, with JSON chat members in the same rooms. Security off: any name, any password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  xmppJs, strophe, stropheDisconnect, jsonMember, xml, unique, DOMAIN, MUC, Strophe,
} from './xmpp-helpers.js';

const MUC_USER = 'http://jabber.org/protocol/muc#user';
const from = (jid) => (s) => s.attrs?.from === jid;
const isMessage = (s) => s.name === 'message';
const isPresence = (s) => s.name === 'presence';

test('xmpp.js logs in with PLAIN, binds the resource it asked for and gets the roster', async () => {
  const [alice, bob] = [unique('alice'), unique('bob')];
  const a = await xmppJs(alice, { resource: 'desk' });
  const b = await xmppJs(bob);
  assert.equal(a.jid.toString(), `${alice}@${DOMAIN}/desk`);
  const roster = await a.iqCaller.get(xml('query', 'jabber:iq:roster'));
  const jids = roster.getChildren('item').map((i) => i.attrs.jid);
  assert.ok(jids.includes(`${bob}@${DOMAIN}`), `bob is in alice's roster: ${jids}`);
  assert.ok(!jids.includes(`${alice}@${DOMAIN}`), 'not oneself');
  assert.ok(roster.getChildren('item').every((i) => i.attrs.subscription === 'both'));
  await Promise.all([a.stop(), b.stop()]);
});

test('xmpp.js logs in with ANONYMOUS and gets a name of its own', async () => {
  const c = await xmppJs(undefined, { mechanism: 'ANONYMOUS' });
  assert.match(c.jid.local, /^anon-/);
  await c.stop();
});

test('presence: each sees the other come online, change to away with a status, and go', async () => {
  const [alice, bob] = [unique('alice'), unique('bob')];
  const a = await xmppJs(alice);
  await a.send(xml('presence'));
  const b = await xmppJs(bob);
  await b.send(xml('presence', {}, xml('show', {}, 'dnd'), xml('status', {}, 'in a meeting')));
  const bobOnline = await a.inbox.next((s) => isPresence(s) && s.attrs.from === b.jid.toString(), 5000, 'bob online');
  assert.equal(bobOnline.getChildText('show'), 'dnd');
  assert.equal(bobOnline.getChildText('status'), 'in a meeting');
  // the newcomer is told who is already there
  await b.inbox.next((s) => isPresence(s) && s.attrs.from === a.jid.toString(), 5000, 'alice already online');
  await a.send(xml('presence', {}, xml('show', {}, 'away'), xml('status', {}, 'lunch')));
  const away = await b.inbox.next((s) => isPresence(s) && s.attrs.from === a.jid.toString() && s.getChildText('show') === 'away');
  assert.equal(away.getChildText('status'), 'lunch');
  await a.stop();
  const gone = await b.inbox.next((s) => isPresence(s) && s.attrs.from === a.jid.toString() && s.attrs.type === 'unavailable');
  assert.ok(gone);
  await b.stop();
});

test('1:1 messages both ways between xmpp.js and Strophe.js, the server stamping from', async () => {
  const [alice, carol] = [unique('alice'), unique('carol')];
  const a = await xmppJs(alice);
  await a.send(xml('presence'));
  const c = await strophe(`${carol}@${DOMAIN}`);
  c.send(Strophe.xmlElement('presence'));
  await a.inbox.next((s) => isPresence(s) && s.attrs.from?.startsWith(`${carol}@`), 5000, 'carol online');
  await a.send(xml('message', { to: `${carol}@${DOMAIN}`, type: 'chat', from: 'spoofed@elsewhere' }, xml('body', {}, 'hi carol <3 & more')));
  const got = await c.inbox.next((el) => el.tagName === 'message');
  assert.equal(got.getAttribute('from'), a.jid.toString(), 'from is stamped by the server, never the client\'s');
  assert.equal(Strophe.getText(got.getElementsByTagName('body')[0]), 'hi carol &lt;3 &amp; more'); // Strophe.getText escapes
  c.send(Strophe.xmlElement('message', { to: a.jid.toString(), type: 'chat' }).appendChild(Strophe.xmlElement('body', {}, 'hello alice')).parentNode);
  const back = await a.inbox.next((s) => isMessage(s) && s.getChildText('body') === 'hello alice');
  assert.equal(back.attrs.from, c.jid);
  await a.stop();
  await stropheDisconnect(c);
});

test('a message to an offline or unknown user is answered service-unavailable', async () => {
  const a = await xmppJs(unique('alice'));
  await a.send(xml('message', { to: `${unique('nobody')}@${DOMAIN}`, type: 'chat', id: 'm1' }, xml('body', {}, 'anyone?')));
  const error = await a.inbox.next((s) => isMessage(s) && s.attrs.id === 'm1');
  assert.equal(error.attrs.type, 'error');
  assert.equal(error.getChild('error').attrs.type, 'cancel');
  assert.ok(error.getChild('error').getChild('service-unavailable', 'urn:ietf:params:xml:ns:xmpp-stanzas'));
  await a.stop();
});

test('XEP-0199 ping to the server; disco of the server and of the MUC service; any other iq is service-unavailable', async () => {
  const a = await xmppJs(unique('alice'));
  await a.iqCaller.request(xml('iq', { type: 'get', to: DOMAIN }, xml('ping', 'urn:xmpp:ping')));
  const info = await a.iqCaller.get(xml('query', 'http://jabber.org/protocol/disco#info'), DOMAIN);
  const features = info.getChildren('feature').map((f) => f.attrs.var);
  assert.ok(features.includes('urn:xmpp:ping'), features.join());
  const items = await a.iqCaller.get(xml('query', 'http://jabber.org/protocol/disco#items'), DOMAIN);
  assert.deepEqual(items.getChildren('item').map((i) => i.attrs.jid), [MUC]);
  const muc = await a.iqCaller.get(xml('query', 'http://jabber.org/protocol/disco#info'), MUC);
  assert.equal(muc.getChild('identity').attrs.category, 'conference');
  assert.ok(muc.getChildren('feature').some((f) => f.attrs.var === 'http://jabber.org/protocol/muc'));
  await assert.rejects(a.iqCaller.get(xml('vCard', 'vcard-temp'), DOMAIN), (e) => e.condition === 'service-unavailable');
  await assert.rejects(a.iqCaller.get(xml('query', 'jabber:iq:version'), `${unique('x')}@${DOMAIN}`),
    (e) => e.condition === 'service-unavailable');
  await a.stop();
});

test('group chat: XMPP occupants and JSON members are one room, with one id per message', async () => {
  const room = unique('lobby');
  const roomJid = `${room}@${MUC}`;
  const json = await jsonMember(room, 'jay');
  const a = await xmppJs(unique('alice'));
  await a.send(xml('presence', { to: `${roomJid}/ann` }, xml('x', 'http://jabber.org/protocol/muc')));
  // the others first, then oneself with 110, then the subject
  const jay = await a.inbox.next((s) => isPresence(s) && s.attrs.from === `${roomJid}/jay`, 5000, 'jay in the room');
  assert.equal(jay.getChild('x', MUC_USER).getChild('item').attrs.role, 'participant');
  const self = await a.inbox.next((s) => isPresence(s) && s.attrs.from === `${roomJid}/ann`, 5000, 'own presence');
  assert.ok(self.getChild('x', MUC_USER).getChildren('status').some((st) => st.attrs.code === '110'));
  await a.inbox.next((s) => isMessage(s) && s.getChild('subject'), 5000, 'subject');
  // the JSON member sees ann arrive
  const arrived = await json.inbox.next((m) => m.type === 'presence' && m.nick === 'ann');
  assert.equal(arrived.presence, 'available');

  const c = await strophe(`${unique('carol')}@${DOMAIN}`);
  c.send(Strophe.xmlElement('presence', { to: `${roomJid}/cee` }));
  await c.inbox.next((el) => el.tagName === 'message' && el.getElementsByTagName('subject').length > 0, 5000, 'carol joined');

  await a.send(xml('message', { to: roomJid, type: 'groupchat' }, xml('body', {}, 'hello from xmpp.js')));
  const echo = await a.inbox.next((s) => isMessage(s) && s.getChildText('body') === 'hello from xmpp.js', 5000, 'own echo');
  assert.equal(echo.attrs.from, `${roomJid}/ann`);
  assert.equal(echo.attrs.type, 'groupchat');
  const atCarol = await c.inbox.next((el) => el.tagName === 'message' && el.getElementsByTagName('body').length > 0);
  const atJson = await json.inbox.next((m) => m.type === 'message');
  assert.equal(atJson.text, 'hello from xmpp.js');
  assert.equal(atJson.from, 'ann');
  assert.equal(atCarol.getAttribute('id'), echo.attrs.id, 'one id for every member');
  assert.equal(atJson.id, echo.attrs.id, 'the JSON member sees the same id');
  assert.equal(echo.getChild('stanza-id', 'urn:xmpp:sid:0').attrs.id, atJson.id);

  json.say('hello from JSON');
  const fromJson = await a.inbox.next((s) => isMessage(s) && s.getChildText('body') === 'hello from JSON');
  assert.equal(fromJson.attrs.from, `${roomJid}/jay`);
  await c.inbox.next((el) => el.tagName === 'message' && el.getAttribute('from') === `${roomJid}/jay`);

  // a private message in the room: XMPP chat to ROOM/NICK is the JSON chat's private, both ways
  await a.send(xml('message', { to: `${roomJid}/jay`, type: 'chat' }, xml('body', {}, 'psst jay')));
  const whisper = await json.inbox.next((m) => m.type === 'private' && m.text === 'psst jay');
  assert.equal(whisper.from, 'ann');
  json.send(JSON.stringify({ type: 'private', to: 'ann', text: 'psst ann' }));
  const back = await a.inbox.next((s) => isMessage(s) && s.getChildText('body') === 'psst ann');
  assert.equal(back.attrs.type, 'chat');
  assert.equal(back.attrs.from, `${roomJid}/jay`);

  // presence in the room maps both ways
  await a.send(xml('presence', { to: `${roomJid}/ann` }, xml('show', {}, 'xa'), xml('status', {}, 'gone fishing')));
  const awayAtJson = await json.inbox.next((m) => m.type === 'presence' && m.nick === 'ann' && m.presence === 'away');
  assert.equal(awayAtJson.status, 'gone fishing');
  json.send(JSON.stringify({ type: 'presence', presence: 'dnd', status: 'busy' }));
  const dnd = await a.inbox.next((s) => isPresence(s) && s.attrs.from === `${roomJid}/jay` && s.getChildText('show') === 'dnd');
  assert.equal(dnd.getChildText('status'), 'busy');

  // leaving: the leaver gets its own unavailable with 110, the others see it go
  await a.send(xml('presence', { to: `${roomJid}/ann`, type: 'unavailable' }));
  const left = await a.inbox.next((s) => isPresence(s) && s.attrs.type === 'unavailable' && s.attrs.from === `${roomJid}/ann`);
  assert.ok(left.getChild('x', MUC_USER).getChildren('status').some((st) => st.attrs.code === '110'));
  await json.inbox.next((m) => m.type === 'presence' && m.nick === 'ann' && m.presence === 'unavailable');
  await a.stop();
  await stropheDisconnect(c);
  json.close();
});

test('group chat: a joiner gets the room history with delay stamps, oldest first', async () => {
  const room = unique('history');
  const json = await jsonMember(room, 'writer');
  json.say('one');
  json.say('two');
  await json.inbox.next((m) => m.type === 'message' && m.text === 'two');
  const a = await xmppJs(unique('reader'));
  await a.send(xml('presence', { to: `${room}@${MUC}/reader` }));
  const first = await a.inbox.next((s) => isMessage(s) && s.getChild('delay', 'urn:xmpp:delay'));
  const second = await a.inbox.next((s) => isMessage(s) && s.getChild('delay', 'urn:xmpp:delay'));
  assert.deepEqual([first.getChildText('body'), second.getChildText('body')], ['one', 'two']);
  assert.match(first.getChild('delay', 'urn:xmpp:delay').attrs.stamp, /^\d{4}-\d\d-\d\dT/);
  const subject = await a.inbox.next((s) => isMessage(s) && s.getChild('subject'));
  assert.ok(subject, 'the subject comes after the history');
  await a.stop();
  json.close();
});

test('group chat: a nick already in the room is refused with 409 conflict', async () => {
  const room = unique('taken');
  const json = await jsonMember(room, 'sam');
  const a = await xmppJs(unique('alice'));
  await a.send(xml('presence', { to: `${room}@${MUC}/SAM` }));
  const refused = await a.inbox.next((s) => isPresence(s) && s.attrs.type === 'error');
  assert.equal(refused.getChild('error').attrs.type, 'cancel');
  assert.ok(refused.getChild('error').getChild('conflict', 'urn:ietf:params:xml:ns:xmpp-stanzas'));
  // the JSON side saw nobody come
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(json.inbox.none((m) => m.type === 'presence'));
  await a.stop();
  json.close();
});

test('group chat: a dropped XMPP connection leaves its rooms (the JSON member sees it unavailable)', async () => {
  const room = unique('drop');
  const json = await jsonMember(room, 'watcher');
  const a = await xmppJs(unique('alice'));
  await a.send(xml('presence', { to: `${room}@${MUC}/dropper` }));
  await json.inbox.next((m) => m.type === 'presence' && m.nick === 'dropper' && m.presence === 'available');
  a.reconnect.stop(); // xmpp.js would reconnect by itself
  a.socket.socket.terminate(); // no close handshake: the connection just goes
  await json.inbox.next((m) => m.type === 'presence' && m.nick === 'dropper' && m.presence === 'unavailable', 10000);
  json.close();
});
