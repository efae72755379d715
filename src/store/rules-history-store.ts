import type { Page } from '../domain/action';
import type { RulesVersionRecord, RulesVersionSummary } from '../domain/rules-version';

/**
 * The rules history: every accepted version of the rules file, numbered. Adding one is an insert of
 * a unique `seq` (MongoDB: `_id`), so two instances recording at once cannot both take a number.
 */
export interface RulesHistoryStore {
  latestRulesVersion(): Promise<RulesVersionRecord | null>;
  /** False when `record.seq` is already taken. */
  insertRulesVersion(record: RulesVersionRecord): Promise<boolean>;
  /** Takes back a record whose file write then failed. */
  deleteRulesVersion(seq: number, version: string): Promise<void>;
  /** The newest record of this version, with its document. */
  getRulesVersion(version: string): Promise<RulesVersionRecord | null>;
  /** Newest first, without documents. */
  listRulesVersions(query: { limit: number; cursor?: string }): Promise<Page<RulesVersionSummary>>;
}
