import { stompClient } from './stomp-client.js';

const $ = (id) => document.getElementById(id);
const BEATS = { rock: 'scissors', paper: 'rock', scissors: 'paper' };
const VERB = { rock: 'crushes', paper: 'covers', scissors: 'cut' };
const SYMBOL = { rock: '✊', paper: '✋', scissors: '✌' };

const game = { me: null, opponent: null, round: 1, mine: {}, theirs: {}, score: { wins: 0, draws: 0, losses: 0 }, seen: false };
let client = null;

const inbox = (name) => `/queue/rps.${name}`;

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

function onMessage(frame) {
  let message;
  try { message = JSON.parse(frame.body); } catch { return; }
  if (message.from !== game.opponent) return; // a stale game's move
  if (message.type === 'hello' || message.type === 'here') {
    if (!game.seen) $('presence').textContent = `${game.opponent} is here.`;
    game.seen = true;
    if (message.type === 'hello') send({ type: 'here' });
  } else if (message.type === 'move' && BEATS[message.move] && Number.isInteger(message.round)) {
    if (!game.seen) $('presence').textContent = `${game.opponent} is here.`;
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
  $('presence').textContent = `Waiting for ${opponent} to join — you can move already.`;
  document.title = `${me} vs ${opponent} · Rock, paper, scissors`;
  client = stompClient({
    onState: (state) => { $('state').textContent = state; $('state').dataset.state = state; },
  });
  client.whenConnected(() => {
    client.subscribe(inbox(me), onMessage);
    send({ type: 'hello' });
  });
  client.activate();
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

const params = new URLSearchParams(window.location.search);
if (params.get('me')) $('me').value = params.get('me');
if (params.get('opponent')) $('opponent').value = params.get('opponent');

