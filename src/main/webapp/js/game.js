import { stompClient, errorMessage } from './stomp-client.js';
import { loginUrl } from './ws.js';
import { showSession } from './session.js';

const $ = (id) => document.getElementById(id);
const BEATS = { rock: 'scissors', paper: 'rock', scissors: 'paper' };
const VERB = { rock: 'crushes', paper: 'covers', scissors: 'cut' };
const SYMBOL = { rock: '✊', paper: '✋', scissors: '✌' };

const game = { me: null, opponent: null, round: 1, mine: {}, theirs: {}, score: { wins: 0, draws: 0, losses: 0 }, seen: false };
let client = null;

const inbox = (name) => `/queue/rps.${name}`;
// Presence travels on a topic (a beat nobody hears is dropped, never piled up in a queue):
// each player beats every BEAT_MS on their own topic and says goodbye on leaving; the other side
// calls them gone after GRACE_MS without a word (a closed laptop, a dropped network).
const presenceTopic = (name) => `/topic/rps.presence.${name}`;
const BEAT_MS = 2000;
const GRACE_MS = 6000;
const presence = { heard: 0, state: 'waiting', timer: null };
let session = { security: false, user: null };

function send(message) {
  client.publish({ destination: inbox(game.opponent), body: JSON.stringify({ ...message, from: game.me }), headers: { 'content-type': 'application/json' } });
}

function render() {
  $('round').textContent = String(game.round);
  const mine = game.mine[game.round];
  const theirs = game.theirs[game.round];
  for (const button of document.querySelectorAll('.move')) {
    button.setAttribute('aria-pressed', String(button.dataset.move === mine));
    button.disabled = Boolean(mine);
  }
  if (!mine) {
    $('status').textContent = theirs ? `${game.opponent} has moved. Your turn!` : 'Make your move.';
    $('result').textContent = '';
    $('result').className = 'result';
    $('next').hidden = true;
  } else if (!theirs) {
    $('status').textContent = `You chose ${SYMBOL[mine]} ${mine}. Waiting for ${game.opponent}…`;
  } else {
    $('status').textContent = `You: ${SYMBOL[mine]} ${mine} — ${game.opponent}: ${SYMBOL[theirs]} ${theirs}`;
    let text;
    let outcome;
    if (mine === theirs) { text = 'Draw!'; outcome = 'draw'; }
    else if (BEATS[mine] === theirs) { text = `${capital(mine)} ${VERB[mine]} ${theirs} — you win!`; outcome = 'win'; }
    else { text = `${capital(theirs)} ${VERB[theirs]} ${mine} — ${game.opponent} wins.`; outcome = 'lose'; }
    $('result').textContent = text;
    $('result').className = `result ${outcome}`;
    $('next').hidden = false;
  }
  $('wins').textContent = game.score.wins;
  $('draws').textContent = game.score.draws;
  $('losses').textContent = game.score.losses;
}

function capital(word) {
  return word[0].toUpperCase() + word.slice(1);
}

function score(round) {
  const mine = game.mine[round];
  const theirs = game.theirs[round];
  if (!mine || !theirs) return;
  if (mine === theirs) game.score.draws += 1;
  else if (BEATS[mine] === theirs) game.score.wins += 1;
  else game.score.losses += 1;
}

function play(move) {
  if (game.mine[game.round] || !client || !client.connected) return;
  game.mine[game.round] = move;
  send({ type: 'move', round: game.round, move });
  score(game.round);
  render();
}

function setPresence(state, text) {
  presence.state = state;
  $('presence').dataset.presence = state;
  $('presence').textContent = text;
}

/** A word from the opponent (a beat, a hello, a move): they are here; say so when that is news. */
function heard() {
  presence.heard = Date.now();
  if (presence.state === 'here') return;
  setPresence('here', presence.state === 'waiting' ? `${game.opponent} is here.` : `${game.opponent} is back.`);
}

function onPresence(frame) {
  let message;
  try { message = JSON.parse(frame.body); } catch { return; }
  if (message.from !== game.opponent || message.with !== game.me) return; // playing someone else
  if (message.type === 'bye') {
    setPresence('left', `${game.opponent} has left.`);
  } else if (message.type === 'beat') {
    heard();
  }
}

function beat(type = 'beat') {
  if (!client || !client.connected) return;
  client.publish({ destination: presenceTopic(game.me), body: JSON.stringify({ type, from: game.me, with: game.opponent }),
    headers: { 'content-type': 'application/json' } });
}

/** Every beat: say ours, and call the opponent gone once they have been silent past the grace period. */
function presenceTick() {
  beat();
  if (presence.state === 'here' && client.connected && Date.now() - presence.heard > GRACE_MS) {
    setPresence('gone', `${game.opponent} seems to be gone: nothing heard for ${Math.round(GRACE_MS / 1000)} s.`);
  }
}

