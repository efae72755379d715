/** One field of a rule that differs between two versions of the rules file. */
export interface FieldChange {
  /** JSON pointer inside the rule, e.g. /conditions/all/0/value. */
  field: string;
  /** Absent when the field was absent. */
  before?: unknown;
  after?: unknown;
}

/** Added, removed and changed rules (field by field) between two versions of the rules file. */
export interface RulesDiff {
  added: string[];
  removed: string[];
  changed: { rule: string; fields: FieldChange[] }[];
}

export const RULES_CHANGE_CAUSES = ['api', 'file', 'rollback'] as const;
/** How a version came to be: an API edit, a change found on disk (hand edit, start-up), a rollback. */
export type RulesChangeCause = (typeof RULES_CHANGE_CAUSES)[number];

/** An accepted version of the rules file, as the rules history keeps it. */
export interface RulesVersionRecord {
  /** Position in the history, from 1; the newest has the highest. */
  seq: number;
  version: string;
  at: Date;
  /** The API key's name, `file` for a change found on disk, or `api` when the service runs without keys. */
  by: string;
  cause: RulesChangeCause;
  /** For a rollback: the version it restored. */
  rollbackOf: string | null;
  previousVersion: string | null;
  rules: number;
  diff: RulesDiff;
  /** The file's text as it was accepted: what a rollback restores. */
  document: string;
}

export type RulesVersionSummary = Omit<RulesVersionRecord, 'document'>;
