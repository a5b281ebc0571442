// Who is logged in, shown in a page's header: "Logged in as X · Log out", or "Log in" (security on only).
import { access, loginUrl } from './ws.js';

/**
 * Fills `element` (in the page's header) with the login state; resolves with the access answer
 * ({security, user, roles, operator}) so the page can prefill names or explain refusals. With
 * security off it leaves the element empty and hidden.
 */
export async function showSession(element) {
  let answer;
  try {
    answer = await access();
  } catch {
    return { security: false, user: null, roles: [], operator: false };
  }
  element.replaceChildren();
  element.hidden = !answer.security;
  if (!answer.security) return answer;
  if (answer.user) {
    const who = document.createElement('span');
    who.textContent = `Logged in as ${answer.user}`;
    const form = document.createElement('form');
    form.method = 'post';
    form.action = 'logout';
    form.className = 'session-logout';
    const button = document.createElement('button');
    button.type = 'submit';
    button.textContent = 'Log out';
    form.append(button);
    element.append(who, ' · ', form);
  } else {
    const link = document.createElement('a');
    link.href = loginUrl();
    link.textContent = 'Log in';
    element.append('Not logged in · ', link);
  }
  return answer;
}
