import type { Request, Response } from 'express';
import type { IdempotentReply } from '../src/domain/idempotency';
import { principalOf } from '../src/http/access-control';
import { idempotencyKeyOf } from '../src/http/idempotency-key';
import { sendJsonText } from '../src/http/json-reply';
import { type IdempotentReplies, requestFingerprint } from '../src/pipeline/idempotent-replies';

/**
 * Sends what `produce` answers; with an Idempotency-Key, once per key: a retry gets the first reply
 * again, marked `Idempotent-Replayed: true`. Keys are per API key (the open loopback mode shares one
 * space), so one caller's key never answers another's request.
 */
export async function replyOnce(
  replies: IdempotentReplies,
  operation: string,
  req: Request,
  res: Response,
  produce: () => Promise<IdempotentReply>,
): Promise<void> {
  const key = idempotencyKeyOf(req);
  if (key === null) {
    const reply = await produce();
    sendJsonText(res, reply.status, reply.json);
    return;
  }
  const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
  const fingerprint = requestFingerprint(operation, query, req.body);
  const { reply, replayed } = await replies.once({ key, caller: principalOf(res)?.name ?? null }, fingerprint, produce);
  if (replayed) res.setHeader('Idempotent-Replayed', 'true');
  sendJsonText(res, reply.status, reply.json);
}
