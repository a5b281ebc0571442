// login.html: the form when nobody is logged in, or "Logged in as X — log out" (never both), as
// GET access says; the form also works before the answer comes (it is shown if access fails).
import { access } from './ws.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(window.location.search);
const next = params.get('next') || '';

function say(text, ok = false) {
  $('message').textContent = text;
  $('message').className = ok ? 'login-message ok' : 'login-message';
}

function showForm() {
  $('login-form').hidden = false;
  $('logged-in').hidden = true;
  $('next').value = next;
  $('user').focus();
}

if (params.has('failed')) say('Wrong user or password.');
if (params.has('out')) say('You are logged out.', true);

access().then((answer) => {
  if (!answer.security) {
    $('security-off').hidden = false;
    return;
  }
  if (!answer.user) {
    showForm();
    return;
  }
  $('who').textContent = `Logged in as ${answer.user}${answer.operator ? ' (operator)' : ''}`;
  // only a page of this application, as the server's own check allows (no other site)
  if (next && /^[A-Za-z0-9._\-/?=&%]*$/.test(next) && !next.startsWith('/') && !next.includes('//')) {
    $('go-on').href = next;
    $('go-on').textContent = `go on to ${next.split('?')[0]}`;
  } else {
    $('go-on').textContent = 'go to the pages';
  }
  $('logged-in').hidden = false;
  $('login-form').hidden = true;
}, showForm);
