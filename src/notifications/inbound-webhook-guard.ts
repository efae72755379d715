import type { Clock } from '../clock';
import type { NotificationsConfig } from '../config/sections/notifications';
import { AppError } from '../errors';
import type { Logger } from '../logging/logger';
import type { NotificationStore } from '../store/notification-store';
import { tokenMatches, verifySignature } from './webhook-signature';

/** A request to the inbound webhook as the guard sees it: the raw bytes and the headers that matter. */
export interface InboundRequest {
  rawBody: Buffer;
  signature?: string;
  authorization?: string;
  requestId?: string;
}

export class WebhookUnauthorizedError extends AppError {
  constructor(reason: string) {
    super(401, 'webhook_unauthorized', `webhook request refused: ${reason}`);
  }
}

/** How long a token-mode request id is remembered: longer than any sane client retry. */
const REQUEST_ID_TTL_MS = 24 * 60 * 60 * 1000;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface InboundWebhookGuardDeps {
  store: { notifications: NotificationStore };
  config: NotificationsConfig;
  clock: Clock;
  logger: Logger;
}

/**
 * Authenticates inbound webhook calls before anything is read from them. HMAC mode: the signature
 * over the raw body, a timestamp within maxSkewSeconds, and the signature itself as the request's
 * identity (each signed request is accepted once). Token mode: the bearer token, and an
 * `X-Request-Id`, when sent, accepted once. Seen keys are kept in the store until they expire.
 */
export class InboundWebhookGuard {
  constructor(private readonly deps: InboundWebhookGuardDeps) {}

  /** Whether any caller can get in with the current configuration. */
  enabled(): boolean {
    const { n8n, inbound } = this.deps.config;
    return inbound.auth === 'hmac' ? n8n.secret !== '' : inbound.token !== '';
  }

  async admit(req: InboundRequest): Promise<void> {
    const { config, clock, store } = this.deps;
    const now = clock.now();
    let key: string | null;
    let expiresAt: Date;
    if (config.inbound.auth === 'hmac') {
      const check = verifySignature(req.signature, req.rawBody, config.n8n.secret, now, config.inbound.maxSkewSeconds);
      if (!check.ok) throw this.refuse(check.reason);
      key = `sig:${check.v1}`;
      // After this the timestamp check refuses the request anyway, so the key can be forgotten.
      expiresAt = new Date((check.t + config.inbound.maxSkewSeconds + 1) * 1000);
    } else {
      if (!config.inbound.token) throw this.refuse('the inbound webhook has no token configured (notifications.inbound.token)');
      const m = /^Bearer\s+(\S+)\s*$/i.exec(req.authorization ?? '');
      if (!m) throw this.refuse('missing bearer token (Authorization: Bearer <token>)');
      if (!tokenMatches(m[1]!, config.inbound.token)) throw this.refuse('wrong bearer token');
      if (req.requestId !== undefined && !REQUEST_ID.test(req.requestId)) throw this.refuse('malformed X-Request-Id');
      key = req.requestId ? `rid:${req.requestId}` : null;
      expiresAt = new Date(now.getTime() + REQUEST_ID_TTL_MS);
    }
    if (key && !(await store.notifications.rememberInboundRequest(key, expiresAt, now))) {
      throw this.refuse('replayed request (this request was already accepted once)');
    }
  }

  private refuse(reason: string): WebhookUnauthorizedError {
    this.deps.logger.warn('inbound webhook request refused', { reason });
    return new WebhookUnauthorizedError(reason);
  }
}
