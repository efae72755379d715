/**
 * Persistence for the n8n integration: the outbound-event outbox (delivered at least once, across
 * restarts) and the ids of inbound requests already seen (replay protection). Each adapter keeps it
 * in its own file beside its main store.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface NotificationStore {}
