import { isSharedDecision } from '../engine/decide';
import type { RuleDecisionKind } from '../engine/rule-decisions';
import type { AppliedDecision, IngestResult } from './remediation-service';

/** Which decisions an ingest reply lists: all of them (the default), or only those that acted. */
export type ReplyDecisions = 'all' | 'acted';
export const REPLY_DECISIONS: readonly ReplyDecisions[] = ['all', 'acted'];

/** Decisions that write nothing and that `?decisions=acted` leaves out of the list (they stay in `counts`). */
function passive(kind: RuleDecisionKind): boolean {
  return kind === 'cooldown' || kind === 'duplicate_pending';
}

/**
 * An ingest reply: every decision counted by kind, and listed unless `acted` asks to leave out the
 * ones that did nothing (a rule in cooldown, an approval already pending) — what callers such as
 * Alertmanager and n8n never read, hundreds a snapshot during a storm.
 */
export function ingestReply(snapshotId: string, rulesVersion: string, decisions: AppliedDecision[], shown: ReplyDecisions): IngestResult {
  const counts: Partial<Record<RuleDecisionKind, number>> = {};
  let listedOut = 0;
  for (const d of decisions) {
    counts[d.decision] = (counts[d.decision] ?? 0) + 1;
    if (passive(d.decision)) listedOut++;
  }
  const listed = shown === 'acted' && listedOut > 0 ? decisions.filter((d) => !passive(d.decision)) : decisions;
  return { snapshotId, rulesVersion, decisions: listed, counts };
}

/** The JSON of decisions `decide` shares between snapshots, made once each. */
const decisionJson = new WeakMap<object, string>();

function jsonOfDecision(d: AppliedDecision): string {
  if (!isSharedDecision(d)) return JSON.stringify(d);
  let text = decisionJson.get(d);
  if (text === undefined) {
    text = JSON.stringify(d);
    decisionJson.set(d, text);
  }
  return text;
}

/**
 * An ingest reply as JSON, the same text as JSON.stringify gives (same keys, same order), with the
 * text of shared decisions (a storm's hundreds of `cooldown` entries) written once, not per reply.
 */
export function ingestReplyJson(r: IngestResult): string {
  let decisions = '';
  for (let i = 0; i < r.decisions.length; i++) decisions += (i === 0 ? '' : ',') + jsonOfDecision(r.decisions[i]!);
  return `{"snapshotId":${JSON.stringify(r.snapshotId)},"rulesVersion":${JSON.stringify(r.rulesVersion)},"decisions":[${decisions}],"counts":${JSON.stringify(r.counts)}}`;
}
