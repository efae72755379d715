import { BREAKER_STATES, DELIVERY_STATUSES } from '../domain/notification';
import { REPLY_BASE as R, dateTime, nullableDateTime, nullableString } from './shared-schemas';

export const notificationPageSchema = {
  $id: `${R}/notification-page.json`,
  title: 'NotificationPage',
  description:
    'Outbound events and their delivery state, newest first; `breakers` is the circuit state per destination; `overflow` counts events dropped by a full outbox.',
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor', 'breakers', 'overflow'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'eventId', 'type', 'destination', 'status', 'attempts', 'lastError', 'lastStatusCode', 'nextAttemptAt', 'deliveredAt', 'createdAt', 'updatedAt', 'event'],
        properties: {
          id: { type: ['string', 'integer'] },
          eventId: { type: 'string' },
          type: { type: 'string' },
          destination: { type: 'string' },
          status: { enum: DELIVERY_STATUSES },
          attempts: { type: 'integer', minimum: 0 },
          lastError: nullableString,
          lastStatusCode: { type: ['integer', 'null'] },
          nextAttemptAt: nullableDateTime,
          deliveredAt: nullableDateTime,
          createdAt: dateTime,
          updatedAt: dateTime,
          event: {},
        },
      },
    },
    nextCursor: nullableString,
    breakers: { type: 'object', additionalProperties: { enum: BREAKER_STATES } },
    overflow: {
      type: 'object',
      description:
        'Events this instance could not queue since it started because the outbox already held `maxPending` undelivered entries (notifications.delivery.maxPending): the oldest are kept, new ones dropped.',
      additionalProperties: false,
      required: ['dropped', 'maxPending'],
      properties: { dropped: { type: 'integer', minimum: 0 }, maxPending: { type: 'integer', minimum: 1 } },
    },
  },
} as const;
