// The index: who is logged in (security on), with a way to log in or out.
import { showSession } from './session.js';

showSession(document.getElementById('session'));
