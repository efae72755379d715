import { Router } from 'express';
import { DELIVERY_STATUSES, type OutboxEntry, type OutboxQuery } from '../src/domain/notification';
import { EVENT_TYPES } from '../src/domain/events';
import type { NotificationService } from '../src/notifications/notification-service';
import { declareRoutes, mount, readQuery } from '../src/http/route-declaration';
import { cursorParam, limitParam } from '../src/http/route-parameters';
import { notificationPageSchema } from '../src/schemas/notification-schemas';
import type { FromSchema } from '../src/schemas/schema-type';

export const NOTIFICATION_ROUTES = declareRoutes({
  listNotifications: {
    method: 'GET',
    path: '/api/self-healing/notifications',
    access: 'viewer',
    tag: 'notifications',
    summary: 'Outbound events (n8n webhook outbox) and their delivery state',
    parameters: [
      {
        name: 'status',
        in: 'query',
        description: `Comma-separated: ${DELIVERY_STATUSES.join(', ')}.`,
        style: 'form',
        explode: false,
        schema: { type: 'array', items: { enum: [...DELIVERY_STATUSES] }, maxItems: DELIVERY_STATUSES.length },
      },
      { name: 'type', in: 'query', description: 'Only this event type.', schema: { enum: [...EVENT_TYPES] } },
      limitParam,
      cursorParam,
    ],
    responses: [{ status: 200, description: 'One page.', schema: notificationPageSchema }],
  },
});

/** The API view of an outbox entry: delivery state and the event; never the destination URL (it may hold a secret). */
function view(e: OutboxEntry): FromSchema<typeof notificationPageSchema>['items'][number] {
  let event: unknown = null;
  try {
    event = JSON.parse(e.payload);
  } catch {
    // Stored by this service, so always JSON; a damaged row still shows its delivery state.
  }
  return {
    id: e.id,
    eventId: e.eventId,
    type: e.eventType,
    destination: e.destination,
    status: e.status,
    attempts: e.attempts,
    lastError: e.lastError,
    lastStatusCode: e.lastStatusCode,
    nextAttemptAt: e.status === 'pending' ? e.nextAttemptAt.toISOString() : null,
    deliveredAt: e.deliveredAt?.toISOString() ?? null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
    event,
  };
}

export function createNotificationsRouter({ notifications }: { notifications: Pick<NotificationService, 'list' | 'dispatcher' | 'notifier'> }): Router {
  const router = Router();

  mount(router, NOTIFICATION_ROUTES.listNotifications, async (req, res) => {
    const { type, ...rest } = readQuery(NOTIFICATION_ROUTES.listNotifications, req);
    const query: OutboxQuery = { ...rest, ...(type ? { eventType: type } : {}) };
    const page = await notifications.list(query);
    res.json({
      items: page.items.map(view),
      nextCursor: page.nextCursor,
      breakers: notifications.dispatcher.breakerStates(),
      overflow: notifications.notifier.overflow(),
    });
  });

  return router;
}
