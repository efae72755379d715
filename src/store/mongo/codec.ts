import type { ActionRecord } from '../../domain/action';
import type { StoredSnapshot } from '../../domain/snapshot';
import type { Alert } from '../../domain/state';
import { escapeFieldNames, unescapeFieldNames } from './field-names';

/**
 * Domain <-> document at the edge. Documents are the domain objects spread as fields (dates stay
 * BSON dates), with `id` as `_id` and every free-form key escaped (field-names.ts), so fields
 * added to the domain types later are stored and read back without changes here.
 */
export type Doc = Record<string, unknown>;

/** Fields the adapter adds to a document for its own bookkeeping; never part of the domain value. */
const INTERNAL = new Set(['_id', '_rev', '__v', 'pendingEvents', 'hasEvents']);

export function toDoc(value: { id: string }, extra: Doc = {}): Doc {
  const { id, ...rest } = value;
  return { _id: id, ...escapeFieldNames(rest as Doc), ...extra };
}

export function fromDoc<T>(doc: Doc): T {
  const out: Doc = { id: doc._id };
  for (const [key, value] of Object.entries(doc)) if (!INTERNAL.has(key)) out[key] = value;
  return unescapeFieldNames(out) as T;
}

export const actionToDoc = (action: ActionRecord, rev: number): Doc => toDoc(action, { _rev: rev });
export const actionFromDoc = (doc: Doc): ActionRecord => fromDoc<ActionRecord>(doc);
export const alertToDoc = (alert: Alert): Doc => toDoc(alert);
export const alertFromDoc = (doc: Doc): Alert => fromDoc<Alert>(doc);
export const snapshotToDoc = (snapshot: StoredSnapshot): Doc => toDoc(snapshot);
export const snapshotFromDoc = (doc: Doc): StoredSnapshot => fromDoc<StoredSnapshot>(doc);

/** A whole value kept under one field (state, prompts, claim payloads). */
export const valueToDoc = <T>(value: T): unknown => escapeFieldNames(value);
export const valueFromDoc = <T>(value: unknown): T => unescapeFieldNames(value) as T;
