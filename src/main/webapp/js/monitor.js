// Polls stomp-stats once a second and shows rates as differences between samples.
const $ = (id) => document.getElementById(id);
let previous = null;
let failures = 0;

function rate(now, before, seconds) {
  return before === undefined || seconds <= 0 ? '–' : ((now - before) / seconds).toFixed(1);
}

function render(stats) {
  const seconds = previous ? (stats.time - previous.time) / 1000 : 0;
  const before = new Map((previous ? previous.destinations : []).map((d) => [d.destination, d]));
  $('sessions').textContent = String(stats.sessions);
  // stomp-stats is paged: the count and the overall rates come from its totals (older servers: the list)
  const totals = stats.totals || { destinations: stats.destinations.length };
  $('destination-count').textContent = String(totals.destinations);
  $('updated').textContent = new Date(stats.time).toLocaleTimeString();
  let totalIn = 0; let totalOut = 0; let prevIn = 0; let prevOut = 0;
  const body = $('destinations').tBodies[0];
  body.replaceChildren();
  for (const d of stats.destinations) {
    const old = before.get(d.destination);
    totalIn += d.messagesIn; totalOut += d.messagesOut;
    if (old) { prevIn += old.messagesIn; prevOut += old.messagesOut; } else { prevIn += d.messagesIn; prevOut += d.messagesOut; }
    const row = document.createElement('tr');
    row.dataset.destination = d.destination;
    for (const [value, cls] of [[d.destination, 'data'], [d.kind, ''], [d.subscribers, 'num'],
      [d.kind === 'queue' ? d.depth : '–', 'num'], [d.messagesIn, 'num'], [d.messagesOut, 'num'],
      [rate(d.messagesIn, old?.messagesIn, seconds), 'num'], [rate(d.messagesOut, old?.messagesOut, seconds), 'num']]) {
      const cell = document.createElement('td');
      cell.className = cls;
      cell.textContent = String(value);
      row.append(cell);
    }
    body.append(row);
  }
  $('empty').hidden = stats.destinations.length > 0;
  if (stats.totals && previous && previous.totals) {
    totalIn = stats.totals.messagesIn; prevIn = previous.totals.messagesIn;
    totalOut = stats.totals.messagesOut; prevOut = previous.totals.messagesOut;
  }
  $('rate-in').textContent = previous ? rate(totalIn, prevIn, seconds) : '–';
  $('rate-out').textContent = previous ? rate(totalOut, prevOut, seconds) : '–';
  previous = stats;
}

async function poll() {
  try {
    const response = await fetch('stomp-stats', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json());
    failures = 0;
    $('state').textContent = 'LIVE';
    $('state').dataset.state = 'OPEN';
  } catch (e) {
    failures += 1;
    $('state').textContent = 'OFFLINE';
    $('state').dataset.state = 'CLOSED';
  }
  // back off while the server is away: 1 s, 2 s, 4 s … 30 s
  setTimeout(poll, Math.min(30000, 1000 * 2 ** Math.min(failures, 5)));
}
poll();
