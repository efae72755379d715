import type { Rule } from '../domain/rule';
import type { RulesChangeCause } from '../domain/rules-version';

/** A new version of the rules file, about to be written (API) or just found on disk. */
export interface RulesChange {
  version: string;
  text: string;
  rules: Rule[];
  /** The rules it replaces (null when none were in force: the first load). */
  before: Rule[] | null;
  previousVersion: string | null;
  by: string;
  cause: RulesChangeCause;
  rollbackOf?: string;
}

/**
 * Where the rules service reports accepted versions (the rules history). Implemented outside
 * rules/, which knows no store.
 */
export interface RulesChangeRecorder {
  /** Before an API write: records it, and returns how to take the record back if the write fails. */
  beforeWrite(change: RulesChange): Promise<() => Promise<void>>;
  /** A version found on disk: recorded unless it is already the newest (another instance wrote it). */
  found(change: RulesChange): Promise<void>;
}
