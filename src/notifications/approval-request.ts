import type { ActionRecord } from '../domain/action';
import type { Rule } from '../domain/rule';

export interface ApprovalRequestInput {
  rule: Rule;
  action: ActionRecord;
  /** The condition leaves that held, fact path → value. */
  matchedFacts: Record<string, unknown>;
  /** This service's base URL as n8n reaches it (notifications.publicUrl); '' gives paths only. */
  publicUrl: string;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * The `data` of an `action.pending_approval` event: everything a person needs to decide (what
 * matched and with which values, what will run, until when) and every way to answer, ready for a
 * chat message or mail built by an n8n workflow.
 */
export function approvalRequestData(input: ApprovalRequestInput): Record<string, unknown> {
  const { rule, action, matchedFacts } = input;
  const base = input.publicUrl.replace(/\/+$/, '');
  const values = Object.entries(matchedFacts).map(([fact, v]) => `${fact} = ${short(v)}`);
  const expiresAt = action.expiresAt?.toISOString() ?? null;
  const summary =
    `Rule "${rule.name}" (${rule.severity}) matched${action.snapshot ? ` on ${action.snapshot.source}` : ''}` +
    `${values.length ? `: ${values.join(', ')}` : ''}. ` +
    `Approve to run ${rule.action.type} ${short(rule.action.params)}` +
    `${expiresAt ? `; the request expires at ${expiresAt}` : ''}.`;
  const decision = (d: 'approve' | 'reject') => ({
    type: 'approval',
    actionId: action.id,
    decision: d,
    by: '<your name>',
    comment: '<optional>',
  });
  return {
    summary,
    description: rule.description,
    why: matchedFacts,
    conditions: rule.conditions,
    willRun: { type: rule.action.type, params: rule.action.params },
    expiresAt,
    requestedBy: action.requestedBy,
    source: action.snapshot?.source ?? null,
    snapshotId: action.snapshotId,
    snapshotTimestamp: action.snapshot?.timestamp ?? null,
    answer: {
      approve: `POST ${base}/api/self-healing/actions/${action.id}/approve`,
      reject: `POST ${base}/api/self-healing/actions/${action.id}/reject`,
      body: { by: '<your name>', comment: '<optional>' },
      webhook: {
        method: 'POST',
        url: `${base}/api/webhooks/n8n`,
        approve: decision('approve'),
        reject: decision('reject'),
        auth: 'X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>"> with the shared secret, or Authorization: Bearer <token> (notifications.inbound.auth)',
      },
    },
  };
}
