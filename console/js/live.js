// @ts-check
import { operationUrl } from './client.js';
import { EVENT_TYPES } from './vocabulary.js';

/** @typedef {import('./types').LiveEvent} LiveEvent */

/**
 * GET /api/events as an EventSource: the browser resumes after the last event id by itself when the
 * connection drops, so nothing is missed. Listeners get { type, data, id }. The named events are the
 * service's own list (vocabulary.js), so an event type added there is heard here without an edit.
 * @param {(event: LiveEvent) => void} onEvent
 * @param {(state: 'open' | 'connecting' | 'closed') => void} onState
 * @returns {() => void} closes the stream
 */
export function startLive(onEvent, onState) {
  const source = new EventSource(operationUrl('streamEvents'), { withCredentials: true });
  source.onopen = () => onState('open');
  source.onerror = () => onState(source.readyState === EventSource.CLOSED ? 'closed' : 'connecting');
  /** @param {MessageEvent} e */
  const handler = (e) => {
    let data = null;
    try { data = JSON.parse(e.data); } catch { return; }
    onEvent({ type: e.type, id: e.lastEventId, data });
  };
  // Named events (the type) and any without a name through the default "message" event.
  for (const t of EVENT_TYPES) source.addEventListener(t, handler);
  source.addEventListener('message', handler);
  return () => source.close();
}
