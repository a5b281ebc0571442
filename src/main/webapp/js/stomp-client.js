// The STOMP client library (@stomp/stompjs, from its WebJar) wired to Switchboard's stomp endpoint.
import { Client, Versions } from '../webjars/stomp__stompjs/7.2.1/esm6/index.js';
import { webSocketUrl } from './ws.js';

export { Versions };

/**
 * A stompjs Client for this page's Switchboard: reconnects with backoff (0.5 s doubling to 30 s),
 * heart-beats every 10 s. `versions` limits the STOMP versions offered.
 */
export function stompClient({ versions = ['1.2', '1.1', '1.0'], connectHeaders = {}, onState = () => {}, debug } = {}) {
  const url = webSocketUrl('stomp');
  const stompVersions = new Versions(versions);
  let attempt = 0;
  const client = new Client({
    brokerURL: url,
    stompVersions,
    connectHeaders,
    heartbeatIncoming: 10000,
    heartbeatOutgoing: 10000,
    reconnectDelay: 500,
    logRawCommunication: Boolean(debug),
    debug: debug || (() => {}),
  });
  client.beforeConnect = () => {
    // exponential backoff with jitter between attempts
    const delay = Math.min(30000, 500 * 2 ** attempt);
    client.reconnectDelay = Math.round(delay / 2 + Math.random() * delay / 2);
    attempt += 1;
    onState('CONNECTING');
  };
  const onConnect = [];
  client.onConnect = (frame) => {
    attempt = 0;
    onState('OPEN');
    onConnect.forEach((f) => f(frame));
  };
  client.onWebSocketClose = (event) => onState('CLOSED', event);
  client.whenConnected = (f) => onConnect.push(f);
  client.url = url;
  return client;
}