function showConnection(text, link) {
  const line = $('connection');
  line.replaceChildren(text);
  if (link) line.append(' ', Object.assign(document.createElement('a'), { href: link.href, textContent: link.text }));
  line.hidden = !text;
}

function onState(state, detail = {}) {
  $('state').textContent = state;
  $('state').dataset.state = state;
  if (state === 'OPEN') {
    showConnection('');
    presence.heard = Date.now(); // we were away ourselves: give them a grace period again
  } else if (state === 'CLOSED' && detail.retryIn != null) {
    showConnection(`Lost the connection to the server; reconnecting in ${(detail.retryIn / 1000).toFixed(1)} s…`);
  } else if (state === 'CLOSED' && detail.kind === 'refused') {
    showConnection('The server refused the connection.', { href: loginUrl(), text: 'Log in' });
  } else if (state === 'CLOSED' && !detail.error && !detail.stopped && detail.event) {
    showConnection(`The connection closed (${detail.event.code}) and will not come back by itself: reload the page to play on.`);
  }
}

function onError(frame, kind) {
  if (kind === 'login') {
    showConnection(session.security && !session.user
      ? `The server did not let you in (${errorMessage(frame)}): log in first, then come back — the game uses your login.`
      : `The server did not let you in (${errorMessage(frame)}).`,
    session.user ? null : { href: loginUrl(), text: 'Log in' });
  } else if (kind === 'forbidden') {
    showConnection(`You are not allowed to play here${session.user ? ` as ${session.user}` : ''} (${errorMessage(frame)}): ask an operator for the rights to /queue/rps.* and /topic/rps.presence.*.`);
  } else {
    showConnection(`The server refused the game (${errorMessage(frame)}): reload the page to try again.`);
  }
}

function onMessage(frame) {
  let message;
  try { message = JSON.parse(frame.body); } catch { return; }
  if (message.from !== game.opponent) return; // a stale game's move
  if (message.type === 'hello' || message.type === 'here') {
    heard();
    game.seen = true;
    if (message.type === 'hello') send({ type: 'here' });
  } else if (message.type === 'move' && BEATS[message.move] && Number.isInteger(message.round)) {
    if (!game.seen) heard(); // a move made earlier, waiting in our queue, is not a sign of life now
    game.seen = true;
    if (!game.theirs[message.round]) {
      game.theirs[message.round] = message.move;
      score(message.round);
    }
  }
  render();
}

function start(me, opponent) {
  Object.assign(game, { me, opponent });
  $('me-name').textContent = me;
  $('opponent-name').textContent = opponent;
  $('join-form').hidden = true;
  $('game').hidden = false;
  setPresence('waiting', `Waiting for ${opponent} to join — you can move already.`);
  document.title = `${me} vs ${opponent} · Rock, paper, scissors`;
  client = stompClient({ onState, onError });
  client.whenConnected(() => {
    client.subscribe(presenceTopic(opponent), onPresence);
    client.subscribe(inbox(me), onMessage);
    send({ type: 'hello' });
    beat();
  });
  client.start();
  presence.timer = setInterval(presenceTick, BEAT_MS);
  render();
}

$('join-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const me = $('me').value.trim();
  const opponent = $('opponent').value.trim();
  if (me === opponent) {
    $('opponent').setCustomValidity('Play someone else');
    $('opponent').reportValidity();
    return;
  }
  const url = new URL(window.location.href);
  url.searchParams.set('me', me);
  url.searchParams.set('opponent', opponent);
  window.history.replaceState(null, '', url);
  start(me, opponent);
});
$('opponent').addEventListener('input', () => $('opponent').setCustomValidity(''));
for (const button of document.querySelectorAll('.move')) {
  button.addEventListener('click', () => play(button.dataset.move));
}
$('next').addEventListener('click', () => { game.round += 1; render(); });
document.addEventListener('keydown', (event) => {
  if ($('game').hidden || event.target.tagName === 'INPUT') return;
  const key = event.key.toLowerCase();
  if (key === 'r') play('rock');
  if (key === 'p') play('paper');
  if (key === 's') play('scissors');
  if (key === 'n' && !$('next').hidden) $('next').click();
});

// leaving (tab closed, another page): say goodbye, so the other player need not wait out the grace period
window.addEventListener('pagehide', () => {
  if (!client) return;
  clearInterval(presence.timer);
  beat('bye');
  client.stop();
});
showSession($('session')).then((answer) => { session = answer; });

const params = new URLSearchParams(window.location.search);
if (params.get('me')) $('me').value = params.get('me');
if (params.get('opponent')) $('opponent').value = params.get('opponent');

