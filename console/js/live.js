/**
 * GET /api/events as an EventSource: the browser resumes after the last event id by itself when the
 * connection drops, so nothing is missed. Listeners get { type, data, id }.
 */
const TYPES = [
  'action.pending_approval', 'action.succeeded', 'action.failed', 'action.rejected', 'action.expired',
  'alert.created', 'failover.changed', 'throttle.changed',
  // The closed loop's: outcomes, escalations, the pause switch.
  'action.verified', 'action.ineffective', 'automation.paused', 'automation.resumed',
];

export function startLive(onEvent, onState) {
  let source = null;
  const open = () => {
    source = new EventSource('/api/events', { withCredentials: true });
    source.onopen = () => onState('open');
    source.onerror = () => onState(source.readyState === EventSource.CLOSED ? 'closed' : 'connecting');
    const handler = (e) => {
      let data = null;
      try { data = JSON.parse(e.data); } catch { return; }
      onEvent({ type: e.type, id: e.lastEventId, data });
    };
    // Named events (the type) and any the service adds later through the default "message" event.
    for (const t of TYPES) source.addEventListener(t, handler);
    source.addEventListener('message', handler);
  };
  open();
  return () => source?.close();
}
